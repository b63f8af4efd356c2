package exchange

import (
	"sync"
	"time"
)

// Request is one request the server received, as its log keeps it.
type Request struct {
	// Time is the exchange clock's time on arrival.
	Time   time.Time
	Method string
	Path   string
	// Query is the raw, still percent-encoded query string.
	Query string
	// IP is the caller's address, the key of the weight limit.
	IP string
	// Weight is what the request was charged; zero for requests refused
	// with 429 or 418 and for injected faults.
	Weight int
	// Used is the IP's weight this minute after the request, as sent in
	// X-MBX-USED-WEIGHT-1M; zero for injected faults.
	Used int
	// Status is the HTTP status answered; zero for a dropped connection.
	Status int
	// Injected reports that a Fault answered instead of the exchange.
	Injected bool
}

// maxRequests bounds the log so a long demo run does not grow without end;
// the oldest entries go first.
const maxRequests = 100000

// requestLog is the record behind Server.Requests.
type requestLog struct {
	mu   sync.Mutex
	reqs []Request
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.reqs) >= maxRequests {
		l.reqs = append(l.reqs[:0], l.reqs[len(l.reqs)-maxRequests/2:]...)
	}
	l.reqs = append(l.reqs, r)
}

// Requests returns a copy of the requests received so far, oldest first.
// Only the newest 100000 or so are kept.
func (s *Server) Requests() []Request {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return append([]Request(nil), s.log.reqs...)
}
