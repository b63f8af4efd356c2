package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// maxInline is the most candles a chart page draws (render.maxInline).
const maxInline = 3000

// TestBrowser_Pages opens every page of a site in Chromium through nginx:
// the charts of the demo, the index and the largest chart the
// configuration allows, in a light and a dark theme, wide and on a phone.
// Meanwhile three pages stay open for a minute refreshing themselves
// every two seconds, and the daemon's next publish is imitated under them.
// Not one request may reach the exchange, and the browser may reach
// nothing but the nginx on loopback.
func TestBrowser_Pages(t *testing.T) {
	nginxPath(t)
	chromiumPath(t)
	if _, real := echartsScript(t); !real {
		t.Skip("web/node_modules/echarts is missing (run make assets): " +
			"skipping the browser tests, which need the real chart script")
	}
	s := newSite(t, append(slices.Clone(demoCharts), largest), "Asia/Shanghai")
	n := startNginx(t, s.public)
	b := newBrowser(t)
	shots, docs := artifacts(t), docShots(t)
	upstream := s.requests()

	w := startWatching(t, b, n, s)
	for _, p := range s.pages(t) {
		t.Run(p.name, func(t *testing.T) { checkChartPage(t, b, n, s, p, shots, docs) })
	}
	t.Run("index", func(t *testing.T) { checkIndex(t, b, n, s, shots, docs) })
	t.Run("largest chart", func(t *testing.T) { measureLargest(t, b, n, s) })
	t.Run("a minute of refreshing", func(t *testing.T) { w.finish(t) })

	if got := s.requests(); got != upstream {
		t.Errorf("the exchange got %d requests while the browser had the pages open, want 0",
			got-upstream)
	}
	if a := b.refused.attempts(); len(a) > 0 {
		t.Errorf("the browser tried to reach beyond loopback: %v", a)
	}
	t.Logf("the browser's own calls, refused on loopback: %v", b.refused.refused())
}

