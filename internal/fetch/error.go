package fetch

import (
	"errors"
	"fmt"
	"time"
)

// Classes of failure, as reported in status.json.
const (
	ClassBanned      = "banned"       // HTTP 418: the IP is banned
	ClassRateLimited = "rate_limited" // HTTP 429
	ClassBlocked     = "blocked"      // HTTP 403: the exchange's firewall
	ClassServer      = "server"       // HTTP 5xx: passing trouble upstream
	ClassNetwork     = "network"      // no answer: timeout, reset, refused
	ClassBadAnswer   = "bad_answer"   // an answer that is not what was asked
	ClassRejected    = "rejected"     // HTTP 4xx: the exchange refused the request
	ClassBudget      = "budget"       // the budget could not grant the weight
	ClassInternal    = "internal"     // a bug, such as a recovered panic
)

// Sentinel errors that Error unwraps to, for errors.Is.
var (
	// ErrPaused means no request was sent: the exchange has told us to stop
	// until a time that has not come yet.
	ErrPaused = errors.New("upstream paused")
	// ErrOverBudget means no request was sent: its weight does not fit
	// this minute's budget.
	ErrOverBudget = errors.New("over budget")
	// ErrUnknownSymbol is the exchange's -1121 "Invalid symbol.".
	ErrUnknownSymbol = errors.New("unknown symbol")
	// ErrBadInterval is the exchange's -1120 "Invalid interval.".
	ErrBadInterval = errors.New("invalid interval")
)

// Error is a failed exchange call. It never holds a secret: only the path,
// the status, the exchange's code and message, and the start of the body.
type Error struct {
	Class  string
	Path   string
	Status int // 0 when no answer came
	Code   int // the exchange's error code, 0 when none
	Msg    string
	// Until is when a pause ends, for ErrPaused.
	Until time.Time
	err   error
}

func (e *Error) Error() string {
	switch {
	case e.Status == 0 && e.err != nil && e.Msg == "":
		return fmt.Sprintf("GET %s: %v", e.Path, e.err)
	case e.Status == 0:
		return fmt.Sprintf("GET %s: %s", e.Path, e.Msg)
	case e.Code != 0:
		return fmt.Sprintf("GET %s: HTTP %d: code %d: %s", e.Path, e.Status, e.Code, e.Msg)
	}
	return fmt.Sprintf("GET %s: HTTP %d: %s", e.Path, e.Status, e.Msg)
}

// Unwrap returns the sentinel or cause behind the error.
func (e *Error) Unwrap() error { return e.err }

// ClassOf returns the class of err: one of the Class constants, with
// ClassInternal for an error that did not come from this package.
func ClassOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Class
	}
	return ClassInternal
}

// snippet returns the start of a body for a log line or an error: at most
// 200 bytes, cut on a character boundary, control characters folded.
func snippet(body []byte) string {
	const max = 200
	s := []rune(string(body))
	out := make([]rune, 0, min(len(s), max))
	for _, r := range s {
		if len(string(out)) >= max {
			out = append(out, '…')
			break
		}
		if r < ' ' {
			r = ' '
		}
		out = append(out, r)
	}
	return string(out)
}
