package render

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/kline"
)

// fakeJS stands in for echarts.min.js so tests need no npm.
const fakeJS = "/* fake echarts */ var echarts = {};\n"

// newRenderer returns a Renderer writing into a fresh folder, showing
// times in loc (nil for UTC).
func newRenderer(t testing.TB, loc *time.Location) (*Renderer, string) {
	t.Helper()
	js := filepath.Join(t.TempDir(), "echarts.min.js")
	if err := os.WriteFile(js, []byte(fakeJS), 0o644); err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(t.TempDir(), "public")
	r, err := New(Options{Dir: dir, Location: loc, EChartsJS: js, Version: "v-test"})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return r, dir
}

// fakeSeries returns n one-minute candles of a random walk ending with an
// open candle, prices as two-decimal strings like the exchange's.
func fakeSeries(symbol string, n int) kline.Series {
	rng := rand.New(rand.NewPCG(1, 2))
	start := int64(1700000000000) - 1700000000000%60000
	cents := int64(3_700_000)
	s := kline.Series{Symbol: symbol, Interval: "1m"}
	for i := range n {
		open := cents
		hi, lo := open, open
		for range 6 {
			cents += rng.Int64N(4001) - 2000
			hi, lo = max(hi, cents), min(lo, cents)
		}
		ot := start + int64(i)*60000
		s.Candles = append(s.Candles, kline.Candle{
			OpenTime: ot, CloseTime: ot + 59999,
			Open: price(open), High: price(hi), Low: price(lo), Close: price(cents),
			Volume:      fmt.Sprintf("%d.%03d", rng.IntN(500), rng.IntN(1000)),
			QuoteVolume: "1000.00", Trades: int64(rng.IntN(900)),
			TakerBuyBase: "1.000", TakerBuyQuote: "500.00",
			Closed: i < n-1,
		})
	}
	return s
}

func price(cents int64) string { return fmt.Sprintf("%d.%02d", cents/100, cents%100) }

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestNew_CopiesScriptUnderContentName(t *testing.T) {
	r, dir := newRenderer(t, nil)

	sum := sha256.Sum256([]byte(fakeJS))
	want := "assets/echarts-" + hex.EncodeToString(sum[:])[:12] + ".min.js"
	if r.script != want {
		t.Errorf("script URL = %q, want %q", r.script, want)
	}
	if got := read(t, filepath.Join(dir, want)); got != fakeJS {
		t.Errorf("asset content = %q, want the script", got)
	}
}

func TestNew_RefusesMissingScript(t *testing.T) {
	tests := []struct {
		name, js string
		want     []string
	}{
		{"missing file", "/nowhere/echarts.min.js",
			[]string{"/nowhere/echarts.min.js", "make assets"}},
		{"no path", "", []string{"make assets"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(Options{Dir: t.TempDir(), EChartsJS: tt.js})
			if err == nil {
				t.Fatal("New succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestNew_RealScript checks the file `make assets` installs, when it is
// there; it is skipped on machines that never ran npm.
func TestNew_RealScript(t *testing.T) {
	js := filepath.Join("..", "..", "web", "node_modules", "echarts", "dist", "echarts.min.js")
	if _, err := os.Stat(js); err != nil {
		t.Skipf("no installed echarts (run make assets): %v", err)
	}
	dir := t.TempDir()
	r, err := New(Options{Dir: dir, EChartsJS: js})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, r.script)); err != nil {
		t.Errorf("asset not installed: %v", err)
	}
}
