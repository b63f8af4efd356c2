package daemon

import (
	"bytes"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/fetch"
	"snapshotter/internal/kline"
	"snapshotter/internal/render"
)

// nginx502 is the proxy's page of case C06.
const nginx502 = `<html><head><title>502 Bad Gateway</title></head><body><center>` +
	`<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`

func TestDaemon_ServerErrorKeepsThatChartOnly(t *testing.T) {
	t.Parallel()
	// C06: klines for ETHUSDT answer an HTML 502 while the others succeed.
	start := at("2024-01-01T10:00:03Z")
	syms := []string{"BTCUSDT", "ETHUSDT", "ASTERUSDT"}
	e := newEnv(t, start, setup{charts: []config.Klines{chart(syms[0], "1m", 20),
		chart(syms[1], "1m", 20), chart(syms[2], "1m", 20)}})
	if failed := e.once(); failed != 0 {
		t.Fatalf("first run: %d failed", failed)
	}
	good := map[string]published{}
	for _, s := range syms {
		good[s] = e.files(s, "1m")
	}

	e.ex.Inject(exchange.Fault{Path: "/fapi/v1/klines", Symbol: "ETHUSDT",
		Status: http.StatusBadGateway, Body: nginx502,
		Header: http.Header{"Content-Type": {"text/html"}}})
	for run := 1; run <= 2; run++ {
		e.clock.Set(start.Add(time.Duration(run) * time.Minute))
		before := e.mark()
		if failed := e.once(); failed != 1 {
			t.Errorf("run %d: %d failed, want 1", run, failed)
		}
		if n := len(klinesTo(e.since(before), "ETHUSDT")); n != 1 {
			t.Errorf("run %d: %d ETHUSDT requests, want 1 (tried again each run)", run, n)
		}
		if !e.files("ETHUSDT", "1m").equal(good["ETHUSDT"]) {
			t.Errorf("run %d: ETHUSDT files changed", run)
		}
		for _, s := range []string{"BTCUSDT", "ASTERUSDT"} {
			got := e.files(s, "1m")
			if bytes.Equal(got.json, good[s].json) || bytes.Equal(got.html, good[s].html) {
				t.Errorf("run %d: %s files not rewritten", run, s)
			}
			good[s] = got
		}
		st := e.status()
		if st.Pause != nil {
			t.Errorf("run %d: pause %+v after a 502, want none", run, st.Pause)
		}
		js := e.jobStatus("ETHUSDT", "1m")
		if js.ConsecutiveFailures != run || js.ErrorClass != fetch.ClassServer ||
			!strings.Contains(js.LastError, "502 Bad Gateway") {
			t.Errorf("run %d: ETHUSDT failures %d, class %q, error %q; want %d, server, "+
				"the page's title", run, js.ConsecutiveFailures, js.ErrorClass, js.LastError, run)
		}
		if js.StaleSince == nil || !js.StaleSince.Equal(start) {
			t.Errorf("run %d: ETHUSDT stale_since %v, want %s", run, js.StaleSince, start)
		}
	}

	e.ex.ClearFaults()
	e.clock.Set(start.Add(3 * time.Minute))
	if failed := e.once(); failed != 0 {
		t.Fatalf("after the fault: %d failed", failed)
	}
	js := e.jobStatus("ETHUSDT", "1m")
	if js.ConsecutiveFailures != 0 || js.ErrorClass != "" || js.StaleSince != nil {
		t.Errorf("ETHUSDT after the fault: %+v, want fresh", js)
	}
	snap := e.snapshot("ETHUSDT", "1m")
	if last := snap.Candles[len(snap.Candles)-1]; last.OpenTime !=
		start.Add(3*time.Minute).Truncate(time.Minute).UnixMilli() || snap.Count != 20 {
		t.Errorf("ETHUSDT snapshot: %d candles, newest %d; want 20 up to 10:03",
			snap.Count, last.OpenTime)
	}
}

