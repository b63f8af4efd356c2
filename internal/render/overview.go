package render

import (
	"html/template"
	"strings"
	"time"

	"snapshotter/internal/kline"
)

// maxOverview bounds the candles of a long view: enough to see a year's
// shape, few enough to stay a small part of the page.
const maxOverview = 1000

// overview is the long view of a snapshot too long to inline: every candle
// of cs merged into candles of a coarser interval, the shortest the
// exchange serves that gives at most maxOverview of them, such as 2h
// candles for 100,000 of 1m. A merged candle opens with its first candle's
// open, closes with its last one's close, and has the highest high and the
// lowest low; each is one of the exchange's strings, picked by comparing
// the decimals exactly. Candles are grouped by the coarse candle their open
// time falls in, counted in UTC as the exchange counts its own.
//
// It is a JSON object: "interval", the coarse interval; "labels";
// "candles" as [open, close, low, high]; and "rows" for the tooltip, as
// [label, open, high, low, close]. Volume is left out: the long view shows
// where the price went.
func (r *Renderer) overview(cs []kline.Candle, iv kline.Interval) (template.JS, kline.Interval) {
	coarse := coarserInterval(iv, cs[len(cs)-1].OpenAt().Sub(cs[0].OpenAt()))
	merged := mergeCandles(cs, coarse)

	var b strings.Builder
	b.Grow(len(merged) * 150)
	b.WriteString(`{"interval":"` + string(coarse) + `","labels":[`)
	var label []byte
	labels := make([]string, len(merged))
	for i, m := range merged {
		label = r.appendLabel(label[:0], m.OpenTime)
		labels[i] = string(label)
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + labels[i] + `"`)
	}
	writeCandles(&b, merged)
	b.WriteString(`],"rows":[`)
	for i, m := range merged {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`["` + labels[i])
		for _, v := range [...]string{m.Open, m.High, m.Low, m.Close} {
			b.WriteString(`","` + v)
		}
		b.WriteString(`"]`)
	}
	b.WriteString("]}")
	return template.JS(b.String()), coarse
}

// coarserInterval is the shortest interval longer than iv in which a span
// of open times holds at most maxOverview candles; the month when none
// does.
func coarserInterval(iv kline.Interval, span time.Duration) kline.Interval {
	for _, c := range kline.Intervals {
		if c.Approx() <= iv.Approx() {
			continue
		}
		if span/c.Approx()+1 <= maxOverview {
			return c
		}
	}
	return "1M"
}

// mergeCandles merges consecutive candles whose open times fall in the same
// candle of coarse. Only the fields the overview shows are set.
func mergeCandles(cs []kline.Candle, coarse kline.Interval) []kline.Candle {
	var out []kline.Candle
	for _, c := range cs {
		open := coarse.OpenTime(c.OpenAt()).UnixMilli()
		n := len(out)
		if n == 0 || out[n-1].OpenTime != open {
			out = append(out, kline.Candle{OpenTime: open,
				Open: c.Open, High: c.High, Low: c.Low, Close: c.Close})
			continue
		}
		m := &out[n-1]
		if cmpDecimal(c.High, m.High) > 0 {
			m.High = c.High
		}
		if cmpDecimal(c.Low, m.Low) < 0 {
			m.Low = c.Low
		}
		m.Close = c.Close
	}
	return out
}
