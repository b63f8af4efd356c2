package sign

import (
	"sync"
	"time"
)

// Nonces issues the "nonce" parameter of Aster V3 requests. The exchange
// wants the current time in microseconds, refuses a nonce it has seen, and
// refuses one older than the 100 newest it keeps per user, so nonces must
// never repeat and should rise. The zero value is ready to use. A Nonces is
// safe for concurrent use; share one per account.
type Nonces struct {
	mu   sync.Mutex
	last int64 // the nonce issued last, in µs since the Unix epoch
}

// Next returns a nonce for a request made at now: now in microseconds since
// the Unix epoch, or one more than the previous nonce if that is not
// larger. Calls within one microsecond, or after the clock stepped back,
// thus still get distinct and strictly rising nonces. Sustained rates above
// a million a second would drift ahead of the clock, and the exchange
// refuses nonces more than 10 s from its time.
func (n *Nonces) Next(now time.Time) int64 {
	n.mu.Lock()
	defer n.mu.Unlock()

	next := max(now.UnixMicro(), n.last+1)
	n.last = next
	return next
}
