package exchange

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"strconv"
	"time"

	"snapshotter/internal/kline"
)

// generator makes up a market's candles from its symbol and the time
// alone. Prices follow one path p(t) shared by every interval, so a candle's
// close is the next candle's open, and an hour's open is its first minute's
// open. The path is slow waves plus smooth noise at several scales, so it
// looks like a market at any zoom.
type generator struct {
	seed      uint64
	level     float64 // price at the anchor, or the typical price
	offset    float64 // log path at the anchor; zero when not anchored
	pricePrec int
	qtyPrec   int
	// quotePerMinute is the market's typical traded value per minute.
	quotePerMinute float64
}

// waves are the slow swings of the log price: period and amplitude.
var waves = []struct {
	period time.Duration
	amp    float64
}{
	{17 * 24 * time.Hour, 0.08},
	{74 * time.Hour, 0.012},
	{9*time.Hour + 41*time.Minute, 0.005},
	{83 * time.Minute, 0.002},
}

// noises are the smooth random moves of the log price: the spacing of the
// random points and their size. Bigger steps move further, as in a market.
var noises = []struct {
	step time.Duration
	amp  float64
}{
	{time.Minute, 0.0006},
	{12 * time.Minute, 0.0018},
	{3 * time.Hour, 0.007},
	{36 * time.Hour, 0.02},
}

// samples is how many points of the path each candle's high and low look
// at, besides its open and close.
const samples = 12

func newGenerator(symbol string, level float64, pricePrec, qtyPrec int) generator {
	seed := seedOf(symbol)
	return generator{
		seed:           seed,
		level:          level,
		pricePrec:      pricePrec,
		qtyPrec:        qtyPrec,
		quotePerMinute: 2e4 * (1 + 49*unit(hash(seed, 3))),
	}
}

// anchoredAt returns the same path moved so that it passes through price
// at t, for continuing a recording.
func (g generator) anchoredAt(price float64, t time.Time) generator {
	g.level, g.offset = price, g.logPath(t.UnixMilli())
	return g
}

// price is the path at epoch milliseconds ms.
func (g generator) price(ms int64) float64 {
	return g.level * math.Exp(g.logPath(ms)-g.offset)
}

func (g generator) logPath(ms int64) float64 {
	var f float64
	for i, w := range waves {
		phase := 2 * math.Pi * unit(hash(g.seed, 100+int64(i)))
		f += w.amp * math.Sin(2*math.Pi*float64(ms)/float64(w.period.Milliseconds())+phase)
	}
	for i, n := range noises {
		f += n.amp * g.noise(int64(i), ms, n.step.Milliseconds())
	}
	return f
}

// noise is smooth value noise in [-1, 1]: random values at multiples of
// step, eased between them.
func (g generator) noise(layer, ms, step int64) float64 {
	k := ms / step
	if ms < 0 && ms%step != 0 {
		k--
	}
	x := float64(ms-k*step) / float64(step)
	a := 2*unit(hash(g.seed, 200+layer, k)) - 1
	b := 2*unit(hash(g.seed, 200+layer, k+1)) - 1
	return a + (b-a)*x*x*(3-2*x)
}

// candle returns the candle of iv opening at open. When now falls inside
// it, the candle is the still open one: close, high, low and volumes as
// they stand at now.
func (g generator) candle(iv kline.Interval, open, now time.Time) kline.Candle {
	next := iv.Next(open)
	end := next
	if now.Before(next) {
		end = now
	}
	full := next.Sub(open)
	done := float64(end.Sub(open)) / float64(full)

	o := g.price(open.UnixMilli())
	c := g.price(end.UnixMilli())
	hi, lo := g.extremes(open, end, full, o, c)
	wick := 0.0003 * math.Sqrt(full.Minutes()) * done
	hi *= 1 + wick*unit(hash(g.seed, 300, open.UnixMilli()))
	lo *= 1 - wick*unit(hash(g.seed, 301, open.UnixMilli()))

	out := kline.Candle{
		OpenTime:  open.UnixMilli(),
		CloseTime: next.UnixMilli() - 1,
		Open:      g.formatPrice(o),
		High:      g.formatPrice(hi),
		Low:       g.formatPrice(lo),
		Close:     g.formatPrice(c),
		Closed:    !now.Before(next),
	}
	g.fillVolumes(&out, open, end.Sub(open), averagePrice(out))
	return out
}

