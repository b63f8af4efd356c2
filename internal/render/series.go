package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"path/filepath"
	"time"

	"snapshotter/internal/kline"
)

// SeriesMeta is what the daemon knows about a series besides its candles.
type SeriesMeta struct {
	// FetchedAt is the time of the last successful answer from the
	// exchange for this series; zero means never.
	FetchedAt time.Time
	// Stale is set while the series is no longer being refreshed.
	Stale bool
	// StaleSince is when the series stopped being refreshed; nil when
	// unknown or fresh.
	StaleSince *time.Time
	// Fills are the account's trades in this symbol, drawn as buy and
	// sell marks on the candles they fall in; Entry is the entry price of
	// an open position in it, drawn as a line, "" without one.
	Fills []Fill
	Entry string
}

// Fill is one of the account's trades, as a chart marks it.
type Fill struct {
	Time  int64  // epoch ms
	Side  string // BUY or SELL
	Price string // the exchange's decimal string
}

// Series publishes one series: first data/klines/<name>.json, then the
// chart page <name>.html, where name is SeriesName. Both are built before
// either is written, so a series that cannot be rendered, such as one with a
// price that is not a plain decimal, leaves the published files as they
// were. When the JSON cannot be written, the page is not touched. A file
// whose content is unchanged is not rewritten. Each file gets a gzip copy
// beside it (see writePair).
func (r *Renderer) Series(s kline.Series, m SeriesMeta) error {
	if err := checkSeries(s.Symbol, s.Interval); err != nil {
		return fmt.Errorf("render series: %w", err)
	}
	name := SeriesName(s.Symbol, s.Interval)

	data, err := encodeSnapshot(s, m)
	if err != nil {
		return fmt.Errorf("render series %s: %w", name, err)
	}
	page, err := r.seriesPage(s, m, data)
	if err != nil {
		return fmt.Errorf("render series %s: %w", name, err)
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	jsonPath := filepath.Join(r.dir, "data", "klines", name+".json")
	if _, err := writePair(jsonPath, data); err != nil {
		return fmt.Errorf("publish series %s: %w", name, err)
	}
	htmlPath := filepath.Join(r.dir, name+".html")
	if _, err := writePair(htmlPath, page); err != nil {
		return fmt.Errorf("publish page %s: %w", name, err)
	}
	return nil
}

// encodeSnapshot writes the series' JSON: a few header fields, then one
// candle per line, which keeps a 1500-candle file readable and small. The
// candles are kline.Candle's own JSON, so every decimal string is copied
// byte for byte. Values are checked by the page (see checkCandle), which
// Series builds before writing either file.
func encodeSnapshot(s kline.Series, m SeriesMeta) ([]byte, error) {
	gaps := s.Gaps
	if gaps == nil {
		gaps = []kline.Gap{}
	}
	head := []struct {
		key string
		val any
	}{
		{"symbol", s.Symbol},
		{"interval", s.Interval},
		{"fetched_at", utcOrNil(&m.FetchedAt)},
		{"stale", m.Stale},
		{"stale_since", utcOrNil(m.StaleSince)},
		{"count", len(s.Candles)},
		{"gaps", gaps},
	}

	var b bytes.Buffer
	b.WriteString("{\n")
	for _, f := range head {
		v, err := json.Marshal(f.val)
		if err != nil {
			return nil, fmt.Errorf("encode %s: %w", f.key, err)
		}
		fmt.Fprintf(&b, "  %q: %s,\n", f.key, v)
	}
	// The encoder writes each candle straight into b, as json.Marshal
	// would but without a copy per candle. It ends each with a newline,
	// cut here because the comma between candles comes first.
	b.Grow(len(s.Candles) * 300)
	enc := json.NewEncoder(&b)
	b.WriteString(`  "candles": [`)
	for i, c := range s.Candles {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString("\n    ")
		if err := enc.Encode(c); err != nil {
			return nil, fmt.Errorf("encode candle %d: %w", i, err)
		}
		b.Truncate(b.Len() - 1)
	}
	if len(s.Candles) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	return b.Bytes(), nil
}

// utcOrNil returns t in UTC, or nil for a nil or zero time so that JSON
// shows null rather than year 1.
func utcOrNil(t *time.Time) *time.Time {
	if t == nil || t.IsZero() {
		return nil
	}
	u := t.UTC()
	return &u
}

// seriesPage is the view series.html is filled from.
type seriesPage struct {
	Title, Symbol, Interval string
	// Zone names the page zone; Offset is its offset from UTC now.
	Zone, Offset string
	// Script, Index and Data are URLs relative to the output folder.
	Script, Index, Data string
	// PageVersion changes whenever the page does; the page's refresh
	// compares it to tell a new page from the one it shows.
	PageVersion string

	// Count is the snapshot's candles; Shown those on the chart.
	Count, Shown int
	First, Last  string
	// Coarse is the interval of the long view, "" without one.
	Coarse string
	// LastPrice is the newest close; Change the move since the first
	// open, in percent with a sign, "" when it cannot be computed.
	LastPrice, Change string
	Down              bool
	FetchedAt         string
	Live              liveTimes
	Stale             bool
	StaleSince        string
	// Open is the label of a candle still open when fetched, if any.
	Open     string
	GapCount int
	Gaps     []string

	Chart, ChartScript template.HTML
	// Rows, ChartData and Overview are snapshotRows, snapshotChart and
	// the long view; see pageData. Helpers is optionJS.
	Rows, ChartData, Overview, Helpers template.JS

	Version, Generated string
}

func (r *Renderer) seriesPage(s kline.Series, m SeriesMeta, data []byte) ([]byte, error) {
	ch, err := r.chart(s, m)
	if err != nil {
		return nil, err
	}
	v := seriesPage{
		Title:       SeriesName(s.Symbol, s.Interval) + " · snapshotter",
		Symbol:      s.Symbol,
		Interval:    string(s.Interval),
		Zone:        r.zone(),
		Offset:      r.offset(m.FetchedAt),
		Script:      r.script,
		Index:       "index.html",
		Data:        DataURL(s.Symbol, s.Interval),
		PageVersion: contentVersion(data),
		Count:       len(s.Candles),
		Shown:       ch.shown,
		Coarse:      string(ch.coarse),
		FetchedAt:   r.clock(m.FetchedAt),
		Live:        seriesLive(s.Interval, m.FetchedAt),
		Stale:       m.Stale,
		GapCount:    len(s.Gaps),
		Chart:       template.HTML(ch.element),
		ChartScript: template.HTML(ch.script),
		Rows:        ch.rows,
		ChartData:   ch.chart,
		Overview:    ch.overview,
		Helpers:     optionJS,
		First:       ch.first,
		Last:        ch.last,
		Version:     r.version,
	}
	if n := len(s.Candles); n > 0 {
		last := s.Candles[n-1]
		v.LastPrice = groupDigits(last.Close)
		v.Change, v.Down = change(s.Candles[0].Open, last.Close)
	}
	if v.FetchedAt == "" {
		v.FetchedAt = "never"
	}
	if m.StaleSince != nil {
		v.StaleSince = r.clock(*m.StaleSince)
	}
	if ch.open >= 0 {
		shown := s.Candles[len(s.Candles)-ch.shown:]
		v.Open = r.label(shown[ch.open].OpenTime)
	}
	for _, g := range s.Gaps {
		v.Gaps = append(v.Gaps, r.gapText(g))
	}

	// The data is most of the page; the rest is a few kilobytes.
	var b bytes.Buffer
	b.Grow(len(ch.rows) + len(ch.chart) + len(ch.overview) + len(ch.script) + 24<<10)
	if err := r.seriesTpl.Execute(&b, v); err != nil {
		return nil, fmt.Errorf("execute series template: %w", err)
	}
	return b.Bytes(), nil
}

// gapText describes a gap by the open times it spans, both included.
func (r *Renderer) gapText(g kline.Gap) string {
	from := r.label(g.From)
	if g.To == g.From {
		return from
	}
	return from + " to " + r.label(g.To)
}

// label formats an open time in epoch milliseconds for the time axis.
func (r *Renderer) label(ms int64) string {
	return time.UnixMilli(ms).In(r.loc).Format(labelLayout)
}
