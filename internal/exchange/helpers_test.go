package exchange

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"

	"snapshotter/internal/clock"
	"snapshotter/internal/kline"
)

// t0 is the fake exchange time most tests start at: 12:34:10 UTC.
var t0 = time.Date(2024, 1, 1, 12, 34, 10, 0, time.UTC)

// newTestServer returns a server on a fake clock at start.
func newTestServer(cfg Config, start time.Time) (*Server, *clock.Fake) {
	clk := clock.NewFake(start)
	cfg.Clock = clk
	return New(cfg), clk
}

// answer is what a test request got back.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// get sends one GET through ServeHTTP from 127.0.0.1, the address every
// loopback caller shares.
func get(t *testing.T, s *Server, path string, q url.Values) answer {
	t.Helper()
	target := path
	if len(q) > 0 {
		target += "?" + q.Encode()
	}
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = "127.0.0.1:40000"
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return answer{res.StatusCode, res.Header, body}
}

// klinesQ builds a klines query from name, value pairs.
func klinesQ(symbol, interval string, pairs ...string) url.Values {
	q := url.Values{"symbol": {symbol}, "interval": {interval}}
	for i := 0; i+1 < len(pairs); i += 2 {
		q.Set(pairs[i], pairs[i+1])
	}
	return q
}

// rows decodes a klines answer into its raw fields.
func rows(t *testing.T, a answer) [][]json.RawMessage {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d, body %s", a.status, a.body)
	}
	var out [][]json.RawMessage
	if err := json.Unmarshal(a.body, &out); err != nil {
		t.Fatalf("decode klines %s: %v", a.body, err)
	}
	return out
}

// openTimes lists the open times of a klines answer.
func openTimes(t *testing.T, a answer) []int64 {
	t.Helper()
	var out []int64
	for _, r := range rows(t, a) {
		var ms int64
		if err := json.Unmarshal(r[0], &ms); err != nil {
			t.Fatalf("open time %s: %v", r[0], err)
		}
		out = append(out, ms)
	}
	return out
}

// ms is the epoch milliseconds of a UTC clock time on t0's day.
func ms(hour, minute int) int64 {
	return time.Date(2024, 1, 1, hour, minute, 0, 0, time.UTC).UnixMilli()
}

func msStr(hour, minute int) string {
	return strconv.FormatInt(ms(hour, minute), 10)
}

// candles parses a klines answer as the product would at now.
func candles(t *testing.T, a answer, now time.Time) []kline.Candle {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d, body %s", a.status, a.body)
	}
	cs, err := kline.ParseRows(a.body, now)
	if err != nil {
		t.Fatalf("parse klines: %v", err)
	}
	return cs
}
