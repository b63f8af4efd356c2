package compare

import (
	"math"
	"sort"
	"sync"
	"time"

	"snapshotter/internal/kline"
)

// tracker records, per symbol, when each closed candle first became
// visible: the moment the data served to viewers first held it closed.
// It is safe for concurrent use.
type tracker struct {
	mu     sync.Mutex
	events map[string][]visible // per symbol, in the order observed
}

// visible says that from at on, candles up to the one opening at newest
// (epoch ms) were there to be seen closed.
type visible struct {
	at     time.Time
	newest int64
}

func newTracker() *tracker { return &tracker{events: map[string][]visible{}} }

// observe notes that at at, what viewers are served holds the symbol's
// closed candles up to the one opening at newest. Older news is ignored.
func (t *tracker) observe(symbol string, newest int64, at time.Time) {
	t.mu.Lock()
	defer t.mu.Unlock()
	evs := t.events[symbol]
	if n := len(evs); n > 0 && evs[n-1].newest >= newest {
		return
	}
	t.events[symbol] = append(evs, visible{at, newest})
}

// delays returns, for every candle of the symbols that closed in (from,
// to], how long after its close it became visible, and how many never
// did. A candle closes when the next one opens.
func (t *tracker) delays(symbols []string, iv kline.Interval, from,
	to time.Time) (out []time.Duration, unseen int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	step := iv.Approx()
	first := from.Truncate(step).Add(step)
	for _, sym := range symbols {
		evs := t.events[sym]
		for close := first; !close.After(to); close = close.Add(step) {
			open := close.Add(-step).UnixMilli()
			i := sort.Search(len(evs), func(i int) bool { return evs[i].newest >= open })
			if i == len(evs) {
				unseen++
				continue
			}
			out = append(out, evs[i].at.Sub(close))
		}
	}
	return out, unseen
}

// newestClosed returns the open time of the newest closed candle among
// cs, and false when none is closed.
func newestClosed(cs []kline.Candle) (int64, bool) {
	for i := len(cs) - 1; i >= 0; i-- {
		if cs[i].Closed {
			return cs[i].OpenTime, true
		}
	}
	return 0, false
}

// percentile returns the q-quantile (0 < q <= 1) by nearest rank of
// sorted durations followed by unseen ones, which count as longer than
// any. It returns false when that rank falls among the unseen, or there
// is nothing to rank.
func percentile(sorted []time.Duration, unseen int, q float64) (time.Duration, bool) {
	n := len(sorted) + unseen
	if n == 0 {
		return 0, false
	}
	// The rank is ceil(q×n); the small allowance keeps 0.95×20 from
	// rounding up past 19.
	rank := int(math.Ceil(q*float64(n)-1e-9)) - 1
	rank = max(0, min(rank, n-1))
	if rank >= len(sorted) {
		return 0, false
	}
	return sorted[rank], true
}
