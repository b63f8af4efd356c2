package render

import (
	"fmt"
	"html/template"
	"sort"
	"strconv"
	"strings"
	"time"

	"snapshotter/internal/kline"
)

// The candles reach a chart page as two JavaScript values written here by
// hand, not through go-echarts. go-echarts encodes its option by
// reflection and then runs a regular expression over all of it, which
// cost 40 ms of CPU for a page of 1,500 candles and a quarter of a second
// for 10,000 (docs/benchmarks.md). The option go-echarts builds here holds
// the layout and empty series; the page script then sets the data from
// these values (see dataJS).
//
// Every value written is a Go-formatted time label, a fixed colour, a
// small integer, or one of the exchange's strings that passed
// checkCandle, so none needs escaping and none can end the script
// element early.

// maxInline is the most candles a chart page carries: the newest ones. A
// snapshot may hold up to 100,000 (a year of 1-minute candles is half a
// million), which would make a page of 14 MB that a phone opens in
// seconds; 3,000 candles are about 450 KB, 110 KB as gzip, and draw in
// half a second (docs/benchmarks.md). The JSON snapshot keeps every
// candle, and a page with more than this adds a long view (see overview).
const maxInline = 3000

// pageData is the data part of a chart page.
type pageData struct {
	// rows is snapshotRows, the tooltip's source: one array per candle
	// of [label, open, high, low, close, volume, closed], the values
	// as the exchange's strings, so "0.0100" is not shown as 0.01.
	rows template.JS
	// chart is snapshotChart, a JSON object: "labels" for the time axes,
	// "candles" as [open, close, low, high] numbers (ECharts' order), the
	// "volumes", "bars", the index into "colors" of each volume bar,
	// "open", the index of a candle still open or -1, and "prec", the
	// most decimals of a price, for the price axis.
	chart template.JS
	// overview is the long view of a snapshot of more than maxInline
	// candles, or null; see overview.
	overview template.JS

	// first and last are the labels of the first and last candle of the
	// whole snapshot.
	first, last string
	// shown is how many of the newest candles the chart holds, at most
	// maxInline; open is the index among them of a candle still open when
	// fetched, or -1.
	shown, open int
	// coarse is the interval of the overview's candles, "" without one.
	coarse kline.Interval
}

// Volume bar colours, indexed by barCode: down or up, faded for a candle
// that was still open. Each is a colour with its opacity folded in, so the
// bar series needs one colour callback rather than a style per bar.
var volumeColors = [4]string{
	rgba(downColor, volumeOpacity), rgba(upColor, volumeOpacity),
	rgba(downColor, openOpacity), rgba(upColor, openOpacity),
}

// pageData writes the rows and the chart data of the newest maxInline
// candles of s, and the overview of all of them, refusing any value that is
// not a plain decimal.
func (r *Renderer) pageData(s kline.Series, m SeriesMeta) (pageData, error) {
	cs := s.Candles
	d := pageData{open: -1, overview: "null"}
	for i, c := range cs {
		if err := checkCandle(c); err != nil {
			return d, fmt.Errorf("candle %d: %w", i, err)
		}
	}
	if len(cs) > 0 {
		d.first = r.label(cs[0].OpenTime)
		d.last = r.label(cs[len(cs)-1].OpenTime)
	}
	if len(cs) > maxInline {
		d.overview, d.coarse = r.overview(cs, s.Interval)
		cs = cs[len(cs)-maxInline:]
	}
	d.shown = len(cs)

	var rows, chart strings.Builder
	rows.Grow(len(cs) * 80)
	chart.Grow(len(cs) * 72)

	// One pass formats each label once, for the rows and the axes.
	rows.WriteByte('[')
	chart.WriteString(`{"labels":[`)
	var label []byte
	for i, c := range cs {
		label = r.appendLabel(label[:0], c.OpenTime)
		if i > 0 {
			rows.WriteByte(',')
			chart.WriteByte(',')
		}
		writeRow(&rows, label, c)
		chart.WriteByte('"')
		chart.Write(label)
		chart.WriteByte('"')
		if !c.Closed {
			d.open = i
		}
	}
	rows.WriteByte(']')

	writeCandles(&chart, cs)
	writeVolumes(&chart, cs)
	if err := writeMarks(&chart, cs, m); err != nil {
		return d, err
	}
	fmt.Fprintf(&chart, `,"open":%d,"prec":%d}`, d.open, pricePrecision(cs))

	d.rows, d.chart = template.JS(rows.String()), template.JS(chart.String())
	return d, nil
}

