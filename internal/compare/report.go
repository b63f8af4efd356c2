package compare

import (
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
	"time"
)

// Targets are what issue 6 asks of the product: weight within TargetBound
// times the lower bound, at least TargetProxy times less than the cached
// proxy, no request caused by a viewer, and a p95 freshness under
// TargetFresh.
const (
	TargetBound = 1.2
	TargetProxy = 20.0
	TargetFresh = 5 * time.Second
)

// Write prints the report as Markdown: the workload, the table, the
// targets and where the product's weight goes.
func (r Report) Write(out io.Writer) {
	w := r.Workload
	fmt.Fprintf(out, "Workload: %d symbols of %s candles, %d on each chart; an account "+
		"trading %d of them; %d viewers reloading every %s (± %s). Simulated %s from %s; "+
		"the figures cover the %s after a %s warm-up.\n\n",
		len(w.Symbols), w.Interval, w.Keep, len(w.Traded), w.Viewers,
		shortDuration(w.Reload), shortDuration(w.Jitter), shortDuration(w.Warmup+w.Measure),
		w.Start.Format("2006-01-02 15:04 UTC"), shortDuration(w.Measure),
		shortDuration(w.Warmup))
	r.writeTable(out)
	r.writeTargets(out)
	for _, row := range r.Rows {
		if row.Product {
			r.writeBreakdown(out, row)
		}
	}
}