func TestDaemon_EmptyAnswerForNewSymbol(t *testing.T) {
	t.Parallel()
	// C07: a brand-new symbol has no candles yet: the snapshot says so.
	start := at("2024-01-01T10:00:03Z")
	tests := []struct {
		name   string
		market exchange.Market
		fault  bool // answer [] by a scripted fault rather than by the market
	}{
		{"listed in an hour", exchange.Market{Symbol: "NEWUSDT", Price: 2,
			Listed: start.Add(time.Hour)}, false},
		{"injected []", exchange.Market{Symbol: "NEWUSDT", Price: 2}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t, start, setup{markets: []exchange.Market{tt.market},
				charts: []config.Klines{chart("NEWUSDT", "1m", 100)}})
			if tt.fault {
				e.ex.Inject(exchange.Fault{Path: "/fapi/v1/klines", Status: 200, Body: "[]"})
			}
			if failed := e.once(); failed != 0 {
				t.Fatalf("%d failed, want 0", failed)
			}
			snap := e.snapshot("NEWUSDT", "1m")
			if snap.Count != 0 || snap.Candles == nil || len(snap.Candles) != 0 {
				t.Errorf("count %d, candles %v; want 0 and []", snap.Count, snap.Candles)
			}
			if !bytes.Contains(e.files("NEWUSDT", "1m").json, []byte(`"candles": []`)) {
				t.Error(`snapshot lacks "candles": []`)
			}
			js := e.jobStatus("NEWUSDT", "1m")
			if js.LastSuccess == nil || js.ErrorClass != "" || js.Candles != 0 {
				t.Errorf("status %+v, want a success with 0 candles", js)
			}
		})
	}
}

// panicky publishes through the real renderer but panics on one symbol.
type panicky struct {
	Publisher
	symbol string
}

func (p panicky) Series(s kline.Series, m render.SeriesMeta) error {
	if s.Symbol == p.symbol {
		var none []kline.Candle
		_ = none[0] // the bug of case C07: element 0 of nothing
	}
	return p.Publisher.Series(s, m)
}

func TestDaemon_PanicInOneJobSparesTheOthers(t *testing.T) {
	t.Parallel()
	// C07: a job that panics is reported, and the jobs after it still run.
	e := newEnv(t, at("2024-01-01T10:00:03Z"), setup{
		charts: []config.Klines{chart("BTCUSDT", "1m", 10), chart("ETHUSDT", "1m", 10),
			chart("ASTERUSDT", "1m", 10)},
		wrap: func(p Publisher) Publisher { return panicky{p, "ETHUSDT"} }})
	if failed := e.once(); failed != 1 {
		t.Errorf("%d failed, want 1", failed)
	}
	js := e.jobStatus("ETHUSDT", "1m")
	if js.ErrorClass != fetch.ClassInternal || !strings.Contains(js.LastError, "panic") ||
		js.ConsecutiveFailures != 1 {
		t.Errorf("ETHUSDT status %+v, want class internal naming the panic", js)
	}
	if _, err := os.Stat(filepath.Join(e.out, "ETHUSDT_1m.html")); err == nil {
		t.Error("ETHUSDT page published despite the panic")
	}
	for _, s := range []string{"BTCUSDT", "ASTERUSDT"} {
		if js := e.jobStatus(s, "1m"); js.LastSuccess == nil || js.ErrorClass != "" {
			t.Errorf("%s status %+v, want a success", s, js)
		}
		if snap := e.snapshot(s, "1m"); snap.Count != 10 {
			t.Errorf("%s snapshot holds %d candles, want 10", s, snap.Count)
		}
	}
	if e.job("ETHUSDT", "1m").running.Load() {
		t.Error("the panicked job is still marked running; it would skip forever")
	}
}

