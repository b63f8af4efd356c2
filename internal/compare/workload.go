package compare

import (
	"math/rand/v2"
	"sort"
	"time"

	"snapshotter/internal/exchange"
	"snapshotter/internal/kline"
)

// Workload is what every strategy is measured on: the charts, the account,
// the viewers and the simulated stretch.
type Workload struct {
	// Symbols are charted, each with Keep candles of Interval.
	Symbols  []string
	Interval kline.Interval
	Keep     int
	// Traded are the symbols the account trades; every other charted
	// symbol shows no trades.
	Traded []string

	// Viewers each reload the dashboard every Reload, give or take Jitter,
	// from a first load at a random moment of the first Reload.
	Viewers int
	Reload  time.Duration
	Jitter  time.Duration
	// Seed draws the viewers' moments, the same for every strategy.
	Seed uint64

	// Start is when the simulated run begins. The first Warmup holds the
	// start-up (backfills, the account's history) and is left out of the
	// figures, which cover the Measure after it.
	Start   time.Time
	Warmup  time.Duration
	Measure time.Duration
}

// Reference returns the workload issue 6 asks for: 10 symbols of 5m
// candles, 288 on each chart, an account trading three of them, and 20
// viewers reloading every 30 s, measured over 6 simulated hours after a
// 30-minute warm-up.
func Reference() Workload {
	return Workload{
		Symbols: []string{"BTCUSDT", "ETHUSDT", "ASTERUSDT", "REZUSDT", "币安人生USDT",
			"SOLUSDT", "BNBUSDT", "XRPUSDT", "DOGEUSDT", "ADAUSDT"},
		Interval: "5m",
		Keep:     288,
		Traded:   []string{"BTCUSDT", "ETHUSDT", "ASTERUSDT"},
		Viewers:  20,
		Reload:   30 * time.Second,
		Jitter:   500 * time.Millisecond,
		Seed:     6,
		Start:    time.Date(2026, 3, 2, 8, 2, 0, 0, time.UTC),
		Warmup:   30 * time.Minute,
		Measure:  6 * time.Hour,
	}
}

// From is where the measured stretch begins.
func (w Workload) From() time.Time { return w.Start.Add(w.Warmup) }

// End is where the run ends.
func (w Workload) End() time.Time { return w.From().Add(w.Measure) }

// Hours is the measured stretch in hours.
func (w Workload) Hours() float64 { return w.Measure.Hours() }

// The account's credentials on the built-in exchange. They are made up
// for this benchmark and open nothing anywhere else.
const (
	benchAPIKey = "bEnChApIkEy0123456789abcdefBENCHKEY0123456789abcdefBENCHKEY01234"
	benchSecret = "bEnChSeCrEt0123456789abcdefBENCHSECRET0123456789abcdefBENCHSEC0"
)

// exchangeConfig is the built-in exchange for w: its symbols, generated,
// and an account that has traded since 30 days before the run.
func (w Workload) exchangeConfig() exchange.Config {
	known := map[string]exchange.Market{}
	for _, m := range exchange.DefaultMarkets() {
		known[m.Symbol] = m
	}
	var markets []exchange.Market
	for _, s := range w.Symbols {
		m, ok := known[s]
		if !ok {
			m = exchange.Market{Symbol: s}
		}
		markets = append(markets, m)
	}
	acct := exchange.Account{APIKey: benchAPIKey, Secret: benchSecret,
		Start: w.Start.Add(-30 * 24 * time.Hour), Symbols: w.Traded, Seed: 7}
	return exchange.Config{Markets: markets, Accounts: []exchange.Account{acct}}
}

// views returns the moments of every dashboard view from Start to End,
// in order. Each viewer starts at a random moment of the first Reload and
// then reloads every Reload, give or take up to Jitter, as a browser's
// timer plus the page's own loading would.
func (w Workload) views() []time.Time {
	rng := rand.New(rand.NewPCG(w.Seed, 30))
	end := w.End()
	var out []time.Time
	for range w.Viewers {
		t := w.Start.Add(time.Duration(rng.Int64N(int64(w.Reload))))
		for t.Before(end) {
			out = append(out, t)
			jitter := time.Duration(0)
			if w.Jitter > 0 {
				jitter = time.Duration(rng.Int64N(int64(2*w.Jitter))) - w.Jitter
			}
			t = t.Add(w.Reload + jitter)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Before(out[j]) })
	return out
}
