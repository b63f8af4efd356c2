package compare

import (
	"net/http"
	"sort"
	"time"
)

// Figures are one strategy's results over the measured stretch.
type Figures struct {
	Name string
	// Hours is the length of the measured stretch.
	Hours float64
	// Requests and Weight reached the exchange in the stretch; Weight is
	// what the exchange charged (nothing for requests it refused), Asked
	// what the requests would have cost had it served them all.
	Requests, Weight, Asked int
	// PeakMinute is the most weight charged in one calendar minute of the
	// stretch, the exchange's unit for its limit.
	PeakMinute int
	// Banned counts requests answered 418: sent while the IP was banned.
	Banned int
	// ViewerCaused is how many more requests reached the exchange with the
	// viewers than in the same run without any.
	ViewerCaused int
	// Delays are, for every candle that closed in the stretch, sorted, how
	// long after its close it was there to be seen; Unseen candles never
	// were before the end.
	Delays []time.Duration
	Unseen int
	// ByPath is the weight charged in the stretch per exchange path.
	ByPath map[string]int
}

// PerHour returns n per hour of the stretch.
func (f Figures) PerHour(n int) float64 { return float64(n) / f.Hours }

// Freshness returns the q-quantile of the delays, false when it falls
// among the unseen candles.
func (f Figures) Freshness(q float64) (time.Duration, bool) {
	return percentile(f.Delays, f.Unseen, q)
}

// measure computes the figures from the log of a run with viewers
// (with), the log of the same run without viewers (quiet), and the
// candles' visibility.
func measure(name string, w Workload, with, quiet []record, fresh *tracker) Figures {
	from, to := w.From(), w.End()
	f := Figures{Name: name, Hours: w.Hours(), ByPath: map[string]int{}}
	for _, r := range within(with, from, to) {
		f.Requests++
		f.Weight += r.weight
		f.Asked += r.asked
		f.ByPath[r.path] += r.weight
		if r.status == http.StatusTeapot {
			f.Banned++
		}
	}
	f.PeakMinute = peakMinute(with, from, to)
	f.ViewerCaused = f.Requests - len(within(quiet, from, to))
	f.Delays, f.Unseen = fresh.delays(w.Symbols, w.Interval, from, to)
	sort.Slice(f.Delays, func(i, j int) bool { return f.Delays[i] < f.Delays[j] })
	return f
}

// within returns the records of [from, to), which must be in time order.
func within(recs []record, from, to time.Time) []record {
	i := sort.Search(len(recs), func(i int) bool { return !recs[i].at.Before(from) })
	j := sort.Search(len(recs), func(i int) bool { return !recs[i].at.Before(to) })
	return recs[i:j]
}

// peakMinute returns the most weight charged in one calendar minute among
// the records of [from, to).
func peakMinute(recs []record, from, to time.Time) int {
	per := map[int64]int{}
	peak := 0
	for _, r := range within(recs, from, to) {
		m := r.at.Unix() / 60
		per[m] += r.weight
		peak = max(peak, per[m])
	}
	return peak
}