func TestDaemon_OpenCandleReplacedOnePerOpenTime(t *testing.T) {
	t.Parallel()
	// C08, C09: at 12:34:10 the 12:00 hour is still open; the run at
	// 13:00:03 replaces it, and a page with a duplicate yields one row.
	e := newEnv(t, at("2024-01-01T12:34:10Z"), setup{
		charts: []config.Klines{chart("BTCUSDT", "1h", 24)}})
	if failed := e.once(); failed != 0 {
		t.Fatal("first run failed")
	}
	snap := e.snapshot("BTCUSDT", "1h")
	last := snap.Candles[len(snap.Candles)-1]
	if last.OpenTime != 1704110400000 || last.CloseTime != 1704113999999 || last.Closed {
		t.Fatalf("newest candle %+v, want the open 12:00 hour, closed:false", last)
	}

	t.Run("closed version replaces the open one", func(t *testing.T) {
		now := at("2024-01-01T13:00:03Z")
		e.clock.Set(now)
		before := e.mark()
		if err := e.run("BTCUSDT", "1h"); err != nil {
			t.Fatal(err)
		}
		reqs := e.since(before)
		if len(reqs) != 1 || query(reqs[0]).Get("startTime") != "1704110400000" ||
			query(reqs[0]).Get("limit") != "2" {
			t.Fatalf("requests %v, want one for 2 candles from 12:00", describe(reqs))
		}
		want, err := kline.ParseRows(e.truth("BTCUSDT", "1h", at("2024-01-01T12:00:00Z"), 2), now)
		if err != nil {
			t.Fatal(err)
		}
		checkTail(t, e.snapshot("BTCUSDT", "1h"), 24, want)
	})

	t.Run("duplicate open time in one page", func(t *testing.T) {
		now := at("2024-01-01T14:00:03Z")
		e.clock.Set(now)
		fresh, err := kline.ParseRows(e.truth("BTCUSDT", "1h", at("2024-01-01T13:00:00Z"), 2), now)
		if err != nil {
			t.Fatal(err)
		}
		older := fresh[0]
		older.Close, older.Closed = "1.0", false
		page := []kline.Candle{older, fresh[0], fresh[1]}
		e.ex.Inject(exchange.Fault{Path: "/fapi/v1/klines", Times: 1, Status: 200,
			Body: rows(t, page)})
		if err := e.run("BTCUSDT", "1h"); err != nil {
			t.Fatal(err)
		}
		checkTail(t, e.snapshot("BTCUSDT", "1h"), 24, fresh)
	})
}

// checkTail checks that snap holds n candles, strictly ascending, ending
// with tail exactly.
func checkTail(t *testing.T, snap snapshot, n int, tail []kline.Candle) {
	t.Helper()
	if snap.Count != n || len(snap.Candles) != n {
		t.Errorf("%d candles (count %d), want %d", len(snap.Candles), snap.Count, n)
	}
	for i := 1; i < len(snap.Candles); i++ {
		if snap.Candles[i].OpenTime <= snap.Candles[i-1].OpenTime {
			t.Fatalf("candle %d opens %d after %d: not strictly ascending",
				i, snap.Candles[i].OpenTime, snap.Candles[i-1].OpenTime)
		}
	}
	got := snap.Candles[len(snap.Candles)-len(tail):]
	for i := range tail {
		if got[i] != tail[i] {
			t.Errorf("candle opening %d = %+v, want %+v", tail[i].OpenTime, got[i], tail[i])
		}
	}
}

