package daemon

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/fetch"
)

// banBody is the exchange's 418 body of case C01.
const banBody = `{"code":-1003,"msg":"Way too much request weight used; IP banned ` +
	`until 1700000123456. Please use the websocket for live updates to avoid bans."}`

func TestDaemon_BanStopsEveryJobUntilItEnds(t *testing.T) {
	t.Parallel()
	// C01: every call answers 418 with Retry-After 720 and a ban-until time
	// in the body. The pause lasts until the later of the two.
	banUntil := time.UnixMilli(1700000123456).UTC() // 2023-11-14T22:15:23.456Z
	tests := []struct {
		name  string
		start string // first, successful run; the ban comes a minute later
		want  time.Time
	}{
		{"Retry-After ends later", "2023-11-14T22:13:03Z", at("2023-11-14T22:26:03Z")},
		{"ban-until ends later", "2023-11-14T22:01:03Z", banUntil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			syms := []string{"BTCUSDT", "ETHUSDT"}
			e := newEnv(t, at(tt.start), setup{charts: []config.Klines{
				chart(syms[0], "1m", 60), chart(syms[1], "1m", 60)}})
			if failed := e.once(); failed != 0 {
				t.Fatalf("first run: %d failed", failed)
			}
			good := map[string]published{}
			for _, s := range syms {
				good[s] = e.files(s, "1m")
			}

			e.ex.Inject(exchange.Fault{Status: http.StatusTeapot, Body: banBody,
				Header: http.Header{"Retry-After": {"720"},
					"Content-Type": {"application/json"}}})
			before := e.mark()
			tick := at(tt.start).Add(time.Minute)
			e.tick(tick)
			if got := e.since(before); len(got) != 1 || got[0].Status != 418 {
				t.Fatalf("first tick of the ban sent %v, want one request answered 418",
					describe(got))
			}

			st := e.status()
			if st.Pause == nil || st.Pause.Kind != fetch.PauseBan ||
				!st.Pause.Until.Equal(tt.want) {
				t.Fatalf("status pause = %+v, want kind ban until %s", st.Pause, tt.want)
			}
			for _, s := range syms {
				js := e.jobStatus(s, "1m")
				if js.StaleSince == nil || !js.StaleSince.Equal(at(tt.start)) {
					t.Errorf("%s stale_since = %v, want the last success %s",
						s, js.StaleSince, tt.start)
				}
				if js.ErrorClass != fetch.ClassBanned {
					t.Errorf("%s error_class = %q, want %q", s, js.ErrorClass, fetch.ClassBanned)
				}
			}

			// Every minute until the ban ends: nothing sent, nothing
			// rewritten, nothing more logged as a warning.
			logMark := e.logs.mark()
			ticks := 0
			for tick = tick.Add(time.Minute); tick.Before(tt.want); tick = tick.Add(time.Minute) {
				e.tick(tick)
				ticks++
				if _, err := e.d.Once(e.ctx); !errors.Is(err, fetch.ErrPaused) {
					t.Fatalf("Once during the ban: err = %v, want ErrPaused", err)
				}
			}
			if ticks < 10 {
				t.Fatalf("only %d ticks inside the ban; the test lost its point", ticks)
			}
			if got := e.since(before); len(got) != 1 {
				t.Errorf("%d requests reached the exchange during the ban, want 1: %v",
					len(got), describe(got))
			}
			for _, s := range syms {
				if !e.files(s, "1m").equal(good[s]) {
					t.Errorf("%s files changed during the ban", s)
				}
				// Each tick fails, and so does each Once that cannot start.
				if js := e.jobStatus(s, "1m"); js.ConsecutiveFailures != 2*ticks+1 {
					t.Errorf("%s consecutive_failures = %d, want %d",
						s, js.ConsecutiveFailures, 2*ticks+1)
				}
			}
			if got := e.logs.since(logMark, slog.LevelWarn); len(got) != 0 {
				t.Errorf("%d warnings on the ticks after the first, want none:\n%s",
					len(got), strings.Join(got, "\n"))
			}

			// The ban is over: one ping first, then each job's own request.
			e.ex.ClearFaults()
			before = e.mark()
			e.tick(tick)
			got := e.since(before)
			if len(got) != 3 || !strings.HasSuffix(got[0].Path, "/ping") ||
				len(klinesTo(got, syms[0])) != 1 || len(klinesTo(got, syms[1])) != 1 {
				t.Fatalf("after the ban: %v, want ping then one klines per job",
					describe(got))
			}
			for _, r := range got {
				if r.Status != 200 || r.Weight != 1 {
					t.Errorf("after the ban: %s got %d at weight %d, want 200 at weight 1",
						r.Path, r.Status, r.Weight)
				}
			}
			st = e.status()
			if st.Pause != nil {
				t.Errorf("pause %+v still shown after the ban", st.Pause)
			}
			for _, s := range syms {
				js := e.jobStatus(s, "1m")
				if js.StaleSince != nil || js.ConsecutiveFailures != 0 || js.ErrorClass != "" {
					t.Errorf("%s after the ban: %+v, want fresh", s, js)
				}
				snap := e.snapshot(s, "1m")
				last := snap.Candles[len(snap.Candles)-1]
				if want := tick.Truncate(time.Minute).UnixMilli(); last.OpenTime != want {
					t.Errorf("%s newest candle opens %d, want %d", s, last.OpenTime, want)
				}
			}
		})
	}
}

