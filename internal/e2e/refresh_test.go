package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/kline"
	"snapshotter/internal/render"
	"snapshotter/internal/status"
)

// watchEvery is the refresh the watched pages are given with ?refresh=,
// in seconds: a 1m chart checks every 15 s on its own, so a minute at 2 s
// is as many checks as eight minutes of a real viewer.
const watchEvery = 2

// redrawWithin bounds the wait for a page to show what was just
// published: a few of its checks, with room for a loaded machine.
const redrawWithin = 15 * time.Second

// watchFor is how long the pages stay open: a minute, or 15 seconds with
// go test -short.
func watchFor() time.Duration {
	if testing.Short() {
		return 15 * time.Second
	}
	return time.Minute
}

// watching is a few pages left open, refreshing themselves.
type watching struct {
	b     *browser
	n     *nginxServer
	s     *site
	start time.Time
	tabs  map[string]*tab // by URL path
}

// watchedPaths are the index and two 1-minute charts, one of them with a
// name that is not ASCII.
var watchedPaths = []string{"/", "/BTCUSDT_1m.html", "/" + urlPath("币安人生USDT_1m") + ".html"}

// startWatching opens the watched pages, each in its own window.
func startWatching(t *testing.T, b *browser, n *nginxServer, s *site) *watching {
	t.Helper()
	w := &watching{b: b, n: n, s: s, start: time.Now(), tabs: map[string]*tab{}}
	for _, p := range watchedPaths {
		tb := b.open(t)
		tb.navigate(t, fmt.Sprintf("%s%s?refresh=%d", n.url, p, watchEvery))
		every := waitFor[int](t, tb, `window.snapshotter && snapshotter.every`, 5*time.Second)
		if every != watchEvery {
			t.Fatalf("%s refreshes every %d s, want %d from ?refresh=", p, every, watchEvery)
		}
		if v := eval[string](t, tb, `document.visibilityState`); v != "visible" {
			t.Fatalf("%s is %s: a hidden page does not refresh itself", p, v)
		}
		w.tabs[p] = tb
	}
	return w
}