func TestDaemon_EmptyAnswerForCurrentCandleRefused(t *testing.T) {
	t.Parallel()
	// C10: an empty answer for a range that must hold the open candle is
	// an error and overwrites nothing.
	start := at("2024-01-01T10:00:03Z")
	e := newEnv(t, start, setup{charts: []config.Klines{chart("BTCUSDT", "1m", 30)}})
	if failed := e.once(); failed != 0 {
		t.Fatal("first run failed")
	}
	good := e.files("BTCUSDT", "1m")
	cached, err := e.store.Load("BTCUSDT", "1m")
	if err != nil {
		t.Fatal(err)
	}

	e.clock.Set(start.Add(time.Minute))
	e.ex.Inject(exchange.Fault{Path: "/fapi/v1/klines", Times: 1, Status: 200, Body: "[]"})
	err = e.run("BTCUSDT", "1m")
	if got := fetch.ClassOf(err); got != fetch.ClassBadAnswer {
		t.Errorf("err %v of class %q, want bad_answer", err, got)
	}
	if !e.files("BTCUSDT", "1m").equal(good) {
		t.Error("published files changed after an empty answer")
	}
	now, err := e.store.Load("BTCUSDT", "1m")
	if err != nil {
		t.Fatal(err)
	}
	if len(now.Series.Gaps) != 0 || len(now.Series.Candles) != len(cached.Series.Candles) ||
		now.Series.Covered != cached.Series.Covered {
		t.Errorf("cache changed: %d candles, gaps %v, covered %d; want %d, none, %d",
			len(now.Series.Candles), now.Series.Gaps, now.Series.Covered,
			len(cached.Series.Candles), cached.Series.Covered)
	}
	if js := e.jobStatus("BTCUSDT", "1m"); js.ErrorClass != fetch.ClassBadAnswer {
		t.Errorf("status class %q, want bad_answer", js.ErrorClass)
	}

	// The next run asks for the same range and takes the real answer.
	if err := e.run("BTCUSDT", "1m"); err != nil {
		t.Fatal(err)
	}
	snap := e.snapshot("BTCUSDT", "1m")
	last := snap.Candles[len(snap.Candles)-1]
	if want := at("2024-01-01T10:01:00Z").UnixMilli(); last.OpenTime != want ||
		len(snap.Gaps) != 0 {
		t.Errorf("after retry: newest %d, gaps %v; want %d and none",
			last.OpenTime, snap.Gaps, want)
	}
}

// gate blocks the first Series call for one symbol until released.
type gate struct {
	Publisher
	symbol  string
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func (g *gate) Series(s kline.Series, m render.SeriesMeta) error {
	if s.Symbol == g.symbol {
		g.once.Do(func() {
			close(g.entered)
			<-g.release
		})
	}
	return g.Publisher.Series(s, m)
}

func TestDaemon_SlowJobSkipsOnlyItsOwnTick(t *testing.T) {
	t.Parallel()
	// C16: a tick of a job whose previous run is still going is skipped and
	// counted; another job runs as usual.
	g := &gate{symbol: "BTCUSDT", entered: make(chan struct{}), release: make(chan struct{})}
	e := newEnv(t, at("2024-01-01T10:00:03Z"), setup{
		charts: []config.Klines{chart("BTCUSDT", "1m", 10), chart("ETHUSDT", "1m", 10)},
		wrap:   func(p Publisher) Publisher { g.Publisher = p; return g }})
	e.prepare()

	done := make(chan error)
	go func() { done <- e.run("BTCUSDT", "1m") }()
	<-g.entered // the slow run is publishing
	before := e.mark()
	if err := e.run("BTCUSDT", "1m"); err != nil {
		t.Errorf("skipped tick: err %v, want nil", err)
	}
	if err := e.run("ETHUSDT", "1m"); err != nil {
		t.Errorf("other job: %v", err)
	}
	reqs := e.since(before)
	if len(klinesTo(reqs, "BTCUSDT")) != 0 || len(klinesTo(reqs, "ETHUSDT")) != 1 {
		t.Errorf("while the slow run went on: %v, want one ETHUSDT request only",
			describe(reqs))
	}
	if js := e.jobStatus("BTCUSDT", "1m"); js.Skips != 1 {
		t.Errorf("BTCUSDT skips = %d, want 1", js.Skips)
	}
	if js := e.jobStatus("ETHUSDT", "1m"); js.Skips != 0 || js.LastSuccess == nil {
		t.Errorf("ETHUSDT status %+v, want a success and no skips", js)
	}
	close(g.release)
	if err := <-done; err != nil {
		t.Fatalf("slow run: %v", err)
	}
	js := e.jobStatus("BTCUSDT", "1m")
	if js.Skips != 1 || js.LastSuccess == nil || js.ConsecutiveFailures != 0 {
		t.Errorf("BTCUSDT after its slow run: %+v, want a success and 1 skip", js)
	}
}

func TestDaemon_RefusedSymbolDisabledForGood(t *testing.T) {
	t.Parallel()
	// The exchange refuses a chart's klines outright (-1121 or -1120): the
	// job stops with one warning and sends nothing more, even though
	// exchangeInfo still lists the symbol.
	tests := []struct {
		name, body, want string
	}{
		{"unknown symbol", `{"code":-1121,"msg":"Invalid symbol."}`, "Invalid symbol."},
		{"bad interval", `{"code":-1120,"msg":"Invalid interval."}`, "Invalid interval."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := at("2024-01-01T10:00:03Z")
			e := newEnv(t, start, setup{charts: []config.Klines{chart("BTCUSDT", "1m", 10),
				chart("ETHUSDT", "1m", 10)}})
			e.ex.Inject(exchange.Fault{Path: "/fapi/v1/klines", Symbol: "ETHUSDT",
				Status: http.StatusBadRequest, Body: tt.body})
			if failed := e.once(); failed != 1 {
				t.Errorf("first run: %d failed, want 1", failed)
			}
			before := e.mark()
			for i := 1; i <= 3; i++ {
				e.clock.Set(start.Add(time.Duration(i) * time.Minute))
				if failed := e.once(); failed != 0 {
					t.Errorf("run %d: %d failed, want 0", i, failed)
				}
				e.d.refreshInfo(e.ctx)
				e.tick(e.clock.Now())
			}
			if n := len(klinesTo(e.since(before), "ETHUSDT")); n != 0 {
				t.Errorf("%d ETHUSDT requests after it was disabled, want 0", n)
			}
			if n := len(klinesTo(e.since(before), "BTCUSDT")); n != 6 {
				t.Errorf("%d BTCUSDT requests, want 6", n)
			}
			js := e.jobStatus("ETHUSDT", "1m")
			if !strings.Contains(js.Disabled, tt.want) || js.NextRun != nil {
				t.Errorf("status disabled %q, next run %v; want the reason %q and none",
					js.Disabled, js.NextRun, tt.want)
			}
			warned := 0
			for _, l := range e.logs.since(0, slog.LevelWarn) {
				if strings.Contains(l, "ETHUSDT") {
					warned++
				}
			}
			if warned != 1 {
				t.Errorf("%d warnings about ETHUSDT, want 1", warned)
			}
		})
	}
}

