package daemon

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/kline"
)

func TestDaemon_SteadyStateCostsWeightOne(t *testing.T) {
	t.Parallel()
	// After the backfill, each run re-reads the open candle and the one
	// that just closed: limit 2, weight 1.
	tests := []struct {
		iv    kline.Interval
		keep  int
		start string
		next  string
	}{
		{"1m", 1000, "2024-01-01T10:00:03Z", "2024-01-01T10:01:03Z"},
		{"1h", 500, "2024-01-01T10:00:03Z", "2024-01-01T11:00:03Z"},
		{"1d", 1500, "2024-01-01T00:00:03Z", "2024-01-02T00:00:03Z"},
	}
	for _, tt := range tests {
		t.Run(string(tt.iv), func(t *testing.T) {
			e := newEnv(t, at(tt.start), setup{
				charts: []config.Klines{chart("BTCUSDT", tt.iv, tt.keep)}})
			if failed := e.once(); failed != 0 {
				t.Fatal("backfill failed")
			}
			for i, next := range []time.Time{at(tt.next), tt.iv.Add(at(tt.next), 1)} {
				e.clock.Set(next)
				before := e.mark()
				if err := e.run("BTCUSDT", tt.iv); err != nil {
					t.Fatal(err)
				}
				reqs := e.since(before)
				wantStart := strconv.FormatInt(tt.iv.Prev(tt.iv.OpenTime(next)).UnixMilli(), 10)
				if len(reqs) != 1 || query(reqs[0]).Get("limit") != "2" ||
					query(reqs[0]).Get("startTime") != wantStart || reqs[0].Weight != 1 {
					t.Errorf("run %d: %v, want one klines for 2 from %s at weight 1",
						i+1, describe(reqs), wantStart)
				}
				if snap := e.snapshot("BTCUSDT", tt.iv); snap.Count != tt.keep {
					t.Errorf("run %d: %d candles, want %d", i+1, snap.Count, tt.keep)
				}
			}
		})
	}
}

func TestDaemon_GapListedNotInventedNotRefetched(t *testing.T) {
	t.Parallel()
	gap := kline.Gap{From: at("2024-01-01T05:00:00Z").UnixMilli(),
		To: at("2024-01-01T07:00:00Z").UnixMilli()}
	e := newEnv(t, at("2024-01-01T12:00:03Z"), setup{
		markets: []exchange.Market{{Symbol: "BTCUSDT", Price: 100000, PricePrecision: 1,
			Gaps: []kline.Gap{gap}}},
		charts: []config.Klines{chart("BTCUSDT", "1h", 24)}})
	if failed := e.once(); failed != 0 {
		t.Fatal("backfill failed")
	}
	check := func(wantCount int) {
		t.Helper()
		snap := e.snapshot("BTCUSDT", "1h")
		if len(snap.Gaps) != 1 || snap.Gaps[0] != gap {
			t.Errorf("gaps %+v, want [%+v]", snap.Gaps, gap)
		}
		if snap.Count != wantCount {
			t.Errorf("%d candles, want %d", snap.Count, wantCount)
		}
		for _, c := range snap.Candles {
			if c.OpenTime >= gap.From && c.OpenTime <= gap.To {
				t.Errorf("candle invented in the gap at %d", c.OpenTime)
			}
		}
	}
	check(21) // 24 hours from 13:00 the day before, less the 3 missing

	before := e.mark()
	for _, now := range []string{"2024-01-01T13:00:03Z", "2024-01-01T14:00:03Z"} {
		e.clock.Set(at(now))
		if err := e.run("BTCUSDT", "1h"); err != nil {
			t.Fatal(err)
		}
	}
	for _, r := range e.since(before) {
		start, _ := strconv.ParseInt(query(r).Get("startTime"), 10, 64)
		if start <= gap.To {
			t.Errorf("request %s?%s asks again for the gap", r.Path, r.Query)
		}
	}
	check(23)
}

