package render

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/kline"
)

// c13 is the candle of case C13: open 100, high 110, low 95, close 105,
// opening at 1700000000000 (2023-11-14 22:13:20 UTC).
var c13 = kline.Candle{
	OpenTime: 1700000000000, CloseTime: 1700000059999,
	Open: "100.0", High: "110.0", Low: "95.0", Close: "105.0",
	Volume: "12.500", QuoteVolume: "1290.0000", Trades: 7,
	TakerBuyBase: "6.000", TakerBuyQuote: "620.0000", Closed: true,
}

func c13Series(symbol string) kline.Series {
	return kline.Series{Symbol: symbol, Interval: "1m", Candles: []kline.Candle{c13}}
}

func TestSeries_CandleValueOrder(t *testing.T) {
	r, dir := newRenderer(t, nil)
	if err := r.Series(c13Series("BTCUSDT"), SeriesMeta{}); err != nil {
		t.Fatal(err)
	}
	page := read(t, filepath.Join(dir, "BTCUSDT_1m.html"))

	// ECharts reads open, close, low, high; the exchange's strings are
	// written as they came, "100.0" staying "100.0".
	if want := `"candles":[[100.0,105.0,95.0,110.0]]`; !strings.Contains(page, want) {
		t.Errorf("page has no candle %s", want)
	}
	// The tooltip row keeps the exchange's order and strings.
	want := `["2023-11-14 22:13","100.0","110.0","95.0","105.0","12.500",true]`
	if !strings.Contains(page, want) {
		t.Errorf("page has no tooltip row %s", want)
	}
}

func TestSeries_TimeLabelsInZone(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	tests := []struct {
		name           string
		loc            *time.Location
		label, zone    string
		fetched, notIn string
	}{
		{"nil is UTC", nil, "2023-11-14 22:13", "times in UTC",
			"2023-11-14 22:15:00", "2023-11-15 06:13"},
		{"Asia/Shanghai", shanghai, "2023-11-15 06:13", "times in Asia/Shanghai",
			"2023-11-15 06:15:00", "2023-11-14 22:13"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, dir := newRenderer(t, tt.loc)
			m := SeriesMeta{FetchedAt: time.Date(2023, 11, 14, 22, 15, 0, 0, time.UTC)}
			if err := r.Series(c13Series("BTCUSDT"), m); err != nil {
				t.Fatal(err)
			}
			page := read(t, filepath.Join(dir, "BTCUSDT_1m.html"))

			// The axis data, the zone note and the fetch time.
			for _, want := range []string{`"labels":["` + tt.label + `"]`, tt.zone,
				"data fetched at <span class=\"num\">" + tt.fetched} {
				if !strings.Contains(page, want) {
					t.Errorf("page lacks %q", want)
				}
			}
			if strings.Contains(page, tt.notIn) {
				t.Errorf("page shows %q, a time in another zone", tt.notIn)
			}
		})
	}
}

// snapshot mirrors the JSON file, to read it back.
type snapshot struct {
	Symbol     string         `json:"symbol"`
	Interval   kline.Interval `json:"interval"`
	FetchedAt  *time.Time     `json:"fetched_at"`
	Stale      bool           `json:"stale"`
	StaleSince *time.Time     `json:"stale_since"`
	Count      int            `json:"count"`
	Gaps       []kline.Gap    `json:"gaps"`
	Candles    []kline.Candle `json:"candles"`
}

