package exchange

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Errors returned by this package.
var (
	// ErrStarted is returned by Start when the server is already listening.
	ErrStarted = errors.New("exchange already started")
	// ErrRecording is wrapped by every error about a klines recording that
	// cannot be replayed: unreadable rows, a bad interval or file name.
	ErrRecording = errors.New("bad klines recording")
)

// apiError is the exchange's error body, such as
// {"code":-1121,"msg":"Invalid symbol."}.
type apiError struct {
	Code int    `json:"code"`
	Msg  string `json:"msg"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("exchange error %d: %s", e.Code, e.Msg)
}

// The exchange's messages for the parameter errors this server reports.
func errMandatory(param string) error {
	return &apiError{-1102, fmt.Sprintf("Mandatory parameter '%s' was not sent, "+
		"was empty/null, or malformed.", param)}
}

func errIllegalChars(param string) error {
	return &apiError{-1100, fmt.Sprintf("Illegal characters found in parameter "+
		"'%s'; legal range is '^[0-9]{1,20}$'.", param)}
}

func errNotValid(param string) error {
	return &apiError{-1130, fmt.Sprintf("Data sent for parameter '%s' is not valid.", param)}
}

var (
	errBadSymbol   = &apiError{-1121, "Invalid symbol."}
	errBadInterval = &apiError{-1120, "Invalid interval."}
	errStartAfter  = &apiError{-1023, "Start time is greater than end time."}
	errNotFound    = &apiError{-1099, "Not found, unauthenticated, or unauthorized."}
)

// response is an answer ready to be written: status, headers and body.
type response struct {
	status int
	header http.Header
	body   []byte
}

// jsonResponse encodes v compactly, as the exchange sends it.
func jsonResponse(status int, v any) response {
	body, err := json.Marshal(v)
	if err != nil {
		status = http.StatusInternalServerError
		body = []byte(`{"code":-1000,"msg":"An unknown error occurred while ` +
			`processing the request."}`)
	}
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	return response{status: status, header: h, body: body}
}

// errorResponse turns a parameter error into the exchange's HTTP 400, or
// an authentication error into its own status.
func errorResponse(err error) response {
	var se *statusError
	if errors.As(err, &se) {
		return jsonResponse(se.status, se.apiError)
	}
	var ae *apiError
	if errors.As(err, &ae) {
		return jsonResponse(http.StatusBadRequest, ae)
	}
	return jsonResponse(http.StatusInternalServerError,
		&apiError{-1000, "An unknown error occurred while processing the request."})
}
