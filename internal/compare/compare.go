package compare

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"time"

	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/sign"
)

// Bubble runs f inside a testing/synctest bubble and returns once f and
// every goroutine it started have ended. Tests make one with
// synctest.Test; the bubble's clock starts at midnight UTC, 2000-01-01.
type Bubble func(f func())

// Row is one strategy's line in the report.
type Row struct {
	Figures
	// Product rows: the configuration's tuning, the lower bound at its
	// cadence, when the viewers saw each candle, and the daemon's Error
	// lines.
	Product   bool
	Tuning    Tuning
	Bound     Bound
	Seen      []time.Duration
	SeenNever int
	Errors    []string
	// Warmup is the start: the requests and weight of the warm-up, and
	// its busiest minute.
	Warmup     Part
	WarmupPeak int
}

// Report is every strategy measured on one workload.
type Report struct {
	Workload Workload
	Rows     []Row
}

// Compare runs the per-view design, the cached proxy and the product with
// each tuning (the defaults first) on w, each in its own bubble, twice:
// with the viewers and without them, to tell which requests the viewers
// caused. echarts is the chart script the product's renderer copies.
func Compare(w Workload, echarts string, tunings []Tuning, bubble Bubble) (Report, error) {
	views := w.views()
	rep := Report{Workload: w}
	naive := []struct {
		name string
		run  func(Workload, []time.Time, *tracker) *upstream
	}{{"per-view", runPerView}, {"cached proxy", runProxy}}
	for _, s := range naive {
		var with, quiet *upstream
		fresh := newTracker()
		bubble(func() { sleepUntil(w.Start); with = s.run(w, views, fresh) })
		bubble(func() { sleepUntil(w.Start); quiet = s.run(w, nil, newTracker()) })
		rep.Rows = append(rep.Rows, Row{Figures: measure(s.name, w, with.records(),
			quiet.records(), fresh)})
	}
	fills, err := accountFills(w, bubble)
	if err != nil {
		return rep, err
	}
	for _, t := range tunings {
		row, err := measureProduct(w, views, echarts, t, fills, bubble)
		if err != nil {
			return rep, err
		}
		rep.Rows = append(rep.Rows, row)
	}
	return rep, nil
}

// measureProduct runs the product with tuning t, with and without the
// viewers, and works out the lower bound at its account cadence.
func measureProduct(w Workload, views []time.Time, echarts string, t Tuning,
	fills map[string][]time.Time, bubble Bubble) (Row, error) {
	var with, quiet *upstream
	var run productRun
	var err, quietErr error
	fresh, seen := newTracker(), newTracker()
	bubble(func() {
		sleepUntil(w.Start)
		with, run, err = runProduct(w, views, echarts, t, fresh, seen)
	})
	bubble(func() {
		sleepUntil(w.Start)
		quiet, _, quietErr = runProduct(w, nil, echarts, t, newTracker(), newTracker())
	})
	if err != nil || quietErr != nil {
		return Row{}, fmt.Errorf("snapshotter (%s): %w", t, errors.Join(err, quietErr))
	}
	name := "snapshotter"
	if t != (Tuning{}) {
		name += ", " + t.String()
	}
	row := Row{Figures: measure(name, w, with.records(), quiet.records(), fresh),
		Product: true, Tuning: t, Errors: run.errors}
	row.Seen, row.SeenNever = seen.delays(w.Symbols, w.Interval, w.From(), w.End())
	row.Warmup.Name = "warm-up"
	for _, r := range within(with.records(), w.Start, w.From()) {
		row.Warmup.Requests++
		row.Warmup.Weight += r.weight
	}
	row.WarmupPeak = peakMinute(with.records(), w.Start, w.From())
	sort.Slice(row.Seen, func(i, j int) bool { return row.Seen[i] < row.Seen[j] })

	acct := config.DefaultAccount()
	if t.AccountEvery > 0 {
		acct.Every.Duration = t.AccountEvery
	}
	row.Bound = lowerBound(w.Symbols, w.Interval, acct, fills, w.Start, w.From(), w.End())
	return row, nil
}

// accountFills reads the times of the account's trades in the measured
// stretch from a twin of the exchange at the end of the run: the account
// is a pure function of the clock, so the twin holds the same trades, and
// asking it charges nothing on the exchanges the strategies used.
func accountFills(w Workload, bubble Bubble) (map[string][]time.Time, error) {
	out := map[string][]time.Time{}
	var err error
	bubble(func() {
		sleepUntil(w.End())
		twin := exchange.New(w.exchangeConfig())
		for _, sym := range w.Traded {
			var times []time.Time
			times, err = tradeTimes(twin, sym, w.From(), w.End())
			if err != nil {
				return
			}
			out[sym] = times
		}
	})
	return out, err
}

// tradeTimes asks ex for the symbol's trades in [from, to], at most 7 days
// apart, and returns their times.
func tradeTimes(ex *exchange.Server, symbol string, from, to time.Time) ([]time.Time, error) {
	q := url.Values{"symbol": {symbol}, "limit": {"1000"},
		"startTime": {strconv.FormatInt(from.UnixMilli(), 10)},
		"endTime":   {strconv.FormatInt(to.UnixMilli(), 10)}}
	raw := q.Encode() + "&recvWindow=5000&timestamp=" +
		strconv.FormatInt(time.Now().UnixMilli(), 10)
	raw += "&signature=" + sign.HMAC(benchSecret, raw)
	req := httptest.NewRequest(http.MethodGet, pathTrades+"?"+raw, nil)
	req.Header.Set("X-Mbx-Apikey", benchAPIKey)
	rec := httptest.NewRecorder()
	ex.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		return nil, fmt.Errorf("trades of %s: HTTP %d %s", symbol, rec.Code, rec.Body)
	}
	var trades []struct {
		Time int64 `json:"time"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &trades); err != nil {
		return nil, fmt.Errorf("trades of %s: %w", symbol, err)
	}
	if len(trades) == 1000 {
		return nil, fmt.Errorf("trades of %s: more than a page in the stretch", symbol)
	}
	var out []time.Time
	for _, t := range trades {
		out = append(out, time.UnixMilli(t.Time))
	}
	return out, nil
}