func TestSeries_SnapshotRoundTrips(t *testing.T) {
	r, dir := newRenderer(t, nil)
	s := fakeSeries("ETHUSDT", 5)
	s.Candles[1].Open = "0.00001230" // trailing zeros must survive
	s.Gaps = []kline.Gap{{From: 1700000000000, To: 1700000060000}}
	fetched := time.Date(2023, 11, 14, 23, 0, 0, 0, time.FixedZone("X", 3600))
	since := time.Date(2023, 11, 14, 22, 0, 0, 0, time.UTC)
	m := SeriesMeta{FetchedAt: fetched, Stale: true, StaleSince: &since}
	if err := r.Series(s, m); err != nil {
		t.Fatal(err)
	}
	raw := read(t, filepath.Join(dir, "data", "klines", "ETHUSDT_1m.json"))

	var got snapshot
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("snapshot is not JSON: %v\n%s", err, raw)
	}
	want := snapshot{
		Symbol: "ETHUSDT", Interval: "1m", FetchedAt: &fetched, Stale: true,
		StaleSince: &since, Count: 5, Gaps: s.Gaps, Candles: s.Candles,
	}
	if !got.FetchedAt.Equal(fetched) || !got.StaleSince.Equal(since) {
		t.Errorf("times = %v, %v; want %v, %v", got.FetchedAt, got.StaleSince, fetched, since)
	}
	got.FetchedAt, got.StaleSince = want.FetchedAt, want.StaleSince
	if !reflect.DeepEqual(got, want) {
		t.Errorf("snapshot = %+v\nwant %+v", got, want)
	}
	for _, w := range []string{`"fetched_at": "2023-11-14T22:00:00Z"`,
		`"open":"0.00001230"`} {
		if !strings.Contains(raw, w) {
			t.Errorf("snapshot lacks %s", w)
		}
	}
}

func TestSeries_EmptyArraysAndNulls(t *testing.T) {
	r, dir := newRenderer(t, nil)
	if err := r.Series(kline.Series{Symbol: "XUSDT", Interval: "1h"}, SeriesMeta{}); err != nil {
		t.Fatal(err)
	}
	raw := read(t, filepath.Join(dir, "data", "klines", "XUSDT_1h.json"))
	for _, w := range []string{`"fetched_at": null`, `"stale_since": null`,
		`"gaps": []`, `"candles": []`, `"count": 0`} {
		if !strings.Contains(raw, w) {
			t.Errorf("snapshot lacks %s:\n%s", w, raw)
		}
	}
	page := read(t, filepath.Join(dir, "XUSDT_1h.html"))
	if !strings.Contains(page, "data fetched at <span class=\"num\">never") {
		t.Error("page does not say the data was never fetched")
	}
}

func TestSeries_StaleBadge(t *testing.T) {
	since := time.Date(2023, 11, 14, 20, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		meta  SeriesMeta
		want  string
		stale bool
	}{
		{"fresh", SeriesMeta{}, "", false},
		{"stale since", SeriesMeta{Stale: true, StaleSince: &since},
			`STALE since 2023-11-14 20:00:00`, true},
		{"stale, start unknown", SeriesMeta{Stale: true}, `STALE</span>`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, dir := newRenderer(t, nil)
			if err := r.Series(c13Series("BTCUSDT"), tt.meta); err != nil {
				t.Fatal(err)
			}
			page := read(t, filepath.Join(dir, "BTCUSDT_1m.html"))
			if got := strings.Contains(page, `class="badge stale"`); got != tt.stale {
				t.Errorf("stale badge shown = %v, want %v", got, tt.stale)
			}
			if tt.want != "" && !strings.Contains(page, tt.want) {
				t.Errorf("page lacks %q", tt.want)
			}
		})
	}
}

func TestSeries_OpenCandleAndGapsNoted(t *testing.T) {
	r, dir := newRenderer(t, nil)
	s := fakeSeries("BTCUSDT", 3)
	s.Gaps = []kline.Gap{{From: 1, To: 2}, {From: 3, To: 3}}
	if err := r.Series(s, SeriesMeta{}); err != nil {
		t.Fatal(err)
	}
	page := read(t, filepath.Join(dir, "BTCUSDT_1m.html"))
	for _, w := range []string{"2 gaps", `"open":2,`, "still open when fetched",
		"open, not closed", `false]]`, "markPoint"} {
		if !strings.Contains(page, w) {
			t.Errorf("page lacks %q", w)
		}
	}
	// Gaps are listed, never drawn: one candle per input candle.
	if got := len(chartOf(t, page).Candles); got != 3 {
		t.Errorf("page draws %d candles, want 3", got)
	}
}