// pricePrecision is the most decimals of any price in cs: the exchange
// sends every price of a symbol with its tick size's decimals.
func pricePrecision(cs []kline.Candle) int {
	p := 0
	for _, c := range cs {
		for _, v := range [...]string{c.Open, c.High, c.Low, c.Close} {
			if _, frac, ok := strings.Cut(v, "."); ok && len(frac) > p {
				p = len(frac)
			}
		}
	}
	return p
}

// writeRow writes one tooltip row.
func writeRow(b *strings.Builder, label []byte, c kline.Candle) {
	b.WriteString(`["`)
	b.Write(label)
	for _, v := range [...]string{c.Open, c.High, c.Low, c.Close, c.Volume} {
		b.WriteString(`","`)
		b.WriteString(v)
	}
	b.WriteString(`",`)
	b.WriteString(strconv.FormatBool(c.Closed))
	b.WriteByte(']')
}

// writeCandles writes the candles as ECharts reads them: open, close, low,
// high, each the exchange's string written as a number literal.
func writeCandles(b *strings.Builder, cs []kline.Candle) {
	b.WriteString(`],"candles":[`)
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('[')
		b.WriteString(c.Open)
		b.WriteByte(',')
		b.WriteString(c.Close)
		b.WriteByte(',')
		b.WriteString(c.Low)
		b.WriteByte(',')
		b.WriteString(c.High)
		b.WriteByte(']')
	}
}

// writeVolumes writes the volumes, the colour index of each bar, and the
// colours.
func writeVolumes(b *strings.Builder, cs []kline.Candle) {
	b.WriteString(`],"volumes":[`)
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(c.Volume)
	}
	b.WriteString(`],"bars":[`)
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteByte('0' + byte(barCode(c)))
	}
	b.WriteString(`],"colors":[`)
	for i, col := range volumeColors {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + col + `"`)
	}
	b.WriteByte(']')
}

// barCode is the index in volumeColors of c's volume bar.
func barCode(c kline.Candle) int {
	code := 0
	if cmpDecimal(c.Close, c.Open) >= 0 {
		code = 1
	}
	if !c.Closed {
		code += 2
	}
	return code
}

// appendLabel appends the time-axis label of an open time in epoch
// milliseconds, in the page zone.
func (r *Renderer) appendLabel(b []byte, ms int64) []byte {
	return time.UnixMilli(ms).In(r.loc).AppendFormat(b, labelLayout)
}

// checkCandle refuses values that are not plain decimals, and plain
// decimals with a redundant leading zero such as "01.5". Either would be
// an invalid number in the chart data, or in strict JavaScript an octal
// one, and the page would draw no chart.
func checkCandle(c kline.Candle) error {
	fields := [...]struct{ name, val string }{
		{"open", c.Open}, {"high", c.High}, {"low", c.Low},
		{"close", c.Close}, {"volume", c.Volume},
	}
	for _, f := range fields {
		if !kline.ValidDecimal(f.val) || leadingZero(f.val) {
			return fmt.Errorf("%s %q is not a decimal", f.name, f.val)
		}
	}
	return nil
}

// leadingZero reports whether a plain decimal starts with a zero that is
// not its only integer digit.
func leadingZero(s string) bool {
	s = strings.TrimPrefix(s, "-")
	return len(s) > 1 && s[0] == '0' && s[1] != '.'
}