func TestDaemon_InterruptedBackfillResumes(t *testing.T) {
	t.Parallel()
	// A backfill of two pages fails on the second: nothing is published,
	// the first page is kept, and the next run asks only for the rest.
	start := at("2024-01-01T10:00:03Z")
	first := at("2024-01-01T10:00:00Z").Add(-2999 * time.Minute)
	var klines atomic.Int32
	e := newEnv(t, start, setup{
		charts: []config.Klines{chart("BTCUSDT", "1m", 3000)},
		handler: func(ex *exchange.Server) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if strings.HasSuffix(r.URL.Path, "/klines") && klines.Add(1) == 2 {
					ex.Inject(exchange.Fault{Path: r.URL.Path, Times: 1,
						Status: http.StatusBadGateway, Body: nginx502})
				}
				ex.ServeHTTP(w, r)
			})
		}})
	before := e.mark()
	if failed := e.once(); failed != 1 {
		t.Fatalf("%d failed, want 1", failed)
	}
	if got := klinesTo(e.since(before), "BTCUSDT"); len(got) != 2 || got[0].Status != 200 ||
		got[1].Status != http.StatusBadGateway {
		t.Fatalf("requests %v, want page 1 answered, page 2 failed", describe(got))
	}
	if _, err := os.Stat(filepath.Join(e.out, "BTCUSDT_1m.html")); err == nil {
		t.Error("a half backfill was published")
	}
	if js := e.jobStatus("BTCUSDT", "1m"); js.Candles != 0 {
		t.Errorf("status candles %d, want 0: nothing is published yet", js.Candles)
	}

	e.clock.Set(start.Add(10 * time.Second))
	before = e.mark()
	if err := e.run("BTCUSDT", "1m"); err != nil {
		t.Fatal(err)
	}
	got := klinesTo(e.since(before), "BTCUSDT")
	wantStart := strconv.FormatInt(first.Add(1500*time.Minute).UnixMilli(), 10)
	if len(got) != 1 || query(got[0]).Get("startTime") != wantStart ||
		query(got[0]).Get("limit") != "1500" {
		t.Errorf("resumed with %v, want one request for 1500 from %s", describe(got), wantStart)
	}
	snap := e.snapshot("BTCUSDT", "1m")
	if snap.Count != 3000 || snap.Candles[0].OpenTime != first.UnixMilli() || len(snap.Gaps) != 0 {
		t.Errorf("snapshot: %d candles from %d, gaps %v; want 3000 from %d, none",
			snap.Count, snap.Candles[0].OpenTime, snap.Gaps, first.UnixMilli())
	}
	if js := e.jobStatus("BTCUSDT", "1m"); js.Candles != 3000 {
		t.Errorf("status candles %d, want 3000", js.Candles)
	}
}

func TestDaemon_RestartRefillsClearedOutputFromCache(t *testing.T) {
	t.Parallel()
	// The output folder was wiped; a restarted daemon publishes the cached
	// series again, marked stale, before and without asking for candles.
	start := at("2024-01-01T10:00:03Z")
	e := newEnv(t, start, setup{charts: []config.Klines{chart("BTCUSDT", "1m", 30)}})
	if failed := e.once(); failed != 0 {
		t.Fatal("first run failed")
	}
	was := e.snapshot("BTCUSDT", "1m")
	if err := os.RemoveAll(e.out); err != nil {
		t.Fatal(err)
	}

	e.clock.Set(start.Add(20 * time.Second))
	e.start()
	before := e.mark()
	e.prepare()
	if got := e.since(before); len(klinesTo(got, "BTCUSDT")) != 0 {
		t.Errorf("refilling sent %v, want no klines request", describe(got))
	}
	snap := e.snapshot("BTCUSDT", "1m")
	if !snap.Stale || snap.StaleSince == nil || !snap.StaleSince.Equal(start) ||
		snap.FetchedAt == nil || !snap.FetchedAt.Equal(start) {
		t.Errorf("refilled snapshot stale=%v since %v fetched %v; want stale since %s",
			snap.Stale, snap.StaleSince, snap.FetchedAt, start)
	}
	if len(snap.Candles) != len(was.Candles) || snap.Candles[0] != was.Candles[0] ||
		snap.Candles[len(snap.Candles)-1] != was.Candles[len(was.Candles)-1] {
		t.Errorf("refilled %d candles, want the %d published before", len(snap.Candles),
			len(was.Candles))
	}
	if _, err := os.Stat(filepath.Join(e.out, "BTCUSDT_1m.html")); err != nil {
		t.Errorf("page not refilled: %v", err)
	}
}

func TestDaemon_StatusCountsWhatWasSent(t *testing.T) {
	t.Parallel()
	start := at("2024-01-01T10:00:03Z")
	e := newEnv(t, start, setup{charts: []config.Klines{chart("BTCUSDT", "1m", 600),
		chart("ETHUSDT", "1h", 100)}})
	e.once()
	e.tick(start.Add(time.Minute))
	reqs := e.ex.Requests()
	weight := 0
	for _, r := range reqs {
		weight += r.Weight
	}
	st := e.status()
	if st.Requests != int64(len(reqs)) || st.Weight != int64(weight) {
		t.Errorf("status says %d requests of weight %d, the exchange saw %d of %d",
			st.Requests, st.Weight, len(reqs), weight)
	}
}
