package compare

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"snapshotter/internal/config"
)

var (
	strategies = flag.Bool("strategies", false,
		"run the full comparison of issue 6 (minutes) and print its report")
	strategiesOut = flag.String("strategies.out", "",
		"also write the report to this `file`")
)

// bubbleFor returns a Bubble that runs in synctest bubbles of t.
func bubbleFor(t *testing.T) Bubble {
	return func(f func()) { synctest.Test(t, func(*testing.T) { f() }) }
}

// stubScript writes a stand-in for the chart script, which the simulated
// runs only copy.
func stubScript(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "echarts.min.js")
	if err := os.WriteFile(path, []byte("/* stub */"), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestStrategies is the comparison `make bench` runs: the reference
// workload, the product with its defaults and with the account read every
// 5 minutes, as a user may configure. It asserts nothing about the
// figures; it prints them.
func TestStrategies(t *testing.T) {
	if !*strategies {
		t.Skip("the full comparison runs with -strategies (make bench)")
	}
	started := time.Now()
	rep, err := Compare(Reference(), stubScript(t),
		[]Tuning{{}, {AccountEvery: 5 * time.Minute}}, bubbleFor(t))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	rep.Write(&b)
	fmt.Fprintf(&b, "(%s to run on this machine.)\n", time.Since(started).Round(time.Second))
	fmt.Print(b.String())
	if *strategiesOut != "" {
		if err := os.WriteFile(*strategiesOut, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestCompare_ShortRun runs every strategy on a small workload and checks
// what must hold whatever the figures: the naive designs' requests are all
// the viewers', the product's none, the product publishes every candle and
// no viewer sees one before it is published.
func TestCompare_ShortRun(t *testing.T) {
	if testing.Short() {
		t.Skip("simulates every strategy")
	}
	w := Reference()
	w.Symbols, w.Traded = w.Symbols[:3], w.Traded[:1]
	w.Viewers, w.Warmup, w.Measure = 4, 10*time.Minute, 20*time.Minute
	rep, err := Compare(w, stubScript(t), []Tuning{{}}, bubbleFor(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rows) != 3 {
		t.Fatalf("%d rows, want 3", len(rep.Rows))
	}
	for _, row := range rep.Rows[:2] {
		if row.Requests == 0 || row.ViewerCaused != row.Requests {
			t.Errorf("%s: %d requests, %d caused by viewers; want all of them, more than 0",
				row.Name, row.Requests, row.ViewerCaused)
		}
	}
	if proxy := rep.Rows[1]; proxy.Banned != 0 || proxy.Unseen != 0 {
		t.Errorf("cached proxy: %d banned requests, %d unseen candles; want none",
			proxy.Banned, proxy.Unseen)
	}

	product := rep.Rows[2]
	if product.ViewerCaused != 0 || product.Banned != 0 || len(product.Errors) > 0 {
		t.Errorf("snapshotter: %d requests caused by viewers, %d banned, errors %q",
			product.ViewerCaused, product.Banned, product.Errors)
	}
	if product.Unseen != 0 || product.SeenNever != 0 || len(product.Delays) != 3*4 {
		t.Errorf("snapshotter: %d candles published, %d never, %d never seen; want 12, 0, 0",
			len(product.Delays), product.Unseen, product.SeenNever)
	}
	// Each candle was seen no sooner than it was published, so the sorted
	// delays compare one by one.
	for i := range product.Seen {
		if product.Seen[i] < product.Delays[i] {
			t.Errorf("viewers saw a candle %v after its close, published after %v",
				product.Seen[i], product.Delays[i])
		}
	}
	if b := product.Bound.Weight(); b == 0 || product.Weight < b {
		t.Errorf("snapshotter spent %d, under its lower bound %d", product.Weight, b)
	}
}

func TestProductConfig_ParsesAsAUserWould(t *testing.T) {
	w := Reference()
	for _, tune := range []Tuning{{}, {AccountEvery: 5 * time.Minute}} {
		src := ProductConfig(w, baseURL, "/tmp/bench", "/tmp/echarts.min.js", tune)
		cfg, err := config.Parse("bench.toml", src)
		if err != nil {
			t.Fatalf("%s:\n%s\n%v", tune, src, err)
		}
		every := config.DefaultAccount().Every.Duration
		if tune.AccountEvery > 0 {
			every = tune.AccountEvery
		}
		if len(cfg.Klines) != 10 || cfg.Account == nil || cfg.Account.Every.Duration != every ||
			cfg.Schedule.Delay.Duration != 3*time.Second || cfg.Budget.Share != 0.2 {
			t.Errorf("%s: parsed %+v", tune, cfg)
		}
	}
	if got := (Tuning{AccountEvery: 5 * time.Minute}).String(); got != `[account] every = "5m"` {
		t.Errorf("tuning reads %s", got)
	}
}

func TestReport_Write(t *testing.T) {
	w := Reference()
	bound := Bound{Parts: []Part{{"klines", 720, 720}, {"account", 360, 1800},
		{"income", 72, 2160}, {"userTrades", 50, 250}}}
	delays := []time.Duration{3 * time.Second, 3 * time.Second}
	rep := Report{Workload: w, Rows: []Row{
		{Figures: Figures{Name: "per-view", Hours: 6, Requests: 300000, Weight: 90000,
			Asked:      1512000,
			PeakMinute: 2385, Banned: 290000, ViewerCaused: 300000, Delays: delays,
			Unseen: 700}},
		{Figures: Figures{Name: "cached proxy", Hours: 6, Requests: 14400, Weight: 151200,
			Asked:      151200,
			PeakMinute: 420, ViewerCaused: 14400, Delays: delays}},
		{Figures: Figures{Name: "snapshotter", Hours: 6, Requests: 1200, Weight: 7800,
			Asked:      7800,
			PeakMinute: 43, Delays: delays, ByPath: map[string]int{
				"/fapi/v1/klines": 720, "/fapi/v2/positionRisk": 1800}},
			Product: true, Bound: bound, Seen: delays,
			Warmup: Part{"warm-up", 80, 512}, WarmupPeak: 380},
	}}
	var b strings.Builder
	rep.Write(&b)
	for _, want := range []string{
		"| per-view | 50,000 | 15,000 | 252,000 | 306.69× | 2385 | 290,000 | 300,000 | never " +
			"| never | 700 of 702 |",
		"| cached proxy | 2400 | 25,200 | 25,200 | 30.67× | 420 | 0 | 14,400 | 3.0 s | 3.0 s " +
			"| 0 of 2 |",
		"| snapshotter | 200 | 1300 | 1300 | 1.58× | 43 | 0 | 0 | 3.0 s | 3.0 s | 0 of 2 |",
		"| lower bound, account every 1m (the default) | 200 | 822 | 822 | 1.00× |",
		"Its start, in the 30m warm-up left out above: 80 requests, weight 512, at most 380 " +
			"in one minute.",
		"- weight within 1.2× of the lower bound: 1.58×, missed",
		"- at least 20× less weight than the cached proxy: 19.4×, missed",
		"- no request caused by viewers: 0, met",
		"- p95 freshness under 5s after close: 3.0 s, met",
		"| positionRisk | 300 | – |",
		"| klines | 120 | 120 |",
		"| account | 0 | 300 |\n| income | 0 | 360 |\n| userTrades | 0 | 42 |",
		"20 viewers reloading every 30s (± 500ms). Simulated 6h30m from 2026-03-02 08:02 UTC; " +
			"the figures cover the 6h after a 30m warm-up.",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, b.String())
		}
	}
}

func TestReadTime_GNUTimeReport(t *testing.T) {
	var res MemoryResult
	if err := readTime(filepath.Join("testdata", "time", "verbose.txt"), &res); err != nil {
		t.Fatal(err)
	}
	if res.MaxRSS != 1572*1024 || res.User != 330*time.Millisecond || res.System != 0 {
		t.Errorf("read %d bytes, user %v, system %v; want %d, 330ms, 0", res.MaxRSS,
			res.User, res.System, 1572*1024)
	}
	if err := readTime(filepath.Join("testdata", "time", "missing.txt"), &res); err == nil {
		t.Error("a missing report read without an error")
	}
}

func TestProcStatus_OwnProcess(t *testing.T) {
	if hwm := procStatusKB(os.Getpid(), "VmHWM"); hwm <= 0 {
		t.Errorf("VmHWM of this process = %d kB", hwm)
	}
	if got := procStatusKB(os.Getpid(), "NoSuchField"); got != 0 {
		t.Errorf("a missing field read %d", got)
	}
}