// cmpDecimal compares two plain decimals exactly, as -1, 0 or +1, without
// parsing them into floating point.
func cmpDecimal(a, b string) int {
	sa, sb := decimalSign(a), decimalSign(b)
	if sa != sb {
		if sa < sb {
			return -1
		}
		return 1
	}
	// Same sign: compare magnitudes, reversed for negatives. Two zeros
	// have sign 0 and compare equal.
	return sa * cmpMagnitude(strings.TrimPrefix(a, "-"), strings.TrimPrefix(b, "-"))
}

// decimalSign is -1, 0 or +1; "-0.00" is 0.
func decimalSign(s string) int {
	if strings.Trim(s, "-0.") == "" {
		return 0
	}
	if s[0] == '-' {
		return -1
	}
	return 1
}

// cmpMagnitude compares two unsigned plain decimals: the longer integer
// part is larger once leading zeros are gone; equal lengths compare digit
// by digit, and so do fractions once trailing zeros are gone.
func cmpMagnitude(a, b string) int {
	ai, af, _ := strings.Cut(a, ".")
	bi, bf, _ := strings.Cut(b, ".")
	ai, bi = strings.TrimLeft(ai, "0"), strings.TrimLeft(bi, "0")
	if len(ai) != len(bi) {
		if len(ai) < len(bi) {
			return -1
		}
		return 1
	}
	if c := strings.Compare(ai, bi); c != 0 {
		return c
	}
	return strings.Compare(strings.TrimRight(af, "0"), strings.TrimRight(bf, "0"))
}

// rgba writes a "#rrggbb" colour with an opacity as CSS rgba().
func rgba(hex string, opacity float64) string {
	v, err := strconv.ParseUint(strings.TrimPrefix(hex, "#"), 16, 32)
	if err != nil || len(hex) != 7 {
		panic(fmt.Sprintf("render: colour %q is not #rrggbb", hex))
	}
	return fmt.Sprintf("rgba(%d, %d, %d, %s)", v>>16, v>>8&0xff, v&0xff,
		strconv.FormatFloat(opacity, 'f', -1, 64))
}

// writeMarks writes "fills", [candle index, price, 1 for a buy or 0], for
// the fills inside the shown candles, and "entry", the open position's
// entry price as a number, with "entryText", the same as the exchange's
// string; null without a position.
func writeMarks(b *strings.Builder, cs []kline.Candle, m SeriesMeta) error {
	b.WriteString(`,"fills":[`)
	n := 0
	for _, f := range m.Fills {
		i := candleAt(cs, f.Time)
		if i < 0 {
			continue
		}
		if !kline.ValidDecimal(f.Price) || leadingZero(f.Price) {
			return fmt.Errorf("fill price %q is not a plain decimal", f.Price)
		}
		if n > 0 {
			b.WriteByte(',')
		}
		buy := 0
		if f.Side == "BUY" {
			buy = 1
		}
		fmt.Fprintf(b, "[%d,%s,%d]", i, f.Price, buy)
		n++
	}
	b.WriteByte(']')
	if m.Entry == "" {
		b.WriteString(`,"entry":null,"entryText":null`)
		return nil
	}
	if !kline.ValidDecimal(m.Entry) || leadingZero(m.Entry) {
		return fmt.Errorf("entry price %q is not a plain decimal", m.Entry)
	}
	fmt.Fprintf(b, `,"entry":%s,"entryText":"%s"`, m.Entry, m.Entry)
	return nil
}

// candleAt returns the index of the candle of cs that holds time ms, or
// -1 when none does.
func candleAt(cs []kline.Candle, ms int64) int {
	i := sort.Search(len(cs), func(i int) bool { return cs[i].CloseTime >= ms })
	if i < len(cs) && cs[i].OpenTime <= ms {
		return i
	}
	return -1
}
