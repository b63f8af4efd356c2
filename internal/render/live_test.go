package render

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/kline"
)

// TestSeries_LargeSnapshotCapsThePage checks a snapshot of more candles
// than a page carries: the JSON keeps all, the chart the newest maxInline,
// and a long view of coarser candles covers the whole history.
func TestSeries_LargeSnapshotCapsThePage(t *testing.T) {
	r, dir := newRenderer(t, nil)
	s := fakeSeries("BTCUSDT", 10000)
	raw, page := publish(t, r, dir, s)

	var snap snapshot
	if err := json.Unmarshal([]byte(raw), &snap); err != nil {
		t.Fatal(err)
	}
	if len(snap.Candles) != 10000 {
		t.Errorf("JSON holds %d candles, want all 10000", len(snap.Candles))
	}

	b := blockOf(t, page)
	if n := len(b.Chart.Candles); n != maxInline {
		t.Fatalf("chart holds %d candles, want the newest %d", n, maxInline)
	}
	newest := s.Candles[len(s.Candles)-maxInline:]
	if got, want := b.Chart.Labels[0], r.label(newest[0].OpenTime); got != want {
		t.Errorf("chart starts at %s, want %s", got, want)
	}
	if len(b.Rows) != maxInline {
		t.Errorf("%d tooltip rows, want %d", len(b.Rows), maxInline)
	}
	if b.Chart.Open != maxInline-1 {
		t.Errorf("open candle at %d of the chart, want the last, %d", b.Chart.Open, maxInline-1)
	}

	// 10,000 minutes is about a week: 15m candles are the shortest that
	// make at most maxOverview of them.
	o := b.Overview
	if o == nil {
		t.Fatal("no long view")
	}
	if o.Interval != "15m" || len(o.Candles) != len(o.Labels) || len(o.Rows) != len(o.Labels) {
		t.Errorf("long view of %s: %d candles, %d labels, %d rows", o.Interval,
			len(o.Candles), len(o.Labels), len(o.Rows))
	}
	if n := len(o.Candles); n < 10000/15 || n > 10000/15+2 {
		t.Errorf("long view holds %d candles, want about %d", n, 10000/15)
	}
	for _, want := range []string{"10,000</span> candles",
		"the newest <span class=\"num\">3,000</span> drawn", "Whole history, as 15m candles"} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if len(page) > 600<<10 {
		t.Errorf("page of 10,000 candles is %d KB", len(page)>>10)
	}
}

func TestSeries_SmallSnapshotHasNoLongView(t *testing.T) {
	r, dir := newRenderer(t, nil)
	_, page := publish(t, r, dir, fakeSeries("BTCUSDT", maxInline))
	b := blockOf(t, page)
	if b.Overview != nil || len(b.Chart.Candles) != maxInline {
		t.Errorf("long view %v and %d candles, want none and all %d", b.Overview,
			len(b.Chart.Candles), maxInline)
	}
	if strings.Contains(page, "Whole history") || strings.Contains(page, "</span> drawn)") {
		t.Error("page speaks of a long view it does not have")
	}
}

