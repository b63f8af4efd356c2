package compare

import (
	"time"

	"snapshotter/internal/config"
	"snapshotter/internal/kline"
)

// Weights of the calls the lower bound makes, as the exchange documents
// them: a klines request of fewer than 100 candles, the account (balances
// and positions), one symbol's trades, and the income history.
const (
	boundKlines  = 1
	boundAccount = 5
	boundTrades  = 5
	boundIncome  = 30
)

// Part is one kind of request in the lower bound: how many in the stretch
// and their weight.
type Part struct {
	Name     string
	Requests int
	Weight   int
}

// Bound is the least that REST polling can spend to deliver every closed
// candle and the account at the configured cadence over a stretch.
type Bound struct {
	Parts []Part
}

// Requests is the bound's total number of requests.
func (b Bound) Requests() int {
	n := 0
	for _, p := range b.Parts {
		n += p.Requests
	}
	return n
}

// Weight is the bound's total weight.
func (b Bound) Weight() int {
	n := 0
	for _, p := range b.Parts {
		n += p.Weight
	}
	return n
}

// lowerBound works out, for the stretch (from, to], the least weight that
// delivers what the workload shows at the account's configured cadence:
//
//   - one weight-1 klines request per chart per candle that closes;
//   - one account request (balances and positions) per account run,
//     runs falling every acct.Every after start;
//   - one income request per acct.IncomeEvery, on the same grid;
//   - one trades request per traded symbol per account run that follows
//     at least one new fill of that symbol, as if the poller knew which
//     symbols had traded without asking.
//
// fills are the account's trade times by symbol. Nothing is counted for
// the start: backfills and history are one-off costs of any design.
func lowerBound(symbols []string, iv kline.Interval, acct config.Account,
	fills map[string][]time.Time, start, from, to time.Time) Bound {
	charts := len(symbols) * ticks(time.Unix(0, 0), from, to, iv.Approx())
	runs := ticks(start, from, to, acct.Every.Duration)
	incomes := ticks(start, from, to, acct.IncomeEvery.Duration)
	trades := 0
	for _, times := range fills {
		trades += runsWithFills(times, start, from, to, acct.Every.Duration)
	}
	return Bound{Parts: []Part{
		{"klines", charts, charts * boundKlines},
		{"account", runs, runs * boundAccount},
		{"income", incomes, incomes * boundIncome},
		{"userTrades", trades, trades * boundTrades},
	}}
}

// ticks counts the moments start + k×every, k ≥ 0, in (from, to]. Candle
// closes are ticks from any close, such as the Unix epoch.
func ticks(start, from, to time.Time, every time.Duration) int {
	if every <= 0 || !to.After(from) {
		return 0
	}
	// index of the last tick at or before t
	last := func(t time.Time) int64 {
		d := t.Sub(start)
		k := int64(d / every)
		if d < 0 && d%every != 0 {
			k--
		}
		return k
	}
	return int(last(to) - last(from))
}

// runsWithFills counts the account runs, every apart from start, that
// are the first run at or after at least one of the fills, among the runs
// in (from, to].
func runsWithFills(fills []time.Time, start, from, to time.Time,
	every time.Duration) int {
	runs := map[int64]bool{}
	for _, f := range fills {
		d := f.Sub(start)
		k := int64(d / every)
		if d%every != 0 && d > 0 {
			k++ // the first run after the fill
		}
		run := start.Add(time.Duration(k) * every)
		if run.After(from) && !run.After(to) {
			runs[k] = true
		}
	}
	return len(runs)
}
