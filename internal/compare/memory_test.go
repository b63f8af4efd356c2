package compare

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/kline"
)

// TestPageWatch_CountsReplacements replaces pages the way the renderer
// does, a new file renamed over the old, and counts them by interval.
func TestPageWatch_CountsReplacements(t *testing.T) {
	dir := t.TempDir()
	replace := func(name, body string) {
		t.Helper()
		tmp := filepath.Join(dir, ".tmp-"+name)
		if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	p := newPageWatch(dir)
	replace("BTCUSDT_1m.html", "a")
	replace("BTCUSDT_1h.html", "a")
	replace("index.html", "a")
	p.poll()
	p.poll() // nothing new
	replace("BTCUSDT_1m.html", "b")
	replace("index.html", "b")
	p.poll()
	replace("币安人生USDT_1m.html", "a")
	p.poll()

	pages, others := p.byInterval()
	if got := pages["1m"]; len(got) != 2 || got[0]+got[1] != 3 {
		t.Errorf("1m pages replaced %v, want 2 and 1", got)
	}
	if got := pages["1h"]; len(got) != 1 || got[0] != 1 {
		t.Errorf("1h page replaced %v, want once", got)
	}
	if others["index.html"] != 2 || len(others) != 1 {
		t.Errorf("other pages %v, want index.html twice", others)
	}
}

func TestCloses_PerInterval(t *testing.T) {
	got := closes([]kline.Interval{"1m", "5m", "1h"}, at("2026-03-02T10:02:30Z"),
		at("2026-03-02T10:12:30Z"))
	if got["1m"] != 10 || got["5m"] != 2 || got["1h"] != 0 {
		t.Errorf("closes = %v, want 10 of 1m, 2 of 5m, none of 1h", got)
	}
}

func TestMemoryResult_Write(t *testing.T) {
	m := MemoryResult{Series: 50, Ran: 10 * time.Minute, MaxRSS: 43_500_000,
		HWM: 43_400_000, User: 1900 * time.Millisecond, System: 900 * time.Millisecond,
		Started: 1300 * time.Millisecond, StartCPU: 830 * time.Millisecond,
		Pages:  map[kline.Interval][]int{"1m": {11, 11}, "4h": {1, 1}},
		Closes: map[kline.Interval]int{"1m": 10, "4h": 0},
		Others: map[string]int{"index.html": 41}, Requests: 182, Weight: 232}
	var b strings.Builder
	m.Write(&b)
	for _, want := range []string{
		"`snapshotter run`, 50 series of 288, against the built-in exchange on loopback, " +
			"for 10m0s:",
		"- peak resident memory: 43.5 MB = 41.5 MiB",
		"- CPU: 1.9 s user + 0.9 s system over the run",
		"- start: every page published 1.3 s after the start, with 0.83 s of CPU",
		"| 1m charts | 2 | 11–11 | 10 |\n| 4h charts | 2 | 1–1 | 0 |\n" +
			"| index.html | 1 | ≥ 41 |  |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("lacks %q:\n%s", want, b.String())
		}
	}
}