func TestSeries_NonASCIISymbol(t *testing.T) {
	r, dir := newRenderer(t, nil)
	const sym = "币安人生USDT"
	if err := r.Series(c13Series(sym), SeriesMeta{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{sym + "_1m.html", "data/klines/" + sym + "_1m.json"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("file %s: %v", p, err)
		}
	}
	page := read(t, filepath.Join(dir, sym+"_1m.html"))
	const enc = "%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT_1m"
	if !strings.Contains(page, `href="data/klines/`+enc+`.json"`) {
		t.Error("page does not link its JSON percent-encoded")
	}
}

func TestSeries_RefusesBadNames(t *testing.T) {
	tests := []struct {
		name   string
		symbol string
		iv     kline.Interval
	}{
		{"empty symbol", "", "1m"},
		{"parent folder", "../x", "1m"},
		{"slash", "A/B", "1m"},
		{"hidden file", ".x", "1m"},
		{"space", "A B", "1m"},
		{"bad interval", "BTCUSDT", "7m"},
		{"no interval", "BTCUSDT", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, dir := newRenderer(t, nil)
			s := kline.Series{Symbol: tt.symbol, Interval: tt.iv}
			if err := r.Series(s, SeriesMeta{}); err == nil {
				t.Fatal("Series succeeded, want an error")
			}
			if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
				t.Error("a refused series wrote data")
			}
		})
	}
}

// publish renders s and returns the JSON and the page as written.
func publish(t *testing.T, r *Renderer, dir string, s kline.Series) (string, string) {
	t.Helper()
	if err := r.Series(s, SeriesMeta{}); err != nil {
		t.Fatal(err)
	}
	name := SeriesName(s.Symbol, s.Interval)
	return read(t, filepath.Join(dir, "data", "klines", name+".json")),
		read(t, filepath.Join(dir, name+".html"))
}

func TestSeries_FailedRenderKeepsPreviousFiles(t *testing.T) {
	r, dir := newRenderer(t, nil)
	oldJSON, oldPage := publish(t, r, dir, fakeSeries("BTCUSDT", 4))

	bad := fakeSeries("BTCUSDT", 5)
	bad.Candles[2].High = "1e5" // not a plain decimal
	if err := r.Series(bad, SeriesMeta{}); err == nil {
		t.Fatal("Series accepted a bad decimal")
	}

	name := filepath.Join(dir, "BTCUSDT_1m")
	if got := read(t, filepath.Join(dir, "data", "klines", "BTCUSDT_1m.json")); got != oldJSON {
		t.Error("JSON changed by a failed render")
	}
	if got := read(t, name+".html"); got != oldPage {
		t.Error("page changed by a failed render")
	}
}

func TestSeries_PageNotTouchedWhenJSONFails(t *testing.T) {
	r, dir := newRenderer(t, nil)
	_, oldPage := publish(t, r, dir, fakeSeries("BTCUSDT", 4))

	// A file where the klines folder should be makes the JSON write fail.
	klines := filepath.Join(dir, "data", "klines")
	if err := os.RemoveAll(klines); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(klines, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := r.Series(fakeSeries("BTCUSDT", 9), SeriesMeta{}); err == nil {
		t.Fatal("Series succeeded without its JSON")
	}
	if got := read(t, filepath.Join(dir, "BTCUSDT_1m.html")); got != oldPage {
		t.Error("page replaced although its JSON was not")
	}
}

func TestSeries_JSONWrittenBeforePage(t *testing.T) {
	r, dir := newRenderer(t, nil)
	publish(t, r, dir, fakeSeries("BTCUSDT", 4))

	js, err := os.Stat(filepath.Join(dir, "data", "klines", "BTCUSDT_1m.json"))
	if err != nil {
		t.Fatal(err)
	}
	page, err := os.Stat(filepath.Join(dir, "BTCUSDT_1m.html"))
	if err != nil {
		t.Fatal(err)
	}
	if page.ModTime().Before(js.ModTime()) {
		t.Errorf("page written %v, before its JSON %v", page.ModTime(), js.ModTime())
	}
}
