package exchange

import (
	"math"
	"slices"
	"time"

	"snapshotter/internal/kline"
)

// Market is one symbol the exchange lists and where its candles come from.
// A Market built as a literal generates its candles; LoadReplay returns one
// that replays a recording.
type Market struct {
	// Symbol is the exchange's name, such as "BTCUSDT" or "币安人生USDT".
	Symbol string
	// Status is the exchangeInfo status, such as "TRADING" or "SETTLING".
	// Empty means "TRADING".
	Status string
	// Price is the level generated prices move around, in quote currency.
	// Zero means a level picked from the symbol's hash.
	Price float64
	// PricePrecision is the number of decimals of every price. Zero means
	// about six significant digits at Price (1 for 100000).
	PricePrecision int
	// QuantityPrecision is the number of decimals of base volumes. Zero
	// means 3 at a Price of 100000 and above, one fewer for each factor of
	// ten below, and 0 under 1000.
	QuantityPrecision int
	// Listed is when the symbol was listed: no candle opens before it.
	// Zero means candles go back to 1970.
	Listed time.Time
	// Delisted, when set, ends the candles: none opens at or after it.
	Delisted time.Time
	// Gaps are stretches of open times, both ends included, in epoch
	// milliseconds, for which the exchange has no candles, as after an
	// outage.
	Gaps []kline.Gap

	recordings []*recording
}

// DefaultMarkets returns the markets a zero Config serves: BTCUSDT and
// ETHUSDT with Aster's precisions, a small cap, a symbol that is not ASCII,
// and a symbol being settled whose candles stopped.
func DefaultMarkets() []Market {
	return []Market{
		{Symbol: "BTCUSDT", Price: 100000, PricePrecision: 1, QuantityPrecision: 3},
		{Symbol: "ETHUSDT", Price: 3500, PricePrecision: 2, QuantityPrecision: 3},
		{Symbol: "ASTERUSDT", Price: 1.2, PricePrecision: 4, QuantityPrecision: 2},
		{Symbol: "REZUSDT", Price: 0.035, PricePrecision: 7},
		{Symbol: "币安人生USDT", Price: 0.0123, PricePrecision: 7},
		{
			Symbol: "OLDCOINUSDT", Status: "SETTLING", Price: 0.25, PricePrecision: 5,
			Delisted: time.Date(2025, 6, 1, 8, 0, 0, 0, time.UTC),
		},
	}
}

// market is a Market placed on a server: defaults applied, recordings
// moved to the server's time, and a generator for everything else.
type market struct {
	Market
	gen     generator
	replays map[kline.Interval]*replay
}

// buildMarkets merges entries that share a symbol, applies defaults and
// places recordings relative to now.
func buildMarkets(list []Market, now time.Time) []*market {
	var out []*market
	seen := make(map[string]*market)
	for _, cfg := range list {
		if cfg.Symbol == "" {
			panic("exchange: market without a symbol")
		}
		if m, ok := seen[cfg.Symbol]; ok {
			m.recordings = append(m.recordings, cfg.recordings...)
			continue
		}
		m := &market{Market: cfg}
		m.recordings = append([]*recording(nil), cfg.recordings...)
		seen[cfg.Symbol] = m
		out = append(out, m)
	}
	for _, m := range out {
		m.place(now)
	}
	return out
}

// place applies the defaults and moves the recordings to now. Intervals
// without a recording follow the first recording's price level.
func (m *market) place(now time.Time) {
	if m.Status == "" {
		m.Status = "TRADING"
	}
	if m.Price <= 0 {
		m.Price = hashedPrice(m.Symbol)
	}
	if m.PricePrecision <= 0 {
		m.PricePrecision = priceDecimals(m.Price)
	}
	if m.QuantityPrecision <= 0 {
		m.QuantityPrecision = quantityDecimals(m.Price)
	}

	base := newGenerator(m.Symbol, m.Price, m.PricePrecision, m.QuantityPrecision)
	m.gen = base
	m.replays = make(map[kline.Interval]*replay)
	for _, rec := range m.recordings {
		if _, dup := m.replays[rec.iv]; dup {
			continue
		}
		r := rec.place(now, base)
		if len(m.replays) == 0 {
			m.gen = r.cont
		}
		m.replays[rec.iv] = r
	}
}

