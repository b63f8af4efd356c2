package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"snapshotter/internal/exchange"
	"snapshotter/internal/kline"
)

// repoRoot is the repository, from this package's folder.
var repoRoot = filepath.Join("..", "..")

// canary is written into files outside the published folder; no answer
// from nginx may ever contain it.
const canary = "e2e-canary-7c1f0e2a"

// chart is one [[klines]] entry of a site.
type chart struct {
	symbol string
	iv     kline.Interval
	keep   int
}

// demoCharts are the charts of `snapshotter demo`, and a symbol being
// settled, which the daemon leaves out and the index shows.
var demoCharts = []chart{
	{"BTCUSDT", "1m", 240},
	{"币安人生USDT", "1m", 120},
	{"BTCUSDT", "1h", 500},
	{"ETHUSDT", "5m", 288},
	{"ASTERUSDT", "15m", 672},
	{"OLDCOINUSDT", "1h", 100},
}

// largest is the largest chart the configuration allows: keep = 100000
// (config.MaxKeep), about ten weeks of 1-minute candles.
var largest = chart{"ETHUSDT", "1m", 100000}

// site is a published folder made by the real binary from the built-in
// exchange: base holds public/, state/ and config.toml side by side, as a
// deployment would.
type site struct {
	base, public, state, config string
	ex                          *exchange.Server
	charts                      []chart
	// realScript reports whether the chart script is ECharts itself,
	// not a stand-in.
	realScript bool
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// TestMain removes the binary built for the tests.
func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// binary builds cmd/snapshotter once per test run.
func binary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "snapshotter-e2e-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "snapshotter")
		cmd := exec.Command("go", "build", "-o", binPath, "snapshotter/cmd/snapshotter")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("go build: %w\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// echartsScript returns the chart script `make assets` installs, or a
// stand-in when it is missing; real reports which.
func echartsScript(t *testing.T) (path string, real bool) {
	t.Helper()
	js, err := filepath.Abs(filepath.Join(repoRoot, "web", "node_modules", "echarts",
		"dist", "echarts.min.js"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(js); err == nil {
		return js, true
	}
	stub := filepath.Join(t.TempDir(), "echarts.min.js")
	if err := os.WriteFile(stub, []byte("/* stand-in for echarts */\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return stub, false
}

// newSite starts the built-in exchange on loopback and runs `snapshotter
// once` against it into a new folder, with the default budget share. The
// exchange allows ten times the real one's weight so that the largest
// chart's backfill of 67 pages (weight 670) fits in one minute's share; the
// budget is not what these tests are about.
func newSite(t *testing.T, charts []chart, zone string) *site {
	t.Helper()
	ex := exchange.New(exchange.Config{WeightLimit: 24000})
	exURL, err := ex.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ex.Close() })

	base := worldReadableTempDir(t)
	s := &site{base: base, public: filepath.Join(base, "public"),
		state: filepath.Join(base, "state"), config: filepath.Join(base, "config.toml"),
		ex: ex, charts: charts}
	js, real := echartsScript(t)
	s.realScript = real
	if err := os.WriteFile(s.config, []byte(siteConfig(exURL, s, js, zone)), 0o644); err != nil {
		t.Fatal(err)
	}
	s.once(t)

	// Something secret-looking in the state folder, beside what the
	// daemon keeps there.
	secret := filepath.Join(s.state, "secret.txt")
	if err := os.WriteFile(secret, []byte(canary), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// once runs `snapshotter once` on the site, which must succeed.
func (s *site) once(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, binary(t), "once", "-config", s.config).CombinedOutput()
	if err != nil {
		t.Fatalf("snapshotter once: %v\n%s", err, out)
	}
}

// siteConfig is the configuration of a site, with the canary in a comment
// as a secret would be.
func siteConfig(exURL string, s *site, js, zone string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: this file must never be served\n", canary)
	fmt.Fprintf(&b, "[exchange]\nbase_url = %q\n\n", exURL)
	fmt.Fprintf(&b, "[output]\ndir = %q\ntimezone = %q\necharts_js = %q\n\n", s.public, zone, js)
	fmt.Fprintf(&b, "[state]\ndir = %q\n\n", s.state)
	fmt.Fprintf(&b, "[log]\nlevel = \"warn\"\n")
	for _, c := range s.charts {
		fmt.Fprintf(&b, "\n[[klines]]\nsymbol = %q\ninterval = %q\nkeep = %d\n",
			c.symbol, c.iv, c.keep)
	}
	return b.String()
}

// worldReadableTempDir is a t.TempDir() that nginx's workers, which run as
// nobody when the test runs as root, can enter: the testing package makes
// its folders for the owner only.
func worldReadableTempDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// statusFile is the part of data/status.json the tests read.
type statusFile struct {
	GeneratedAt time.Time `json:"generated_at"`
	Requests    int64     `json:"requests"`
	Jobs        []struct {
		Name     string `json:"name"`
		Symbol   string `json:"symbol"`
		Interval string `json:"interval"`
		Page     string `json:"page"`
		Data     string `json:"data"`
		Candles  int    `json:"candles"`
		Disabled string `json:"disabled"`
	} `json:"jobs"`
}

// status reads the site's data/status.json.
func (s *site) status(t *testing.T) statusFile {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(s.public, "data", "status.json"))
	if err != nil {
		t.Fatal(err)
	}
	var st statusFile
	if err := json.Unmarshal(b, &st); err != nil {
		t.Fatalf("status.json: %v", err)
	}
	return st
}

// page is one chart page of a site and what it should draw.
type page struct {
	// url is the page's URL path, percent-encoded; data its snapshot's.
	url, data string
	name      string
	candles   int
}

// pages lists the site's chart pages from its status, leaving out the
// charts the daemon disabled.
func (s *site) pages(t *testing.T) []page {
	t.Helper()
	var out []page
	for _, j := range s.status(t).Jobs {
		if j.Disabled != "" || j.Page == "" {
			continue
		}
		name, err := url.PathUnescape(strings.TrimSuffix(j.Page, ".html"))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, page{url: "/" + j.Page, data: "/" + j.Data, name: name,
			candles: j.Candles})
	}
	if len(out) == 0 {
		t.Fatal("the site has no chart page")
	}
	return out
}

// requests is how many requests reached the built-in exchange so far.
func (s *site) requests() int { return len(s.ex.Requests()) }
