package compare

import (
	"net/http"
	"net/http/httptest"
	"path"
	"strconv"
	"sync"
	"time"

	"snapshotter/internal/exchange"
	"snapshotter/internal/fetch"
)

// baseURL is the address every strategy is configured with. It is never
// dialled: the upstream transport hands each request to the exchange's
// handler in the same process.
const baseURL = "http://127.0.0.1:1"

// usedWeightHeader is the exchange's count of the IP's weight this minute,
// sent with every answer.
const usedWeightHeader = "X-Mbx-Used-Weight-1m"

// record is one request as the upstream transport saw it.
type record struct {
	at     time.Time
	path   string
	status int
	// weight is what the exchange charged: the rise of its used-weight
	// header over the previous request of the same minute.
	weight int
	// asked is the request's documented weight, what it would have been
	// charged had the exchange served it rather than refused it.
	asked int
}

// upstream is the built-in exchange as one strategy reaches it: an
// http.RoundTripper that serves each request with the exchange's handler,
// one at a time, and logs it. It is safe for concurrent use.
type upstream struct {
	ex *exchange.Server

	mu     sync.Mutex // one request at a time, so weights can be read off the header
	minute int64      // the Unix minute of used
	used   int        // the exchange's used weight after the last request
	log    []record
}

func newUpstream(ex *exchange.Server) *upstream { return &upstream{ex: ex} }

// client returns an HTTP client that reaches only this exchange. It has no
// budget: what it is asked to send, it sends.
func (u *upstream) client() *http.Client {
	return &http.Client{Transport: u, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}
}

// RoundTrip serves r with the exchange as if it came from 127.0.0.1.
func (u *upstream) RoundTrip(r *http.Request) (*http.Response, error) {
	in := r.Clone(r.Context())
	in.RemoteAddr = "127.0.0.1:40000"
	in.RequestURI = r.URL.RequestURI()
	w := httptest.NewRecorder()

	u.mu.Lock()
	now := time.Now()
	u.ex.ServeHTTP(w, in)
	u.note(now, r, w)
	u.mu.Unlock()

	resp := w.Result()
	resp.Request = r
	return resp, nil
}

// note logs one answered request. The exchange counts weight per calendar
// minute and reports the total after each request, so the request's own
// weight is the rise since the previous one in the same minute.
func (u *upstream) note(now time.Time, r *http.Request, w *httptest.ResponseRecorder) {
	used, _ := strconv.Atoi(w.Header().Get(usedWeightHeader))
	minute := now.Unix() / 60
	before := 0
	if minute == u.minute {
		before = u.used
	}
	u.minute, u.used = minute, used
	u.log = append(u.log, record{at: now, path: r.URL.Path, status: w.Code,
		weight: max(0, used-before), asked: documentedWeight(r)})
}

// documentedWeight is a request's weight as the exchange documents it:
// klines by their limit (500 when absent), 5 for the account, positions
// and trades, 30 for income, 1 for one symbol's open orders and 40 for
// all, 1 for the rest.
func documentedWeight(r *http.Request) int {
	q := r.URL.Query()
	switch path.Base(r.URL.Path) {
	case "klines":
		limit := 500
		if n, err := strconv.Atoi(q.Get("limit")); err == nil {
			limit = n
		}
		return fetch.KlinesWeight(limit)
	case "account", "accountWithJoinMargin", "balance", "positionRisk", "userTrades":
		return 5
	case "income":
		return 30
	case "openOrders":
		if q.Get("symbol") == "" {
			return 40
		}
	}
	return 1
}

// records returns a copy of the log, oldest first.
func (u *upstream) records() []record {
	u.mu.Lock()
	defer u.mu.Unlock()
	return append([]record(nil), u.log...)
}
