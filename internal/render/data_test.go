package render

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// chartData mirrors snapshotChart, to read it back from a page.
type chartData struct {
	Labels  []string        `json:"labels"`
	Candles [][]json.Number `json:"candles"`
	Volumes []json.Number   `json:"volumes"`
	Bars    []int           `json:"bars"`
	Colors  []string        `json:"colors"`
	Open    int             `json:"open"`
	Prec    int             `json:"prec"`
	// Fills are [candle index, price, 1 for a buy]; Entry the entry line.
	Fills     [][]json.Number `json:"fills"`
	Entry     *json.Number    `json:"entry"`
	EntryText *string         `json:"entryText"`
}

// pageBlock mirrors the page's JSON block "snapshot".
type pageBlock struct {
	Rows     [][]any       `json:"rows"`
	Chart    chartData     `json:"chart"`
	Overview *overviewData `json:"overview"`
}

// overviewData mirrors the long view.
type overviewData struct {
	Interval string          `json:"interval"`
	Labels   []string        `json:"labels"`
	Candles  [][]json.Number `json:"candles"`
	Rows     [][]string      `json:"rows"`
}

// chartOf decodes the chart data of a page. It is JSON, and json.Number
// keeps each value's text, so "100.0" reads back as "100.0".
func chartOf(t *testing.T, page string) chartData {
	t.Helper()
	return blockOf(t, page).Chart
}

// blockOf decodes the page's JSON block, which must be whole JSON with
// nothing unknown in it.
func blockOf(t *testing.T, page string) pageBlock {
	t.Helper()
	const start = `<script type="application/json" id="snapshot" data-live>`
	i := strings.Index(page, start)
	if i < 0 {
		t.Fatal("page has no JSON block")
	}
	rest := page[i+len(start):]
	end := strings.Index(rest, "</script>")
	if end < 0 {
		t.Fatal("JSON block does not end")
	}
	dec := json.NewDecoder(strings.NewReader(rest[:end]))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	var b pageBlock
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("JSON block is not JSON: %v", err)
	}
	return b
}

func TestSeries_ChartDataIsTheExchangesStrings(t *testing.T) {
	r, dir := newRenderer(t, nil)
	s := fakeSeries("BTCUSDT", 40)
	s.Candles[3].Low = "0.00001230" // trailing zeros must survive
	s.Candles[4].Volume = "-0.5"
	_, page := publish(t, r, dir, s)

	d := chartOf(t, page)
	if len(d.Labels) != 40 || len(d.Candles) != 40 || len(d.Volumes) != 40 ||
		len(d.Bars) != 40 {
		t.Fatalf("%d labels, %d candles, %d volumes, %d bars; want 40 each",
			len(d.Labels), len(d.Candles), len(d.Volumes), len(d.Bars))
	}
	for i, c := range s.Candles {
		// ECharts' order: open, close, low, high.
		want := []json.Number{json.Number(c.Open), json.Number(c.Close),
			json.Number(c.Low), json.Number(c.High)}
		if !reflect.DeepEqual(d.Candles[i], want) {
			t.Errorf("candle %d = %v, want %v", i, d.Candles[i], want)
		}
		if got := string(d.Volumes[i]); got != c.Volume {
			t.Errorf("volume %d = %s, want %s", i, got, c.Volume)
		}
		if got, want := d.Labels[i], r.label(c.OpenTime); got != want {
			t.Errorf("label %d = %s, want %s", i, got, want)
		}
	}
}

