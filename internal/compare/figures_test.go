package compare

import (
	"net/http"
	"testing"
	"time"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t
}

func seconds1to(n int) []time.Duration {
	var out []time.Duration
	for i := 1; i <= n; i++ {
		out = append(out, time.Duration(i)*time.Second)
	}
	return out
}

func TestPercentile_NearestRank(t *testing.T) {
	tests := []struct {
		name   string
		sorted []time.Duration
		unseen int
		q      float64
		want   time.Duration
		ok     bool
	}{
		{"median of 20", seconds1to(20), 0, 0.5, 10 * time.Second, true},
		{"p95 of 20", seconds1to(20), 0, 0.95, 19 * time.Second, true},
		{"p95 of 100", seconds1to(100), 0, 0.95, 95 * time.Second, true},
		{"p95 of 7 is the largest", seconds1to(7), 0, 0.95, 7 * time.Second, true},
		{"max", seconds1to(20), 0, 1, 20 * time.Second, true},
		{"one value", []time.Duration{3 * time.Second}, 0, 0.5, 3 * time.Second, true},
		{"unseen count as longest", seconds1to(15), 5, 0.5, 10 * time.Second, true},
		{"p95 among the unseen", seconds1to(15), 5, 0.95, 0, false},
		{"nothing", nil, 0, 0.5, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := percentile(tt.sorted, tt.unseen, tt.q)
			if got != tt.want || ok != tt.ok {
				t.Errorf("percentile(q=%v) = %v, %v; want %v, %v", tt.q, got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestPeakMinute_CalendarMinutes(t *testing.T) {
	recs := []record{
		{at: at("2026-03-02T09:59:59Z"), weight: 100}, // before the stretch
		{at: at("2026-03-02T10:00:10Z"), weight: 5},
		{at: at("2026-03-02T10:00:59.999Z"), weight: 10},
		{at: at("2026-03-02T10:01:00Z"), weight: 7},
		{at: at("2026-03-02T10:01:30Z"), weight: 1},
		{at: at("2026-03-02T10:01:59Z"), weight: 0},  // refused, not charged
		{at: at("2026-03-02T10:02:00Z"), weight: 20}, // at the end: left out
	}
	got := peakMinute(recs, at("2026-03-02T10:00:00Z"), at("2026-03-02T10:02:00Z"))
	if want := 15; got != want {
		t.Errorf("peak = %d, want %d (10:00 holds 5+10, 10:01 holds 7+1)", got, want)
	}
	if got := peakMinute(nil, at("2026-03-02T10:00:00Z"), at("2026-03-02T10:02:00Z")); got != 0 {
		t.Errorf("peak of nothing = %d", got)
	}
}

func TestTracker_DelaysFromClose(t *testing.T) {
	tr := newTracker()
	open := func(s string) int64 { return at(s).UnixMilli() }
	// The 10:00 candle closes at 10:05 and is published 3 s later.
	tr.observe("BTCUSDT", open("2026-03-02T10:00:00Z"), at("2026-03-02T10:05:03Z"))
	// Older news changes nothing.
	tr.observe("BTCUSDT", open("2026-03-02T09:55:00Z"), at("2026-03-02T10:06:00Z"))
	// One answer may bring two closes at once: 10:05's and 10:10's.
	tr.observe("BTCUSDT", open("2026-03-02T10:10:00Z"), at("2026-03-02T10:15:40Z"))
	tr.observe("ETHUSDT", open("2026-03-02T10:00:00Z"), at("2026-03-02T10:05:00.5Z"))

	got, unseen := tr.delays([]string{"BTCUSDT", "ETHUSDT"}, "5m",
		at("2026-03-02T10:02:00Z"), at("2026-03-02T10:15:00Z"))
	want := []time.Duration{
		3 * time.Second, 5*time.Minute + 40*time.Second, 40 * time.Second, // BTC
		500 * time.Millisecond, // ETH; its 10:10 and 10:15 closes never seen
	}
	if len(got) != len(want) || unseen != 2 {
		t.Fatalf("delays = %v, %d unseen; want %v, 2 unseen", got, unseen, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("delay %d = %v, want %v", i, got[i], want[i])
		}
	}
}

func TestMeasure_CountsTheStretchOnly(t *testing.T) {
	w := Reference()
	w.Start = at("2026-03-02T10:00:00Z")
	w.Warmup, w.Measure = time.Minute, 2*time.Hour
	with := []record{
		{at: at("2026-03-02T10:00:30Z"), path: pathKlines, status: 200, weight: 2},
		{at: at("2026-03-02T10:01:00Z"), path: pathKlines, status: 200, weight: 2},
		{at: at("2026-03-02T10:01:10Z"), path: pathIncome, status: 200, weight: 30},
		{at: at("2026-03-02T10:01:20Z"), path: pathIncome, status: http.StatusTooManyRequests},
		{at: at("2026-03-02T10:01:30Z"), path: pathKlines, status: http.StatusTeapot},
		{at: at("2026-03-02T10:01:40Z"), path: pathKlines, status: http.StatusTeapot},
	}
	quiet := with[:3]
	f := measure("x", w, with, quiet, newTracker())
	if f.Requests != 5 || f.Weight != 32 || f.Banned != 2 || f.ViewerCaused != 3 ||
		f.PeakMinute != 32 {
		t.Errorf("requests %d weight %d banned %d viewer-caused %d peak %d; "+
			"want 5, 32, 2, 3, 32", f.Requests, f.Weight, f.Banned, f.ViewerCaused, f.PeakMinute)
	}
	if got := f.PerHour(f.Weight); got != 16 {
		t.Errorf("weight per hour = %v, want 16", got)
	}
	if f.ByPath[pathIncome] != 30 || f.ByPath[pathKlines] != 2 {
		t.Errorf("by path = %v", f.ByPath)
	}
	if len(f.Delays) != 0 || f.Unseen != 10*24 {
		t.Errorf("%d delays, %d unseen; want none and every candle of 10 charts over 2 h",
			len(f.Delays), f.Unseen)
	}
}
