package exchange

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestKlinesWeight_Bands(t *testing.T) {
	tests := []struct {
		limit string // empty: no limit parameter
		want  int
	}{
		{"", 5}, {"1", 1}, {"99", 1}, {"100", 2}, {"499", 2}, {"500", 5},
		{"1000", 5}, {"1001", 10}, {"1500", 10}, {"0", 1}, {"1501", 1}, {"x", 1},
	}
	for _, tt := range tests {
		t.Run("limit="+tt.limit, func(t *testing.T) {
			s, _ := newTestServer(Config{}, t0)
			q := klinesQ("BTCUSDT", "1m")
			if tt.limit != "" {
				q.Set("limit", tt.limit)
			}
			a := get(t, s, "/fapi/v1/klines", q)
			if got := a.header.Get("X-MBX-USED-WEIGHT-1M"); got != strconv.Itoa(tt.want) {
				t.Errorf("used weight %s, want %d", got, tt.want)
			}
			if got := s.Requests()[0].Weight; got != tt.want {
				t.Errorf("logged weight %d, want %d", got, tt.want)
			}
		})
	}
}

func TestUsedWeight_AddsUpPerMinute(t *testing.T) {
	s, clk := newTestServer(Config{}, t0)
	steps := []struct {
		path string
		want string
	}{
		{"/fapi/v1/ping", "1"},
		{"/fapi/v3/time", "2"}, // v1 and v3 share one budget
		{"/fapi/v1/exchangeInfo", "3"},
		{"/fapi/v1/nope", "4"},
	}
	for _, st := range steps {
		a := get(t, s, st.path, nil)
		if got := a.header.Get("X-MBX-USED-WEIGHT-1M"); got != st.want {
			t.Errorf("%s: used weight %s, want %s", st.path, got, st.want)
		}
	}

	clk.Set(time.Date(2024, 1, 1, 12, 35, 0, 0, time.UTC))
	a := get(t, s, "/fapi/v1/ping", nil)
	if got := a.header.Get("X-MBX-USED-WEIGHT-1M"); got != "1" {
		t.Errorf("used weight in the next minute %s, want 1", got)
	}
}

// spend uses up n weight with pings and fails if any is refused.
func spend(t *testing.T, s *Server, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		if a := get(t, s, "/fapi/v1/ping", nil); a.status != http.StatusOK {
			t.Fatalf("ping %d: status %d", i, a.status)
		}
	}
}

func TestLimiter_TooManyThenBan(t *testing.T) {
	// 12:34:10.250: 49.75 s to the next minute.
	start := t0.Add(250 * time.Millisecond)
	s, clk := newTestServer(Config{WeightLimit: 10}, start)
	spend(t, s, 10)

	a := get(t, s, "/fapi/v1/klines", klinesQ("BTCUSDT", "1h", "limit", "1"))
	wantBody := `{"code":-1003,"msg":"Too many requests; current limit of IP(127.0.0.1) ` +
		`is 10 requests per minute. Please use the websocket for live updates to ` +
		`avoid polling the API."}`
	checkAnswer(t, "429", a, http.StatusTooManyRequests, "50", "10", wantBody)

	a = get(t, s, "/fapi/v1/ping", nil)
	until := start.Add(2 * time.Minute).UnixMilli()
	checkAnswer(t, "first 418", a, http.StatusTeapot, "120", "10", banBody(until))

	clk.Advance(30*time.Second + 500*time.Millisecond)
	a = get(t, s, "/fapi/v1/ping", nil)
	checkAnswer(t, "418 during the ban", a, http.StatusTeapot, "90", "10", banBody(until))

	clk.Set(time.UnixMilli(until))
	a = get(t, s, "/fapi/v1/ping", nil)
	checkAnswer(t, "after the ban", a, http.StatusOK, "", "1", "{}")

	for i, r := range s.Requests()[10:13] {
		if r.Weight != 0 {
			t.Errorf("refused request %d charged weight %d, want 0", i, r.Weight)
		}
	}
}

