package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"snapshotter/internal/clock"
)

// maxBody bounds how much of one answer is read; the largest documented
// answer, exchangeInfo, is under 2 MB.
const maxBody = 32 << 20

// Options configures a Client.
type Options struct {
	// BaseURL is the exchange's API root, such as "https://fapi.asterdex.com".
	BaseURL string
	// HTTP is the process's one HTTP client, from NewHTTPClient.
	HTTP *http.Client
	// Clock is the local clock; the client corrects it by the offset
	// measured with ServerTime. Default clock.Real.
	Clock clock.Clock
	// Budget, Share, IPMargin and PausePath are as in BudgetOptions.
	Share     float64
	IPMargin  float64
	PausePath string
	Logger    *slog.Logger
}

// Client sends every request to the exchange, each through its Budget.
// It is safe for concurrent use.
type Client struct {
	base    *url.URL
	http    *http.Client
	clock   *serverClock
	budget  *Budget
	log     *slog.Logger
	probeMu sync.Mutex
	stats   Stats
}

// Stats counts what the client sent since it was made.
type Stats struct {
	Requests atomic.Int64
	Weight   atomic.Int64
}

// New returns a client for the exchange at o.BaseURL. It sends nothing.
func New(o Options) (*Client, error) {
	base, err := url.Parse(strings.TrimRight(o.BaseURL, "/"))
	if err != nil || base.Host == "" {
		return nil, fmt.Errorf("exchange base URL %q is not a URL with a host", o.BaseURL)
	}
	if o.HTTP == nil {
		return nil, errors.New("fetch: no HTTP client")
	}
	if o.Clock == nil {
		o.Clock = clock.Real{}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	sc := &serverClock{base: o.Clock}
	b, err := NewBudget(BudgetOptions{Clock: sc, Share: o.Share, IPMargin: o.IPMargin,
		Limit: 2400, PausePath: o.PausePath, Logger: o.Logger})
	if err != nil {
		return nil, err
	}
	return &Client{base: base, http: o.HTTP, clock: sc, budget: b, log: o.Logger}, nil
}

// Budget returns the client's budget.
func (c *Client) Budget() *Budget { return c.budget }

// Now returns the exchange's time: the local clock corrected by the offset
// ServerTime measured.
func (c *Client) Now() time.Time { return c.clock.Now() }

// Sent returns how many requests the client sent and their total weight.
func (c *Client) Sent() (requests, weight int64) {
	return c.stats.Requests.Load(), c.stats.Weight.Load()
}

// get sends one GET through the budget and returns the body of a 2xx
// answer. Every request the product makes goes through here.
func (c *Client) get(ctx context.Context, path string, q url.Values, weight int) ([]byte, error) {
	return c.do(ctx, path, q, weight, nil)
}

// do is get with an optional signer, which signs each attempt afresh so
// that a retry carries a current timestamp or a new nonce.
func (c *Client) do(ctx context.Context, path string, q url.Values, weight int,
	s Signer) ([]byte, error) {
	if path != pathPing && c.budget.needsProbe() {
		if err := c.probe(ctx); err != nil {
			return nil, err
		}
	}
	for attempt := 0; ; attempt++ {
		if err := c.budget.Acquire(ctx, weight); err != nil {
			var e *Error
			if errors.As(err, &e) {
				e.Path = path
			}
			return nil, err
		}
		body, err := c.send(ctx, path, q, weight, s)
		if err == nil || ClassOf(err) != ClassNetwork || attempt == maxRetries {
			return body, err
		}
		wait := backoff(attempt)
		c.log.Warn("no answer; retrying", "path", path, "attempt", attempt+1,
			"retry_in", wait, "err", err)
		if err := c.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// maxRetries bounds the retries of a request that got no answer (a
// timeout, a reset connection); each retry is granted by the budget again.
const maxRetries = 2

// backoff returns the wait before retry attempt+1: 1 s, then 2 s, each
// jittered by up to ±50% so that processes sharing an IP do not retry in
// step.
func backoff(attempt int) time.Duration {
	base := time.Second << attempt
	return base/2 + rand.N(base)
}

// probe sends one light request after a pause, so that the first thing the
// exchange sees from us is not a burst. Only one goroutine probes; the
// others wait for its answer.
func (c *Client) probe(ctx context.Context) error {
	c.probeMu.Lock()
	defer c.probeMu.Unlock()
	if !c.budget.needsProbe() {
		return nil
	}
	c.log.Info("pause over; probing with one light request")
	_, err := c.get(ctx, pathPing, nil, weightPing)
	return err
}

func (c *Client) send(ctx context.Context, path string, q url.Values, weight int,
	s Signer) ([]byte, error) {
	u := *c.base
	u.Path += path
	u.RawQuery = q.Encode()
	logged := u.RawQuery
	header := http.Header{}
	if s != nil {
		raw, h, err := s.sign(q, c.clock.Now())
		if err != nil {
			return nil, &Error{Class: ClassInternal, Path: path, Msg: "sign: " + err.Error()}
		}
		u.RawQuery, header = raw, h
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, &Error{Class: ClassInternal, Path: path, err: err}
	}
	for k, v := range header {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")

	c.stats.Requests.Add(1)
	c.stats.Weight.Add(int64(weight))
	start := time.Now()
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, &Error{Class: ClassNetwork, Path: path, err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	c.budget.observe(resp.StatusCode, resp.Header, body)
	// The log shows the business parameters only: never a key, a
	// signature or a nonce.
	c.log.Debug("request", "path", path, "query", logged, "weight", weight,
		"status", resp.StatusCode, "used_weight_1m", resp.Header.Get("X-Mbx-Used-Weight-1m"),
		"took", time.Since(start))
	if err != nil {
		return nil, &Error{Class: ClassNetwork, Path: path, Status: resp.StatusCode,
			Msg: "answer cut short", err: err}
	}
	if resp.StatusCode/100 != 2 {
		return nil, answerError(path, resp.StatusCode, body)
	}
	return body, nil
}

// answerError turns a non-2xx answer into an *Error, reading the exchange's
// {"code","msg"} body when there is one and the start of the body (an HTML
// page from a proxy, say) when there is not.
func answerError(path string, status int, body []byte) error {
	e := &Error{Path: path, Status: status}
	var apiErr struct {
		Code int    `json:"code"`
		Msg  string `json:"msg"`
	}
	if json.Unmarshal(body, &apiErr) == nil && apiErr.Code != 0 {
		e.Code, e.Msg = apiErr.Code, apiErr.Msg
	} else {
		e.Msg = snippet(body)
	}
	switch {
	case status == 418:
		e.Class = ClassBanned
	case status == 429:
		e.Class = ClassRateLimited
	case status == 403:
		e.Class = ClassBlocked
	case status >= 500:
		e.Class = ClassServer
	default:
		e.Class = ClassRejected
	}
	switch e.Code {
	case -1121:
		e.err = ErrUnknownSymbol
	case -1120:
		e.err = ErrBadInterval
	}
	return e
}

// serverClock is the local clock plus the measured offset to the exchange.
type serverClock struct {
	base   clock.Clock
	offset atomic.Int64 // nanoseconds to add to local time
}

func (s *serverClock) Now() time.Time {
	return s.base.Now().Add(time.Duration(s.offset.Load()))
}

func (s *serverClock) Sleep(ctx context.Context, d time.Duration) error {
	return s.base.Sleep(ctx, d)
}