// finish imitates the daemon's publishing under the open pages, then waits
// for the minute to end and counts what the pages did.
func (w *watching) finish(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	js, _ := echartsScript(t)
	r, err := render.New(render.Options{Dir: w.s.public, Location: loc, EChartsJS: js})
	if err != nil {
		t.Fatal(err)
	}

	// A new version of a chart: it redraws in place with the new candles.
	btc := readSeries(t, w.s, "BTCUSDT_1m")
	btc.Candles = btc.Candles[1:]
	if err := r.Series(btc, render.SeriesMeta{FetchedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	tb := w.tabs["/BTCUSDT_1m.html"]
	waitFor[bool](t, tb, fmt.Sprintf("snapshotter.updates >= 1 && %s === %d",
		chartJS("kline"), len(btc.Candles)), redrawWithin)
	checkAge(t, tb)

	// A chart whose data stopped ten minutes ago: the stale banner shows.
	cjk := readSeries(t, w.s, "币安人生USDT_1m")
	old := time.Now().Add(-10 * time.Minute)
	if err := r.Series(cjk, render.SeriesMeta{FetchedAt: old}); err != nil {
		t.Fatal(err)
	}
	tb = w.tabs[watchedPaths[2]]
	waitFor[bool](t, tb, `!document.getElementById('live-stale').hidden &&
		document.getElementById('live-stale').offsetHeight > 0`, redrawWithin)
	tb.screenshot(t, "stale-chart", false, artifacts(t))

	// A daemon silent for three hours: the index says so, and every job,
	// the hourly ones too, is overdue.
	st := readStatus(t, w.s)
	shift(&st, -3*time.Hour)
	if err := r.Status(st); err != nil {
		t.Fatal(err)
	}
	tb = w.tabs["/"]
	overdue := waitFor[int](t, tb, `document.querySelector('.stale-banner:not([hidden])') &&
		document.querySelectorAll('.badge.stale:not([hidden])').length`, redrawWithin)
	if overdue < len(w.s.charts)-1 {
		t.Errorf("%d jobs shown overdue, want %d", overdue, len(w.s.charts)-1)
	}
	tb.screenshot(t, "stale-index", true, artifacts(t))

	if left := watchFor() - time.Since(w.start); left > 0 {
		time.Sleep(left)
	}
	w.count(t)
}

// count checks each page's own tally of checks against the time it was
// open and against nginx's log, and that it did nothing else.
func (w *watching) count(t *testing.T) {
	open := time.Since(w.start)
	want := int(open/(watchEvery*time.Second)) * 2 / 3
	log := w.n.accessLog(t)
	for _, p := range watchedPaths {
		tb := w.tabs[p]
		got := eval[tally](t, tb, `({checks: snapshotter.checks,
			updates: snapshotter.updates, failures: snapshotter.failures})`)
		served, notModified := logged(log, p)
		t.Logf("%s open %v: %d checks, %d updates, %d failures; nginx: %d answers, "+
			"%d of them 304", p, open.Round(time.Second), got.Checks, got.Updates, got.Failures,
			served, notModified)
		if got.Checks < want {
			t.Errorf("%s checked %d times in %v, want at least %d", p, got.Checks, open, want)
		}
		if got.Failures > 0 {
			t.Errorf("%s: %d checks failed", p, got.Failures)
		}
		if got.Updates < 1 {
			t.Errorf("%s never took the new version", p)
		}
		// The page's own load, then one request per check.
		if served < got.Checks {
			t.Errorf("%s: nginx answered %d times, fewer than the page's %d checks",
				p, served, got.Checks)
		}
		tb.check(t, w.n)
	}
}

// tally is what a page's script "live" counted.
type tally struct {
	Checks   int `json:"checks"`
	Updates  int `json:"updates"`
	Failures int `json:"failures"`
}

// logged counts nginx's answers for a path, and the 304s among them.
func logged(log []string, path string) (served, notModified int) {
	re := regexp.MustCompile(`"GET ` + regexp.QuoteMeta(path) + `(\?[^ ]*)? HTTP/1\.1" (\d+)`)
	for _, l := range log {
		if m := re.FindStringSubmatch(l); m != nil {
			served++
			if m[2] == "304" {
				notModified++
			}
		}
	}
	return served, notModified
}

// readSeries reads a published snapshot back as a series.
func readSeries(t *testing.T, s *site, name string) kline.Series {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.public, "data", "klines", name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var snap struct {
		Symbol   string         `json:"symbol"`
		Interval kline.Interval `json:"interval"`
		Gaps     []kline.Gap    `json:"gaps"`
		Candles  []kline.Candle `json:"candles"`
	}
	if err := json.Unmarshal(b, &snap); err != nil {
		t.Fatalf("snapshot %s: %v", name, err)
	}
	if len(snap.Candles) < 2 || !strings.HasPrefix(name, snap.Symbol) {
		t.Fatalf("snapshot %s holds %d candles of %s", name, len(snap.Candles), snap.Symbol)
	}
	return kline.Series{Symbol: snap.Symbol, Interval: snap.Interval, Gaps: snap.Gaps,
		Candles: snap.Candles}
}

// readStatus reads the published status.
func readStatus(t *testing.T, s *site) status.Status {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.public, "data", "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st status.Status
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("status.json: %v", err)
	}
	return st
}

// shift moves every time of a status by d, as if it had been written d
// earlier.
func shift(st *status.Status, d time.Duration) {
	st.GeneratedAt = st.GeneratedAt.Add(d)
	move := func(p *time.Time) *time.Time {
		if p == nil {
			return nil
		}
		m := p.Add(d)
		return &m
	}
	for i := range st.Jobs {
		j := &st.Jobs[i]
		j.LastRun, j.LastSuccess, j.NextRun = move(j.LastRun), move(j.LastSuccess),
			move(j.NextRun)
	}
}
