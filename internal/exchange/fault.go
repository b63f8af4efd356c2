package exchange

import (
	"net/http"
	"sync"
)

// Fault is a scripted answer that replaces the exchange's own, for testing
// how a client copes with failures such as an HTML 502 from a proxy or a
// 403 from a firewall. A matching fault is answered before anything else:
// it is not charged weight and is answered even during a ban. It still
// appears in Requests, marked Injected.
type Fault struct {
	// Path is the exact URL path to match, such as "/fapi/v1/klines";
	// empty matches every path. /fapi/v1 and /fapi/v3 are different paths.
	Path string
	// Symbol is the symbol query parameter to match; empty matches any
	// request, with or without a symbol.
	Symbol string
	// Status is the HTTP status to answer with; zero means 500.
	Status int
	// Header is sent as is. Nothing is added, not even the weight header,
	// since a proxy's error page does not carry one.
	Header http.Header
	// Body is sent byte for byte.
	Body string
	// Drop closes the connection without any answer, as a crashed proxy
	// would. It needs a server started with Start; Status, Header and Body
	// are ignored.
	Drop bool
	// Times is how many requests the fault answers before it is used up.
	// Zero means every matching request until ClearFaults.
	Times int
}

// faultList holds the scripted faults, oldest first.
type faultList struct {
	mu     sync.Mutex
	faults []*pendingFault
}

type pendingFault struct {
	Fault
	left int // answers left; counts down only when Times > 0
}

// Inject adds a scripted fault. When several match a request the one
// injected first answers it.
func (s *Server) Inject(f Fault) {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = append(s.faults.faults, &pendingFault{Fault: f, left: f.Times})
}

// ClearFaults removes every scripted fault, used up or not.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	defer s.faults.mu.Unlock()
	s.faults.faults = nil
}

// take returns the first fault matching path and symbol and uses one of
// its answers.
func (l *faultList) take(path, symbol string) (Fault, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i, f := range l.faults {
		if !f.matches(path, symbol) {
			continue
		}
		if f.Times > 0 {
			f.left--
			if f.left <= 0 {
				l.faults = append(l.faults[:i:i], l.faults[i+1:]...)
			}
		}
		return f.Fault, true
	}
	return Fault{}, false
}

func (f *pendingFault) matches(path, symbol string) bool {
	return (f.Path == "" || f.Path == path) && (f.Symbol == "" || f.Symbol == symbol)
}

// replyFault records the request and writes the scripted answer, or drops
// the connection.
func (s *Server) replyFault(w http.ResponseWriter, rec Request, f Fault) {
	if f.Drop {
		s.log.add(rec)
		// ErrAbortHandler makes net/http close the connection silently.
		panic(http.ErrAbortHandler)
	}
	status := f.Status
	if status == 0 {
		status = http.StatusInternalServerError
	}
	s.reply(w, rec, response{status: status, header: f.Header.Clone(), body: []byte(f.Body)})
}