func TestSeries_VolumeBarColours(t *testing.T) {
	r, dir := newRenderer(t, nil)
	s := fakeSeries("BTCUSDT", 5)
	cs := s.Candles
	cs[0].Open, cs[0].Close = "10.5", "10.50001"   // up
	cs[1].Open, cs[1].Close = "10.50001", "10.5"   // down
	cs[2].Open, cs[2].Close = "10.50", "10.5"      // flat counts as up
	cs[3].Open, cs[3].Close = "0.0100", "0.009999" // down
	cs[4].Open, cs[4].Close = "10.5", "9.99"       // down, still open
	_, page := publish(t, r, dir, s)

	d := chartOf(t, page)
	if want := []int{1, 0, 1, 0, 2}; !reflect.DeepEqual(d.Bars, want) {
		t.Errorf("bars = %v, want %v", d.Bars, want)
	}
	// Down, up, then both faded for the open candle.
	want := []string{"rgba(224, 68, 76, 0.75)", "rgba(14, 163, 113, 0.75)",
		"rgba(224, 68, 76, 0.4)", "rgba(14, 163, 113, 0.4)"}
	if !reflect.DeepEqual(d.Colors, want) {
		t.Errorf("colors = %q, want %q", d.Colors, want)
	}
	if !strings.Contains(page, "return d.colors[d.bars[p.dataIndex]];") {
		t.Error("volume series does not colour its bars from the data")
	}
}

// TestSeries_PageFillsChartAfterInit checks the order the browser needs:
// the data, then go-echarts' chart with empty series, then the call that
// gives the chart its data.
func TestSeries_PageFillsChartAfterInit(t *testing.T) {
	r, dir := newRenderer(t, nil)
	_, page := publish(t, r, dir, fakeSeries("BTCUSDT", 3))

	steps := []string{
		`<script type="application/json" id="snapshot" data-live>{"rows":[[`,
		"var snapshotChart = snapshot.chart;",
		"function snapshotOption(d) {",
		"goecharts_kline = echarts.init(",
		"goecharts_kline.setOption(option_kline);",
		"goecharts_kline.setOption(snapshotOption(snapshotChart));",
	}
	at := 0
	for _, s := range steps {
		i := strings.Index(page[at:], s)
		if i < 0 {
			t.Fatalf("page lacks %q after byte %d", s, at)
		}
		at += i + len(s)
	}
	// The option go-echarts builds carries no candle.
	if n := strings.Count(page, `"data":[]`); n != 2 {
		t.Errorf("%d empty series in the option, want 2", n)
	}
}

func TestSeries_RefusesValuesThatAreNotPlainDecimals(t *testing.T) {
	for _, bad := range []string{"1e5", "01.5", "-00.1", "00", "1.", ".5", "+1",
		"", "NaN", "1_000", "0x10", " 1"} {
		t.Run(fmt.Sprintf("%q", bad), func(t *testing.T) {
			r, dir := newRenderer(t, nil)
			s := fakeSeries("BTCUSDT", 3)
			s.Candles[1].Close = bad
			err := r.Series(s, SeriesMeta{})
			if err == nil {
				t.Fatal("Series accepted it")
			}
			if !strings.Contains(err.Error(), "candle 1: close") {
				t.Errorf("error %q does not name the candle and field", err)
			}
			if _, err := os.Stat(filepath.Join(dir, "data")); err == nil {
				t.Error("a refused series wrote data")
			}
		})
	}
}

func TestSeries_UnchangedFilesNotRewritten(t *testing.T) {
	r, dir := newRenderer(t, nil)
	s := fakeSeries("BTCUSDT", 20)
	m := SeriesMeta{FetchedAt: time.Date(2023, 11, 14, 22, 15, 0, 0, time.UTC)}
	if err := r.Series(s, m); err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(dir, "data", "klines", "BTCUSDT_1m.json"),
		filepath.Join(dir, "BTCUSDT_1m.html")}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range files {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}

	// The same series again writes nothing; a new fetch time both files.
	for _, tt := range []struct {
		name    string
		fetched time.Time
		written bool
	}{
		{"same", m.FetchedAt, false},
		{"fetched again", m.FetchedAt.Add(time.Minute), true},
	} {
		if err := r.Series(s, SeriesMeta{FetchedAt: tt.fetched}); err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			fi, err := os.Stat(f)
			if err != nil {
				t.Fatal(err)
			}
			if got := !fi.ModTime().Equal(old); got != tt.written {
				t.Errorf("%s: %s written = %v, want %v", tt.name,
					filepath.Base(f), got, tt.written)
			}
		}
	}
}

