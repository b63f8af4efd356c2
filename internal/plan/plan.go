// Package plan works out, before anything is sent, what a configuration
// will cost: for every job the requests and weight of one run in steady
// state and in the worst case, how often it runs, and what that adds up to
// per minute against the budget and the IP's whole limit. The daemon
// refuses to start a configuration whose steady state does not fit.
package plan

import (
	"fmt"
	"io"
	"math"
	"strings"
	"text/tabwriter"
	"time"

	"snapshotter/internal/config"
	"snapshotter/internal/fetch"
	"snapshotter/internal/kline"
)

// Cost is what some requests spend.
type Cost struct {
	Requests int
	Weight   int
}

func (c Cost) add(o Cost) Cost { return Cost{c.Requests + o.Requests, c.Weight + o.Weight} }

// Job is one job's share of the plan.
type Job struct {
	Name     string
	Schedule string
	// RunsPerMinute is how often the job runs, on average.
	RunsPerMinute float64
	// Steady is one run once the job is up to date.
	Steady Cost
	// Worst is one run in the worst case: the first backfill, or the
	// repair of a gap as long as the whole chart, in pages.
	Worst Cost
}

// Plan is the cost of a whole configuration.
type Plan struct {
	Jobs []Job
	// Limit is the IP's weight per minute, Allowed this process's share.
	Limit, Allowed int
	// SteadyPeak is the most weight steady runs can spend in one minute.
	// Candles of every interval close together at times (every interval
	// up to a day closes at midnight UTC), so the peak is one steady run
	// of every job.
	SteadyPeak int
	// SteadyAverage is the weight spent per minute on average.
	SteadyAverage float64
	// Worst is every job's worst run together, as on a first start.
	Worst Cost
	// WorstMinutes is how many minutes of budget the worst case is spread
	// over, after the steady runs' share.
	WorstMinutes int
}

// DocumentedLimit is the exchange's documented REQUEST_WEIGHT per minute, used
// where exchangeInfo does not say.
const DocumentedLimit = 2400

// exchangeInfoEvery is how often the daemon reads exchangeInfo again.
const exchangeInfoEvery = time.Hour

// Make plans cfg against an IP limit of limit weight per minute.
func Make(cfg config.Config, limit int) Plan {
	p := Plan{Limit: limit, Allowed: int(cfg.Budget.Share * float64(limit))}
	for _, k := range cfg.Klines {
		j := klinesJob(k, cfg.Schedule.Delay.Duration)
		p.Jobs = append(p.Jobs, j)
		p.SteadyPeak += j.Steady.Weight
		p.SteadyAverage += j.RunsPerMinute * float64(j.Steady.Weight)
		p.Worst = p.Worst.add(j.Worst)
	}
	if a := cfg.Account; a != nil {
		for _, j := range accountJobs(*a) {
			p.Jobs = append(p.Jobs, j)
			p.SteadyPeak += j.Steady.Weight
			p.SteadyAverage += j.RunsPerMinute * float64(j.Steady.Weight)
			p.Worst = p.Worst.add(j.Worst)
		}
	}
	info := Job{Name: "exchangeInfo", Schedule: "at start, then every 1h",
		RunsPerMinute: 1 / exchangeInfoEvery.Minutes(), Steady: Cost{1, 1}, Worst: Cost{1, 1}}
	p.Jobs = append(p.Jobs, info)
	p.SteadyPeak += info.Steady.Weight
	p.SteadyAverage += info.RunsPerMinute
	p.Worst = p.Worst.add(info.Worst)
	if spare := p.Allowed - p.SteadyPeak; spare > 0 {
		p.WorstMinutes = int(math.Ceil(float64(p.Worst.Weight) / float64(spare)))
	}
	return p
}

// Private weights, as documented: account and positionRisk 5, userTrades
// 5, income 30, openOrders 1 for one symbol.
const (
	wAccount    = 5
	wRisk       = 5
	wTrades     = 5
	wIncome     = 30
	wOpenOrders = 1
)