func TestDaemon_NonASCIISymbolEndToEnd(t *testing.T) {
	t.Parallel()
	const sym = "币安人生USDT"
	const escaped = "%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT_1m"
	e := newEnv(t, at("2024-01-01T10:00:03Z"), setup{
		charts: []config.Klines{chart(sym, "1m", 30)}})
	if failed := e.once(); failed != 0 {
		t.Fatal("run failed")
	}
	for _, p := range []string{"币安人生USDT_1m.html", "data/klines/币安人生USDT_1m.json"} {
		if _, err := os.Stat(filepath.Join(e.out, filepath.FromSlash(p))); err != nil {
			t.Errorf("%s: %v", p, err)
		}
	}
	snap := e.snapshot(sym, "1m")
	if snap.Symbol != sym || snap.Count != 30 {
		t.Errorf("snapshot %s with %d candles, want %s with 30", snap.Symbol, snap.Count, sym)
	}
	index, err := os.ReadFile(filepath.Join(e.out, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="` + escaped + `.html"`,
		`href="data/klines/` + escaped + `.json"`} {
		if !bytes.Contains(index, []byte(want)) {
			t.Errorf("index.html lacks %s", want)
		}
	}
	js := e.jobStatus(sym, "1m")
	if js.Page != escaped+".html" || js.Data != "data/klines/"+escaped+".json" {
		t.Errorf("status page %q, data %q; want percent-encoded", js.Page, js.Data)
	}
	reqs := klinesTo(e.ex.Requests(), sym)
	if len(reqs) != 1 || reqs[0].Status != 200 {
		t.Errorf("klines requests %v, want one answered 200", describe(reqs))
	}
}