// checkChartPage opens one chart page and checks it as a viewer would see
// it, then keeps screenshots of it wide and light, wide and dark, and on a
// phone.
func checkChartPage(t *testing.T, b *browser, n *nginxServer, s *site, p page,
	shots, docs string) {
	tb := b.open(t)
	tb.navigate(t, n.url+p.url)

	want := min(p.candles, maxInline)
	got := waitFor[int](t, tb, chartJS("kline")+" > 0 && "+chartJS("kline"), 15*time.Second)
	if got != want {
		t.Errorf("chart holds %d candles, want %d", got, want)
	}
	vols := eval[int](t, tb, `echarts.getInstanceByDom(document.getElementById('kline'))
		.getOption().series[1].data.length`)
	if vols != want {
		t.Errorf("volume panel holds %d bars, want %d", vols, want)
	}
	ink := waitFor[float64](t, tb, inkJS+" > 0.01 && "+inkJS, 10*time.Second)
	t.Logf("%d candles drawn, %.0f%% of the canvas inked", got, ink*100)

	checkAge(t, tb)
	if !eval[bool](t, tb, `document.getElementById('live-stale').hidden`) {
		t.Error("fresh data shows the stale banner")
	}
	checkTooltip(t, tb, s, p)

	name := strings.ReplaceAll(p.name, "/", "_")
	tb.screenshot(t, name, false, shots)
	tb.scheme(t, "dark")
	time.Sleep(200 * time.Millisecond) // the restyle runs on the media change
	tb.screenshot(t, name+"-dark", false, shots)
	if p.name == largest.symbol+"_"+string(largest.iv) {
		tb.screenshot(t, "history-dark", true, docs)
	}
	tb.check(t, n)

	// A phone opens the page at its own size.
	phone := b.open(t)
	if err := chromedp.Do(phone.ctx,
		chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	phone.navigate(t, n.url+p.url)
	waitFor[bool](t, phone, inkJS+" > 0.01", 10*time.Second)
	shown := eval[int](t, phone, `(function () {
		var z = echarts.getInstanceByDom(document.getElementById('kline')).getOption().dataZoom[0];
		return z.endValue - z.startValue + 1;
	})()`)
	if shown != min(60, want) {
		t.Errorf("a phone shows %d candles at first, want the newest %d", shown, min(60, want))
	}
	phone.screenshot(t, name+"-phone", false, shots)
	if p.name == "BTCUSDT_1m" {
		phone.scheme(t, "dark")
		time.Sleep(200 * time.Millisecond)
		phone.screenshot(t, "chart-phone-dark", false, docs)
		tb.scheme(t, "light")
		time.Sleep(200 * time.Millisecond)
		tb.screenshot(t, "chart", false, docs)
	}
	phone.check(t, n)
}

// checkAge waits for the page to say how old its data is.
func checkAge(t *testing.T, tb *tab) {
	t.Helper()
	age := waitFor[string](t, tb, `(document.querySelector('#live-meta .age') || {}).textContent`,
		5*time.Second)
	if !regexp.MustCompile(`^\d+(s|m) ago$`).MatchString(age) {
		t.Errorf("age %q, want such as \"12s ago\"", age)
	}
}

// checkTooltip asks the chart's tooltip for the newest candle: the
// exchange's close, with thousands separators and every decimal, and the
// zone named.
func checkTooltip(t *testing.T, tb *tab, s *site, p page) {
	t.Helper()
	last := lastCandle(t, s, p)
	html := eval[string](t, tb, `(function () {
		var c = echarts.getInstanceByDom(document.getElementById('kline'));
		return c.getOption().tooltip[0].formatter([{dataIndex: snapshotChart.labels.length - 1}]);
	})()`)
	for _, want := range []string{"C " + group(last.Close), "Asia/Shanghai"} {
		if !strings.Contains(html, want) {
			t.Errorf("tooltip %q lacks %q", html, want)
		}
	}
}

// candle is the part of a snapshot's candle the tests read.
type candle struct {
	OpenTime int64  `json:"open_time"`
	Close    string `json:"close"`
}

// lastCandle reads the newest candle of p's snapshot.
func lastCandle(t *testing.T, s *site, p page) candle {
	t.Helper()
	var snap struct {
		Candles []candle `json:"candles"`
	}
	b, err := os.ReadFile(filepath.Join(s.public, "data", "klines", p.name+".json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &snap); err != nil || len(snap.Candles) == 0 {
		t.Fatalf("snapshot %s: %v", p.name, err)
	}
	return snap.Candles[len(snap.Candles)-1]
}

// group puts thousands separators into a decimal string's integer part.
func group(s string) string {
	whole, frac, dot := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if dot {
		b.WriteString("." + frac)
	}
	return b.String()
}

// checkIndex opens the index: a card for every job, the settling symbol
// disabled, no banner while everything is fresh.
func checkIndex(t *testing.T, b *browser, n *nginxServer, s *site, shots, docs string) {
	tb := b.open(t)
	tb.navigate(t, n.url+"/")
	waitFor[bool](t, tb, `!!window.snapshotter`, 5*time.Second)

	cards := eval[int](t, tb, `document.querySelectorAll('article.card').length`)
	if cards != len(s.charts) {
		t.Errorf("%d job cards, want %d", cards, len(s.charts))
	}
	text := eval[string](t, tb, `document.body.innerText`)
	for _, want := range []string{"OLDCOINUSDT 1h", "DISABLED", "times in Asia/Shanghai"} {
		if !strings.Contains(text, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	visible := eval[int](t, tb, `Array.from(document.querySelectorAll('.banner'))
		.filter(function (e) { return !e.hidden; }).length`)
	if visible != 0 {
		t.Errorf("%d banners shown while everything is fresh", visible)
	}
	ok := eval[int](t, tb, `document.querySelectorAll('.badge.ok:not([hidden])').length`)
	if ok != len(s.charts)-1 {
		t.Errorf("%d jobs marked OK, want %d", ok, len(s.charts)-1)
	}

	tb.screenshot(t, "index", true, shots, docs)
	tb.scheme(t, "dark")
	tb.screenshot(t, "index-dark", true, shots)
	phone := chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)
	if err := chromedp.Do(tb.ctx, phone); err != nil {
		t.Fatal(err)
	}
	tb.scheme(t, "light")
	time.Sleep(200 * time.Millisecond)
	tb.screenshot(t, "index-phone", false, shots)
	tb.check(t, n)
}

// timing is what the browser measured of one page load, in milliseconds
// from the start of the navigation, and bytes.
type timing struct {
	Encoded  float64 `json:"encoded"`
	Decoded  float64 `json:"decoded"`
	Response float64 `json:"response"`
	Loaded   float64 `json:"loaded"`
	Drawn    float64 `json:"drawn"`
	Script   float64 `json:"script"`
}

const timingJS = `(function () {
	var nav = performance.getEntriesByType('navigation')[0];
	var drawn = performance.getEntriesByName('snapshotter-drawn')[0];
	var js = performance.getEntriesByType('resource').filter(function (e) {
		return /echarts-.*\.js$/.test(e.name);
	})[0];
	return {encoded: nav.encodedBodySize, decoded: nav.decodedBodySize,
		response: nav.responseEnd, loaded: nav.loadEventEnd,
		drawn: drawn ? drawn.startTime : -1, script: js ? js.encodedBodySize : -1};
})()`

// measureLargest opens the chart of 100,000 candles with an empty cache,
// then again with the script cached, and reports what it weighed and how
// long it took to draw. The page must stay under 400 KB compressed; the
// time has only a sanity bound, the figure is for docs/benchmarks.md.
func measureLargest(t *testing.T, b *browser, n *nginxServer, s *site) {
	p := page{url: "/" + largest.symbol + "_" + string(largest.iv) + ".html"}
	for _, cold := range []bool{true, false} {
		tb := b.open(t)
		if cold {
			mustCDP(t, tb, network.ClearBrowserCache, cdp.Empty{})
		}
		start := time.Now()
		tb.navigate(t, n.url+p.url)
		waitFor[bool](t, tb, chartJS("kline")+fmt.Sprintf(" === %d", maxInline), 20*time.Second)
		bars := waitFor[int](t, tb, chartJS("overview")+" > 0 && "+chartJS("overview"),
			10*time.Second)
		tm := waitFor[timing](t, tb, `performance.getEntriesByName('snapshotter-drawn').length && `+
			timingJS, 10*time.Second)
		t.Logf("largest chart (%d candles, %d drawn, long view of %d), cache %s: page %.0f KB "+
			"compressed (%.0f KB), script %.0f KB compressed; response %.0f ms, "+
			"load %.0f ms, chart drawn %.0f ms after the navigation started (%.0f ms here)",
			largest.keep, maxInline, bars, map[bool]string{true: "empty", false: "warm"}[cold],
			tm.Encoded/1024, tm.Decoded/1024, tm.Script/1024, tm.Response, tm.Loaded, tm.Drawn,
			float64(time.Since(start).Milliseconds()))
		if tm.Encoded <= 0 || tm.Encoded > 400<<10 {
			t.Errorf("the page weighs %.0f KB compressed, want under 400 KB", tm.Encoded/1024)
		}
		if tm.Drawn < 0 || tm.Drawn > 10000 {
			t.Errorf("drawn %.0f ms after the navigation began: far over a second", tm.Drawn)
		}
		tb.check(t, n)
	}
}