// accountJobs plans the account: each run reads the account endpoint and,
// after a fill, the symbol's new trades (counted here for one symbol);
// on the income cadence, and when the open positions change, it also reads
// the income, positionRisk and the open orders (counted for one open
// symbol). The worst case is the first backfill: income and one symbol's
// trades over the whole history, in 7-day windows.
func accountJobs(a config.Account) []Job {
	windows := int(math.Ceil(a.History.Hours() / (7 * 24)))
	run := Job{Name: "account", Schedule: "every " + a.Every.String(),
		RunsPerMinute: 1 / a.Every.Minutes(),
		Steady:        Cost{2, wAccount + wTrades},
		Worst:         Cost{1 + windows, wAccount + windows*wTrades},
	}
	income := Job{Name: "account income", Schedule: "every " + a.IncomeEvery.String(),
		RunsPerMinute: 1 / a.IncomeEvery.Minutes(),
		Steady:        Cost{3, wIncome + wRisk + wOpenOrders},
		Worst:         Cost{windows + 2, windows*wIncome + wRisk + wOpenOrders}}
	return []Job{run, income}
}

func klinesJob(k config.Klines, delay time.Duration) Job {
	j := Job{Name: "klines " + k.Name(),
		Schedule:      fmt.Sprintf("%s after each %s close", delay, k.Interval),
		RunsPerMinute: 1 / k.Interval.Approx().Minutes(),
		// A steady run re-reads the candle that was open and reads the new
		// one: limit 2.
		Steady: Cost{1, fetch.KlinesWeight(2)},
	}
	for left := k.Keep; left > 0; left -= kline.MaxLimit {
		n := min(left, kline.MaxLimit)
		j.Worst = j.Worst.add(Cost{1, fetch.KlinesWeight(n)})
	}
	return j
}

// Fits reports whether the steady state fits this process's budget.
func (p Plan) Fits() bool { return p.SteadyPeak <= p.Allowed }

// Check returns nil when the steady state fits, and otherwise an error
// holding the table and ways out.
func (p Plan) Check() error {
	if p.Fits() {
		return nil
	}
	var b strings.Builder
	p.Write(&b)
	over := p.SteadyPeak - p.Allowed
	fmt.Fprintf(&b, "\nThe steady state needs %d weight in its busiest minute but the budget "+
		"allows %d. Ways out:\n", p.SteadyPeak, p.Allowed)
	fmt.Fprintf(&b, "  - chart %d fewer symbols or intervals (each costs 1 per run);\n", over)
	need := float64(p.SteadyPeak) / float64(p.Limit)
	if need <= 1 {
		fmt.Fprintf(&b, "  - raise [budget] share to at least %.3f, if nothing else "+
			"on this IP needs that weight;\n", need)
	}
	b.WriteString("  - a slower cadence (a longer interval) lowers the average, not the peak " +
		"at the top of the hour; a smaller keep lowers only the first backfill.")
	return fmt.Errorf("configuration does not fit the budget:\n%s", b.String())
}

// Write prints the plan as a table.
func (p Plan) Write(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "job\tschedule\truns/min\tsteady req\tsteady weight\t"+
		"worst req\tworst weight\tweight/min\t")
	for _, j := range p.Jobs {
		fmt.Fprintf(tw, "%s\t%s\t%.4g\t%d\t%d\t%d\t%d\t%.4g\t\n", j.Name, j.Schedule,
			j.RunsPerMinute, j.Steady.Requests, j.Steady.Weight, j.Worst.Requests,
			j.Worst.Weight, j.RunsPerMinute*float64(j.Steady.Weight))
	}
	tw.Flush()
	pct := func(n float64, of int) string {
		if of == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%.1f%%", 100*n/float64(of))
	}
	fmt.Fprintf(w, "\nBudget: %d weight per minute (share of the IP's limit of %d).\n",
		p.Allowed, p.Limit)
	fmt.Fprintf(w, "Steady state: %.3g weight per minute on average; %d in the busiest minute "+
		"= %s of the budget, %s of the limit.\n", p.SteadyAverage, p.SteadyPeak,
		pct(float64(p.SteadyPeak), p.Allowed), pct(float64(p.SteadyPeak), p.Limit))
	switch {
	case !p.Fits():
		fmt.Fprintln(w, "Steady state does NOT fit the budget.")
	case p.WorstMinutes <= 1:
		fmt.Fprintf(w, "Worst case (first start): %d requests, weight %d: fits in one minute.\n",
			p.Worst.Requests, p.Worst.Weight)
	default:
		fmt.Fprintf(w, "Worst case (first start): %d requests, weight %d: spread over "+
			"%d minutes, never in one burst.\n", p.Worst.Requests, p.Worst.Weight,
			p.WorstMinutes)
	}
}