// writeTable prints one line per strategy, then the lower bounds.
func (r Report) writeTable(out io.Writer) {
	span := shortDuration(r.Workload.Measure)
	line(out, "strategy", "requests/h", "weight/h", "weight asked/h", "asked ÷ bound",
		"peak weight in a minute", "requests during bans ("+span+")",
		"requests caused by viewers ("+span+")", "freshness median", "freshness p95",
		"candles never seen")
	fmt.Fprintln(out, "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
	def := r.defaultBound()
	for _, row := range r.Rows {
		bound := def
		if row.Product {
			bound = row.Bound
		}
		line(out, row.Name, num(row.PerHour(row.Requests)), num(row.PerHour(row.Weight)),
			num(row.PerHour(row.Asked)), ratio(row.Asked, bound.Weight()),
			num(float64(row.PeakMinute)), num(float64(row.Banned)),
			num(float64(row.ViewerCaused)), freshCell(row.Figures, 0.5),
			freshCell(row.Figures, 0.95),
			fmt.Sprintf("%d of %d", row.Unseen, len(row.Delays)+row.Unseen))
	}
	h := r.Workload.Hours()
	for _, row := range r.Rows {
		if row.Product {
			perHour := num(float64(row.Bound.Weight()) / h)
			line(out, "lower bound, "+boundName(row.Tuning),
				num(float64(row.Bound.Requests())/h), perHour, perHour, "1.00×",
				"–", "–", "–", "–", "–", "–")
		}
	}
	fmt.Fprintln(out)
}

// line prints one row of a Markdown table.
func line(out io.Writer, cells ...string) {
	fmt.Fprintf(out, "| %s |\n", strings.Join(cells, " | "))
}

// boundName says which cadence a bound row is for.
func boundName(t Tuning) string {
	if t.AccountEvery == 0 {
		return "account every 1m (the default)"
	}
	return "account every " + shortDuration(t.AccountEvery)
}

// defaultBound is the bound at the product's default cadence, which the
// other strategies are compared with.
func (r Report) defaultBound() Bound {
	for _, row := range r.Rows {
		if row.Product && row.Tuning == (Tuning{}) {
			return row.Bound
		}
	}
	return Bound{}
}

// writeTargets checks every product row against the targets.
func (r Report) writeTargets(out io.Writer) {
	proxy, ok := r.row("cached proxy")
	for _, row := range r.Rows {
		if !row.Product {
			continue
		}
		fmt.Fprintf(out, "Targets for %s:\n\n", row.Name)
		b := float64(row.Weight) / float64(max(1, row.Bound.Weight()))
		target(out, fmt.Sprintf("weight within %.1f× of the lower bound", TargetBound),
			fmt.Sprintf("%.2f×", b), b <= TargetBound)
		if ok {
			p := float64(proxy.Weight) / float64(max(1, row.Weight))
			target(out, fmt.Sprintf("at least %.0f× less weight than the cached proxy",
				TargetProxy), fmt.Sprintf("%.1f×", p), p >= TargetProxy)
		}
		target(out, "no request caused by viewers", fmt.Sprint(row.ViewerCaused),
			row.ViewerCaused == 0)
		p95, seen := row.Freshness(0.95)
		target(out, fmt.Sprintf("p95 freshness under %s after close", TargetFresh),
			freshCell(row.Figures, 0.95), seen && p95 < TargetFresh)
		if s, ok := percentile(row.Seen, row.SeenNever, 0.95); ok {
			m, _ := percentile(row.Seen, row.SeenNever, 0.5)
			fmt.Fprintf(out, "\nThe viewers themselves first saw each candle %s after its "+
				"close at the median, %s at p95: publication plus the wait for the next "+
				"of %d viewers' reloads.\n", dur(m), dur(s), r.Workload.Viewers)
		}
		fmt.Fprintf(out, "\nIts start, in the %s warm-up left out above: %d requests, "+
			"weight %d, at most %d in one minute.\n", shortDuration(r.Workload.Warmup),
			row.Warmup.Requests, row.Warmup.Weight, row.WarmupPeak)
		if len(row.Errors) > 0 {
			fmt.Fprintf(out, "\nThe daemon logged %d errors; the first: %s\n",
				len(row.Errors), row.Errors[0])
		}
		fmt.Fprintln(out)
	}
}

func target(out io.Writer, what, got string, met bool) {
	verdict := "missed"
	if met {
		verdict = "met"
	}
	fmt.Fprintf(out, "- %s: %s, %s\n", what, got, verdict)
}

func (r Report) row(name string) (Row, bool) {
	for _, row := range r.Rows {
		if row.Name == name {
			return row, true
		}
	}
	return Row{}, false
}

// writeBreakdown prints a product row's weight per hour by endpoint beside
// the bound's.
func (r Report) writeBreakdown(out io.Writer, row Row) {
	fmt.Fprintf(out, "Weight per hour by endpoint, %s and its lower bound:\n\n", row.Name)
	line(out, "endpoint", "snapshotter", "lower bound")
	fmt.Fprintln(out, "|---|---:|---:|")
	byName := map[string]int{}
	for p, wt := range row.ByPath {
		byName[path.Base(p)] += wt
	}
	bound := map[string]int{}
	for _, p := range row.Bound.Parts {
		bound[p.Name] = p.Weight
		if _, ok := byName[p.Name]; !ok {
			byName[p.Name] = 0
		}
	}
	names := make([]string, 0, len(byName))
	for n := range byName {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := names[i], names[j]
		if byName[a] != byName[b] {
			return byName[a] > byName[b]
		}
		return a < b
	})
	for _, n := range names {
		b := "–"
		if v, ok := bound[n]; ok {
			b = num(row.PerHour(v))
		}
		line(out, n, num(row.PerHour(byName[n])), b)
	}
	fmt.Fprintln(out)
}

// freshCell formats a freshness quantile; "never" when the quantile falls
// among candles nobody could see before the end.
func freshCell(f Figures, q float64) string {
	d, ok := f.Freshness(q)
	if !ok {
		return "never"
	}
	return dur(d)
}

// dur writes a delay to a tenth of a second, or to the second past a
// minute.
func dur(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	return shortDuration(d.Round(time.Second))
}

func ratio(n, of int) string {
	if of == 0 {
		return "–"
	}
	return fmt.Sprintf("%.2f×", float64(n)/float64(of))
}

// num writes n rounded, with thin groups of thousands.
func num(n float64) string {
	s := fmt.Sprintf("%.0f", n)
	if len(s) <= 4 {
		return s
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}