func banBody(until int64) string {
	return fmt.Sprintf(`{"code":-1003,"msg":"Way too much request weight used; IP `+
		`banned until %d. Please use the websocket for live updates to avoid bans."}`,
		until)
}

// checkAnswer compares status, Retry-After, the used weight and the body.
func checkAnswer(t *testing.T, step string, a answer, status int,
	retryAfter, used, body string) {
	t.Helper()
	if a.status != status {
		t.Errorf("%s: status %d, want %d", step, a.status, status)
	}
	if got := a.header.Get("Retry-After"); got != retryAfter {
		t.Errorf("%s: Retry-After %q, want %q", step, got, retryAfter)
	}
	if got := a.header.Get("X-MBX-USED-WEIGHT-1M"); got != used {
		t.Errorf("%s: used weight %q, want %q", step, got, used)
	}
	if string(a.body) != body {
		t.Errorf("%s: body %s\nwant %s", step, a.body, body)
	}
}

func TestLimiter_BanDoublesAndCaps(t *testing.T) {
	s, clk := newTestServer(Config{WeightLimit: 3, MaxBan: 10 * time.Minute}, t0)
	for i, want := range []time.Duration{2, 4, 8, 10, 10} {
		clk.Set(clk.Now().Truncate(time.Minute).Add(time.Minute))
		spend(t, s, 3)
		if a := get(t, s, "/fapi/v1/ping", nil); a.status != http.StatusTooManyRequests {
			t.Fatalf("offence %d: status %d, want 429", i+1, a.status)
		}
		a := get(t, s, "/fapi/v1/ping", nil)
		if a.status != http.StatusTeapot {
			t.Fatalf("offence %d: status %d, want 418", i+1, a.status)
		}
		wantSecs := strconv.Itoa(int((want * time.Minute).Seconds()))
		if got := a.header.Get("Retry-After"); got != wantSecs {
			t.Errorf("offence %d: Retry-After %s, want %s", i+1, got, wantSecs)
		}
		clk.Advance(want * time.Minute)
	}
}

func TestLimiter_DefaultCapIsThreeDays(t *testing.T) {
	l := newLimiter(Config{}.withDefaults())
	st := &ipState{offences: 40}
	now := t0
	if got, want := l.ban(st, now).Sub(now), 72*time.Hour; got != want {
		t.Errorf("ban after 40 offences %v, want %v", got, want)
	}
}

func TestLimiter_BanAfterTolerates(t *testing.T) {
	s, _ := newTestServer(Config{WeightLimit: 1, BanAfter: 2}, t0)
	want := []int{200, 429, 429, 418, 418}
	for i, w := range want {
		if a := get(t, s, "/fapi/v1/ping", nil); a.status != w {
			t.Errorf("request %d: status %d, want %d", i+1, a.status, w)
		}
	}
}

func TestServer_Ban(t *testing.T) {
	s, clk := newTestServer(Config{}, t0)
	until := t0.Add(5 * time.Minute)
	s.Ban(until)

	a := get(t, s, "/fapi/v1/klines", klinesQ("BTCUSDT", "1h"))
	checkAnswer(t, "banned", a, http.StatusTeapot, "300", "0", banBody(until.UnixMilli()))
	clk.Set(until)
	if a := get(t, s, "/fapi/v1/ping", nil); a.status != http.StatusOK {
		t.Errorf("after the ban: status %d, want 200", a.status)
	}

	reqs := s.Requests()
	if len(reqs) != 2 || reqs[0].Status != 418 || reqs[0].Weight != 0 {
		t.Errorf("log %+v, want a 418 charged nothing, then the ping", reqs)
	}
}

func TestServer_LogsBanOnce(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn}))
	s, _ := newTestServer(Config{WeightLimit: 1, Logger: logger}, t0)
	for range 4 {
		get(t, s, "/fapi/v1/ping", nil)
	}
	if n := strings.Count(buf.String(), "exchange banned ip"); n != 1 {
		t.Errorf("%d ban lines, want 1:\n%s", n, buf.String())
	}
}