// tooManyBody is the exchange's 429 body of case C02.
const tooManyBody = `{"code":-1003,"msg":"Too many requests; current limit of ` +
	`IP(127.0.0.1) is 2400 requests per minute."}`

func TestDaemon_RateLimitStopsTheRun(t *testing.T) {
	t.Parallel()
	// C02: the 3rd of 10 klines calls gets 429. The run stops at once, the
	// pause lasts until the next minute unless Retry-After says more, and a
	// second 429 right after the pause doubles it.
	start := at("2024-01-01T10:00:03Z")
	tests := []struct {
		name       string
		retryAfter []string // nil: no header
		first      time.Time
		second     time.Duration // the doubled pause, from the first's end
	}{
		{"Retry-After 0", []string{"0"}, at("2024-01-01T10:01:00.5Z"), 2 * time.Minute},
		{"no Retry-After", nil, at("2024-01-01T10:01:00.5Z"), 2 * time.Minute},
		{"Retry-After 90", []string{"90"}, start.Add(90 * time.Second), 180 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var markets []exchange.Market
			var charts []config.Klines
			var syms []string
			for i := 1; i <= 10; i++ {
				s := fmt.Sprintf("S%02dUSDT", i)
				syms = append(syms, s)
				markets = append(markets, exchange.Market{Symbol: s, Price: float64(i)})
				charts = append(charts, chart(s, "1m", 50))
			}
			e := newEnv(t, start, setup{markets: markets, charts: charts})
			h := http.Header{"Content-Type": {"application/json"}}
			if tt.retryAfter != nil {
				h["Retry-After"] = tt.retryAfter
			}
			e.ex.Inject(exchange.Fault{Path: "/fapi/v1/klines", Symbol: syms[2], Times: 1,
				Status: http.StatusTooManyRequests, Header: h, Body: tooManyBody})

			before := e.mark()
			if failed := e.once(); failed != 8 {
				t.Errorf("Once: %d failed, want 8 (the 3rd and every one after it)", failed)
			}
			var sent []string
			for _, r := range e.since(before) {
				if strings.HasSuffix(r.Path, "/klines") {
					sent = append(sent, query(r).Get("symbol"))
				}
			}
			if strings.Join(sent, " ") != strings.Join(syms[:3], " ") {
				t.Errorf("klines sent for %v, want only %v", sent, syms[:3])
			}
			st := e.status()
			if st.Pause == nil || st.Pause.Kind != fetch.PauseRateLimit ||
				!st.Pause.Until.Equal(tt.first) {
				t.Fatalf("pause = %+v, want rate_limit until %s", st.Pause, tt.first)
			}
			for _, s := range syms[3:] {
				js := e.jobStatus(s, "1m")
				if js.ErrorClass != fetch.ClassRateLimited || js.LastSuccess != nil {
					t.Errorf("%s: class %q, last success %v; want rate_limited, never",
						s, js.ErrorClass, js.LastSuccess)
				}
			}

			// Right after the pause, the light call gets 429 again.
			e.clock.Set(tt.first)
			e.ex.Inject(exchange.Fault{Times: 1, Status: http.StatusTooManyRequests,
				Header: h, Body: tooManyBody})
			before = e.mark()
			e.run(syms[3], "1m")
			e.run(syms[4], "1m")
			got := e.since(before)
			if len(got) != 1 || !strings.HasSuffix(got[0].Path, "/ping") {
				t.Errorf("after the pause: %v, want one ping", describe(got))
			}
			_, p := e.client.Budget().Snapshot()
			if want := tt.first.Add(tt.second); p == nil || !p.Until.Equal(want) {
				t.Errorf("second pause = %+v, want until %s (doubled)", p, want)
			}
		})
	}
}