// hashedPrice picks a price level between 0.001 and 100000 from the symbol.
func hashedPrice(symbol string) float64 {
	h := hash(seedOf(symbol), 1)
	return math.Pow(10, float64(h%8)-3) * (1 + 9*unit(hash(h, 2)))
}

// priceDecimals gives about six significant digits at price p.
func priceDecimals(p float64) int {
	return min(max(6-int(math.Floor(math.Log10(p))), 0), 8)
}

// quantityDecimals keeps the smallest quantity worth about 100 quote units
// or less for expensive coins, and whole units for cheap ones.
func quantityDecimals(p float64) int {
	return min(max(int(math.Floor(math.Log10(p)))-2, 0), 3)
}

// candle returns the candle of iv opening at open as it stands at now, and
// false when the market has none there.
func (m *market) candle(iv kline.Interval, open, now time.Time) (kline.Candle, bool) {
	if r, ok := m.replays[iv]; ok {
		return r.candle(open, now)
	}
	return m.gen.candle(iv, open, now), true
}

// earliest is the first instant a candle of iv may open.
func (m *market) earliest(iv kline.Interval) time.Time {
	first := time.UnixMilli(0).UTC()
	if m.Listed.After(first) {
		first = m.Listed
	}
	if r, ok := m.replays[iv]; ok && r.first.After(first) {
		first = r.first
	}
	return first
}

// latest is the last instant a candle may open at now: the open candle's
// open time at the latest, and before Delisted.
func (m *market) latest(now time.Time) time.Time {
	if !m.Delisted.IsZero() && !now.Before(m.Delisted) {
		return m.Delisted.Add(-time.Millisecond)
	}
	return now
}

// gapAt returns the gap that open time t falls in.
func (m *market) gapAt(t time.Time) (kline.Gap, bool) {
	ms := t.UnixMilli()
	for _, g := range m.Gaps {
		if g.From <= ms && ms <= g.To {
			return g, true
		}
	}
	return kline.Gap{}, false
}

// oldest returns up to limit candles of iv, oldest first: the first
// ones opening in [from, to] and not after now.
func (m *market) oldest(iv kline.Interval, from, to time.Time, limit int,
	now time.Time) []kline.Candle {
	if e := m.earliest(iv); from.Before(e) {
		from = e
	}
	if l := m.latest(now); to.After(l) {
		to = l
	}

	out := []kline.Candle{}
	for o := ceilOpen(iv, from); !o.After(to) && len(out) < limit; {
		if g, ok := m.gapAt(o); ok {
			o = ceilOpen(iv, time.UnixMilli(g.To+1))
			continue
		}
		if c, ok := m.candle(iv, o, now); ok {
			out = append(out, c)
		}
		o = iv.Next(o)
	}
	return out
}

// newest returns up to limit candles of iv, oldest first: the newest
// ones opening at or before to and not after now.
func (m *market) newest(iv kline.Interval, to time.Time, limit int,
	now time.Time) []kline.Candle {
	if l := m.latest(now); to.After(l) {
		to = l
	}
	first := m.earliest(iv)

	out := []kline.Candle{}
	for o := iv.OpenTime(to); !o.Before(first) && len(out) < limit; {
		if g, ok := m.gapAt(o); ok {
			o = iv.OpenTime(time.UnixMilli(g.From - 1))
			continue
		}
		if c, ok := m.candle(iv, o, now); ok {
			out = append(out, c)
		}
		o = iv.Prev(o)
	}
	slices.Reverse(out)
	return out
}

// ceilOpen is the first open time of iv at or after t.
func ceilOpen(iv kline.Interval, t time.Time) time.Time {
	o := iv.OpenTime(t)
	if o.Before(t) {
		o = iv.Next(o)
	}
	return o
}