func TestCmpDecimal(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"1", "1", 0},
		{"1.0", "1", 0},
		{"1.10", "1.1", 0},
		{"0", "-0.000", 0},
		{"0.5", "0.45", 1},
		{"0.4", "0.45", -1},
		{"9.99", "10", -1},
		{"100.0", "99.99999999", 1},
		{"-1", "1", -1},
		{"-1", "0", -1},
		{"0", "0.00000001", -1},
		{"-2.5", "-2.49", -1},
		{"-2.5", "-10", 1},
		{"0.0100", "0.009999", 1},
	}
	for _, tt := range tests {
		if got := cmpDecimal(tt.a, tt.b); got != tt.want {
			t.Errorf("cmpDecimal(%s, %s) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := cmpDecimal(tt.b, tt.a); got != -tt.want {
			t.Errorf("cmpDecimal(%s, %s) = %d, want %d", tt.b, tt.a, got, -tt.want)
		}
	}
}

// TestCmpDecimal_AgreesWithRat checks cmpDecimal against math/big on
// random decimals made to collide often: few digits, zeros, signs.
func TestCmpDecimal_AgreesWithRat(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	digits := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = "0019"[rng.IntN(4)]
		}
		return string(b)
	}
	random := func() string {
		s := digits(1 + rng.IntN(3))
		if rng.IntN(2) == 0 {
			s += "." + digits(1+rng.IntN(4))
		}
		if rng.IntN(3) == 0 {
			s = "-" + s
		}
		return s
	}
	for range 20000 {
		a, b := random(), random()
		ra, _ := new(big.Rat).SetString(a)
		rb, _ := new(big.Rat).SetString(b)
		if got, want := cmpDecimal(a, b), ra.Cmp(rb); got != want {
			t.Fatalf("cmpDecimal(%s, %s) = %d, want %d", a, b, got, want)
		}
	}
}

func TestRGBA(t *testing.T) {
	if got, want := rgba("#0ea371", 0.4), "rgba(14, 163, 113, 0.4)"; got != want {
		t.Errorf("rgba = %q, want %q", got, want)
	}
}

func TestSeries_MarksFillsAndEntry(t *testing.T) {
	r, dir := newRenderer(t, nil)
	s := fakeSeries("BTCUSDT", 3) // candles open at 1699999980000, +60000, +120000
	m := SeriesMeta{FetchedAt: time.UnixMilli(1700000200000), Entry: "0.0100500",
		Fills: []Fill{
			{Time: 1699999980000, Side: "BUY", Price: "100.5"},   // first candle's open
			{Time: 1700000099999, Side: "SELL", Price: "101.25"}, // second candle's last ms
			{Time: 1699999979999, Side: "BUY", Price: "99"},      // before the chart
		}}
	if err := r.Series(s, m); err != nil {
		t.Fatal(err)
	}
	got := chartOf(t, read(t, filepath.Join(dir, "BTCUSDT_1m.html")))
	if len(got.Fills) != 2 {
		t.Fatalf("fills %v, want the two inside the chart", got.Fills)
	}
	want := [][3]string{{"0", "100.5", "1"}, {"1", "101.25", "0"}}
	for i, f := range got.Fills {
		if string(f[0]) != want[i][0] || string(f[1]) != want[i][1] || string(f[2]) != want[i][2] {
			t.Errorf("fill %d = %v, want %v", i, f, want[i])
		}
	}
	if got.Entry == nil || string(*got.Entry) != "0.0100500" || *got.EntryText != "0.0100500" {
		t.Errorf("entry %v / %v, want 0.0100500 verbatim", got.Entry, got.EntryText)
	}
	bad := SeriesMeta{Fills: []Fill{{Time: 1699999980000, Side: "BUY", Price: "1e5"}}}
	if err := r.Series(s, bad); err == nil {
		t.Error("a fill price in exponent form was accepted")
	}
}