func TestDaemon_SharedIPWeightWaitsForNextMinute(t *testing.T) {
	t.Parallel()
	// C03: another process on the IP spent most of the limit. The exchange's
	// X-MBX-USED-WEIGHT-1M is the truth, the limit comes from
	// exchangeInfo, and klines of limit 1000 weigh 5.
	start := at("2024-01-01T10:00:03Z")
	next := at("2024-01-01T10:01:00.5Z") // the next minute, settled
	tests := []struct {
		name  string
		limit int    // the exchange's REQUEST_WEIGHT per minute
		used  string // what the first answer says the IP used
		wait  bool
	}{
		{"2300 of 2400 used", 2400, "2300", true},
		{"1500 of 2400 used", 2400, "1500", false},
		{"1500 of 1200 used", 1200, "1500", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var markets []exchange.Market
			var charts []config.Klines
			for i := 1; i <= 10; i++ {
				s := fmt.Sprintf("S%02dUSDT", i)
				markets = append(markets, exchange.Market{Symbol: s, Price: float64(i)})
				charts = append(charts, chart(s, "1m", 1000))
			}
			e := newEnv(t, start, setup{markets: markets, charts: charts,
				weightLimit: tt.limit})
			e.prepare()
			if b, _ := e.client.Budget().Snapshot(); b.Limit != tt.limit {
				t.Fatalf("budget limit %d, want %d from exchangeInfo", b.Limit, tt.limit)
			}

			// The first job's answer is the exchange's own, but it reports
			// the IP's weight as the other process left it.
			body := e.truth("S01USDT", "1m", start.Truncate(time.Minute).Add(-999*time.Minute),
				1000)
			e.ex.Inject(exchange.Fault{Path: "/fapi/v1/klines", Symbol: "S01USDT", Times: 1,
				Status: 200, Body: string(body), Header: http.Header{
					"Content-Type": {"application/json"}, "X-Mbx-Used-Weight-1m": {tt.used}}})
			before := e.mark()
			for _, j := range e.d.jobs {
				if err := e.d.runJob(e.ctx, j); err != nil {
					t.Fatalf("%s: %v", j.cfg.Name(), err)
				}
			}

			got := e.since(before)
			if len(got) != 10 {
				t.Fatalf("%d requests, want 10: %v", len(got), describe(got))
			}
			for i, r := range got {
				wantAt := start
				if tt.wait && i > 0 {
					wantAt = next
				}
				if !r.Time.Equal(wantAt) || r.Status != 200 {
					t.Errorf("request %d sent at %s with %d, want at %s with 200",
						i+1, r.Time.Format(time.RFC3339Nano), r.Status, wantAt)
				}
				if i > 0 && r.Weight != 5 {
					t.Errorf("request %d weighed %d, want 5 for limit 1000", i+1, r.Weight)
				}
			}
			waits := 0
			for _, l := range e.logs.since(0, slog.LevelWarn) {
				if strings.Contains(l, "waiting for the next minute") {
					waits++
				}
			}
			if want := map[bool]int{true: 1, false: 0}[tt.wait]; waits != want {
				t.Errorf("%d waits logged, want %d", waits, want)
			}
		})
	}
}