func TestMergeCandles_ExactExtremes(t *testing.T) {
	c := func(min int, o, h, l, cl string) kline.Candle {
		return kline.Candle{OpenTime: int64(min) * 60000, Open: o, High: h, Low: l, Close: cl}
	}
	cs := []kline.Candle{
		c(0, "1.0", "1.50", "0.9", "1.2"),
		c(1, "1.2", "1.500001", "1.1", "1.3"),
		c(2, "1.3", "1.4", "0.0900", "1.35"),
		c(15, "2", "3", "1", "2.5"), // the next 15m candle
	}
	got := mergeCandles(cs, "15m")
	want := []kline.Candle{
		{OpenTime: 0, Open: "1.0", High: "1.500001", Low: "0.0900", Close: "1.35"},
		{OpenTime: 15 * 60000, Open: "2", High: "3", Low: "1", Close: "2.5"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("merged\n%v\nwant\n%v", got, want)
	}
}

func TestCoarserInterval(t *testing.T) {
	tests := []struct {
		iv   kline.Interval
		span time.Duration
		want kline.Interval
	}{
		{"1m", 99999 * time.Minute, "2h"},
		{"1m", 999 * time.Minute, "3m"},
		{"1h", 99999 * time.Hour, "1w"},
		{"1d", 99999 * 24 * time.Hour, "1M"},
	}
	for _, tt := range tests {
		if got := coarserInterval(tt.iv, tt.span); got != tt.want {
			t.Errorf("coarserInterval(%s, %v) = %s, want %s", tt.iv, tt.span, got, tt.want)
		}
	}
}

func TestGroupDigits(t *testing.T) {
	for in, want := range map[string]string{
		"0": "0", "999": "999", "1000": "1,000", "94834.30": "94,834.30",
		"-1234567.0000100": "-1,234,567.0000100", "0.0000123": "0.0000123",
		"100000": "100,000",
	} {
		if got := groupDigits(in); got != want {
			t.Errorf("groupDigits(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestChange(t *testing.T) {
	tests := []struct {
		open, close, want string
		down              bool
	}{
		{"100", "101.5", "+1.50", false},
		{"3500.00", "3445.57", "-1.56", true},
		{"0.0123", "0.0123", "+0.00", false},
		{"0", "5", "", false},
	}
	for _, tt := range tests {
		got, down := change(tt.open, tt.close)
		if got != tt.want || down != tt.down {
			t.Errorf("change(%s, %s) = %q, %v; want %q, %v", tt.open, tt.close, got, down,
				tt.want, tt.down)
		}
	}
}

// TestSeriesLive checks what a chart page is told: refresh a quarter of
// the interval within bounds, stale 90 s after the candle open at the
// fetch closes.
func TestSeriesLive(t *testing.T) {
	at := time.Date(2026, 3, 31, 12, 0, 3, 0, time.UTC)
	tests := []struct {
		iv      kline.Interval
		refresh int
		stale   time.Time
	}{
		{"1m", 15, time.Date(2026, 3, 31, 12, 2, 30, 0, time.UTC)},
		{"5m", 75, time.Date(2026, 3, 31, 12, 6, 30, 0, time.UTC)},
		{"1h", 300, time.Date(2026, 3, 31, 13, 1, 30, 0, time.UTC)},
		{"1M", 300, time.Date(2026, 4, 1, 0, 1, 30, 0, time.UTC)},
	}
	for _, tt := range tests {
		l := seriesLive(tt.iv, at)
		if l.Refresh != tt.refresh || l.StaleAt != tt.stale.UnixMilli() ||
			l.Since != at.UnixMilli() {
			t.Errorf("%s: refresh %d s, stale at %v; want %d s, %v", tt.iv, l.Refresh,
				time.UnixMilli(l.StaleAt).UTC(), tt.refresh, tt.stale)
		}
	}
	if l := seriesLive("1m", time.Time{}); l.Since != 0 || l.StaleAt != 0 {
		t.Errorf("never fetched: %+v, want no times", l)
	}
}

// TestPages_TellTheirScriptWhatItNeeds checks the attributes the script
// "live" reads: the page's version, how often to check, and the times.
func TestPages_TellTheirScriptWhatItNeeds(t *testing.T) {
	r, dir := newRenderer(t, nil)
	fetched := time.Date(2023, 11, 14, 22, 15, 2, 0, time.UTC)
	if err := r.Series(fakeSeries("BTCUSDT", 20), SeriesMeta{FetchedAt: fetched}); err != nil {
		t.Fatal(err)
	}
	if err := r.Status(testStatus()); err != nil {
		t.Fatal(err)
	}
	data := read(t, filepath.Join(dir, "data", "klines", "BTCUSDT_1m.json"))
	chartPage := read(t, filepath.Join(dir, "BTCUSDT_1m.html"))
	for _, want := range []string{
		`<body data-version="` + contentVersion([]byte(data)) + `" data-refresh="15">`,
		fmt.Sprintf(`data-since="%d"`, fetched.UnixMilli()),
		fmt.Sprintf(`data-stale-at="%d"`, time.Date(2023, 11, 14, 22, 17, 30, 0,
			time.UTC).UnixMilli()),
		`id="live-stale" data-live`, `snapshotter.onUpdate`, `performance.mark(`,
	} {
		if !strings.Contains(chartPage, want) {
			t.Errorf("chart page lacks %q", want)
		}
	}

	status := read(t, filepath.Join(dir, "data", "status.json"))
	index := read(t, filepath.Join(dir, "index.html"))
	// The shortest running interval is 1m; the 1h job is stale already.
	for _, want := range []string{
		`<body data-version="` + contentVersion([]byte(status)) + `" data-refresh="15">`,
		`<div id="live" data-live>`,
		fmt.Sprintf(`data-stale-at="%d"`, time.Date(2023, 11, 14, 22, 22, 30, 0,
			time.UTC).UnixMilli()),
		`<noscript><meta http-equiv="refresh" content="60"></noscript>`,
	} {
		if !strings.Contains(index, want) {
			t.Errorf("index lacks %q", want)
		}
	}
}
