package compare

import (
	"testing"
	"time"

	"snapshotter/internal/config"
)

func TestTicks_CountsMomentsInHalfOpenStretch(t *testing.T) {
	epoch := time.Unix(0, 0)
	start := at("2026-03-02T08:02:00Z")
	tests := []struct {
		name      string
		grid      time.Time
		from, to  string
		every     time.Duration
		wantTicks int
	}{
		{"account runs in 6 h", start, "2026-03-02T08:32:00Z", "2026-03-02T14:32:00Z",
			time.Minute, 360},
		{"5m closes in 6 h", epoch, "2026-03-02T08:32:00Z", "2026-03-02T14:32:00Z",
			5 * time.Minute, 72},
		{"a close at from is out, at to is in", epoch, "2026-03-02T08:35:00Z",
			"2026-03-02T08:45:00Z", 5 * time.Minute, 2},
		{"income every 5m from start", start, "2026-03-02T08:02:00Z",
			"2026-03-02T08:31:59Z", 5 * time.Minute, 5},
		{"empty stretch", start, "2026-03-02T09:00:00Z", "2026-03-02T09:00:00Z",
			time.Minute, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ticks(tt.grid, at(tt.from), at(tt.to), tt.every)
			if got != tt.wantTicks {
				t.Errorf("ticks = %d, want %d", got, tt.wantTicks)
			}
		})
	}
}

func TestLowerBound_ReferenceWorkload(t *testing.T) {
	w := Reference()
	fills := map[string][]time.Time{
		"BTCUSDT": {
			at("2026-03-02T08:40:00.5Z"), // delivered by the 08:41 run
			at("2026-03-02T08:40:30Z"),   // the same run
			at("2026-03-02T09:00:00Z"),   // exactly at a run: that run
		},
		"ETHUSDT": {
			at("2026-03-02T08:10:00Z"), // before the stretch
			at("2026-03-02T14:31:59Z"), // the last run, at 14:32
			at("2026-03-02T14:32:01Z"), // after it
		},
	}
	b := lowerBound(w.Symbols, w.Interval, config.DefaultAccount(), fills, w.Start,
		w.From(), w.End())
	want := []Part{
		{"klines", 720, 720},   // 10 charts × 72 closes × weight 1
		{"account", 360, 1800}, // every minute × 5
		{"income", 72, 2160},   // every 5 minutes × 30
		{"userTrades", 3, 15},  // BTC at 08:41 and 09:00, ETH at 14:32
	}
	if len(b.Parts) != len(want) {
		t.Fatalf("parts = %v, want %v", b.Parts, want)
	}
	for i := range want {
		if b.Parts[i] != want[i] {
			t.Errorf("part %d = %+v, want %+v", i, b.Parts[i], want[i])
		}
	}
	if b.Requests() != 1155 || b.Weight() != 4695 {
		t.Errorf("bound = %d requests, weight %d; want 1155, 4695", b.Requests(), b.Weight())
	}
}

func TestLowerBound_SlowerAccountCadence(t *testing.T) {
	w := Reference()
	acct := config.DefaultAccount()
	acct.Every.Duration = 5 * time.Minute
	fills := map[string][]time.Time{"BTCUSDT": {
		at("2026-03-02T08:33:00Z"), at("2026-03-02T08:36:00Z"), // both by the 08:37 run
	}}
	b := lowerBound(w.Symbols, w.Interval, acct, fills, w.Start, w.From(), w.End())
	if got, want := b.Weight(), 720+72*5+72*30+5; got != want {
		t.Errorf("weight %d, want %d (%v)", got, want, b.Parts)
	}
}