// extremes is the highest and lowest of the path over [open, end], read
// at the candle's sample points.
func (g generator) extremes(open, end time.Time, full time.Duration,
	o, c float64) (hi, lo float64) {
	hi, lo = max(o, c), min(o, c)
	for i := 1; i < samples; i++ {
		t := open.Add(full * time.Duration(i) / samples)
		if !t.Before(end) {
			break
		}
		p := g.price(t.UnixMilli())
		hi, lo = max(hi, p), min(lo, p)
	}
	return hi, lo
}

// fillVolumes sets base and quote volume, trades and the taker-buy share
// for a candle that has traded for span at an average price avg.
func (g generator) fillVolumes(c *kline.Candle, open time.Time, span time.Duration,
	avg float64) {
	ms := open.UnixMilli()
	quote := g.quotePerMinute * span.Minutes() * (0.4 + 1.2*unit(hash(g.seed, 400, ms)))
	vol := roundTo(quote/avg, g.qtyPrec)
	taker := roundTo(vol*(0.35+0.3*unit(hash(g.seed, 401, ms))), g.qtyPrec)
	tradeSize := 300 + 2700*unit(hash(g.seed, 402))

	quotePrec := min(g.pricePrec+g.qtyPrec, 8)
	c.Volume = strconv.FormatFloat(vol, 'f', g.qtyPrec, 64)
	c.QuoteVolume = strconv.FormatFloat(vol*avg, 'f', quotePrec, 64)
	c.TakerBuyBase = strconv.FormatFloat(taker, 'f', g.qtyPrec, 64)
	c.TakerBuyQuote = strconv.FormatFloat(taker*avg, 'f', quotePrec, 64)
	c.Trades = int64(quote / tradeSize)
	if vol > 0 && c.Trades == 0 {
		c.Trades = 1
	}
}

// averagePrice is the mean of a candle's four prices as printed, so that
// quote volume over base volume stays between its low and high.
func averagePrice(c kline.Candle) float64 {
	var sum float64
	for _, s := range []string{c.Open, c.High, c.Low, c.Close} {
		p, _ := strconv.ParseFloat(s, 64) // printed by formatPrice: always valid
		sum += p
	}
	return sum / 4
}

func (g generator) formatPrice(p float64) string {
	return strconv.FormatFloat(p, 'f', g.pricePrec, 64)
}

// roundTo rounds x to the given number of decimals.
func roundTo(x float64, decimals int) float64 {
	f := math.Pow(10, float64(decimals))
	return math.Round(x*f) / f
}

// seedOf is the FNV-1a hash of a symbol, the root of all its randomness.
func seedOf(symbol string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(symbol))
	return h.Sum64()
}

// hash mixes a seed with numbers into a new pseudo-random value with
// FNV-1a, so the same inputs always give the same value.
func hash(seed uint64, parts ...int64) uint64 {
	h := fnv.New64a()
	var buf [8]byte
	binary.LittleEndian.PutUint64(buf[:], seed)
	h.Write(buf[:])
	for _, p := range parts {
		binary.LittleEndian.PutUint64(buf[:], uint64(p))
		h.Write(buf[:])
	}
	// FNV leaves the low bits weakly mixed; fold the high bits in.
	v := h.Sum64()
	v ^= v >> 29
	v *= 0xbf58476d1ce4e5b9
	return v ^ v>>32
}

// unit maps a hash to [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }
