package status

import (
	"fmt"
	"io"
	"strings"
	"time"
)

// WritePrometheus writes the status in Prometheus' text exposition format,
// for node_exporter's textfile collector. Times are Unix seconds; a time
// that is not set is left out rather than written as 0.
func (s Status) WritePrometheus(w io.Writer) error {
	var b strings.Builder
	metric := func(name, help, typ string) {
		fmt.Fprintf(&b, "# HELP snapshotter_%s %s\n# TYPE snapshotter_%s %s\n",
			name, help, name, typ)
	}
	sample := func(name, labels string, v float64) {
		fmt.Fprintf(&b, "snapshotter_%s%s %g\n", name, labels, v)
	}

	metric("start_time_seconds", "When the daemon started.", "gauge")
	sample("start_time_seconds", "", unix(s.StartedAt))
	metric("requests_total", "Requests sent to the exchange.", "counter")
	sample("requests_total", "", float64(s.Requests))
	metric("weight_total", "Request weight sent to the exchange.", "counter")
	sample("weight_total", "", float64(s.Weight))
	metric("weight_limit", "The IP's request weight per minute, from exchangeInfo.", "gauge")
	sample("weight_limit", "", float64(s.Budget.Limit))
	metric("weight_allowed", "Weight per minute this process may spend.", "gauge")
	sample("weight_allowed", "", float64(s.Budget.Allowed))
	metric("weight_used", "Weight used this minute, by this process and by the IP.", "gauge")
	sample("weight_used", `{by="us"}`, float64(s.Budget.UsedByUs))
	sample("weight_used", `{by="ip"}`, float64(s.Budget.UsedByIP))

	metric("paused", "1 while the exchange has stopped every request.", "gauge")
	for _, kind := range []string{"ban", "rate_limit", "blocked"} {
		v := 0.0
		if s.Pause != nil && s.Pause.Kind == kind {
			v = 1
		}
		sample("paused", labels("kind", kind), v)
	}
	if s.Pause != nil {
		metric("pause_until_seconds", "When the current pause ends.", "gauge")
		sample("pause_until_seconds", labels("kind", s.Pause.Kind), unix(s.Pause.Until))
	}
	s.writeJobs(&b, metric, sample)
	_, err := io.WriteString(w, b.String())
	return err
}

func (s Status) writeJobs(b *strings.Builder, metric func(string, string, string),
	sample func(string, string, float64)) {
	type series struct {
		name, help, typ string
		value           func(Job) (float64, bool)
	}
	all := []series{
		{"job_last_success_seconds", "When the job last succeeded.", "gauge",
			func(j Job) (float64, bool) { return unixPtr(j.LastSuccess) }},
		{"job_consecutive_failures", "Failed runs since the last success.", "gauge",
			func(j Job) (float64, bool) { return float64(j.ConsecutiveFailures), true }},
		{"job_skips_total", "Ticks skipped because the previous run was still going.",
			"counter", func(j Job) (float64, bool) { return float64(j.Skips), true }},
		{"job_stale", "1 while the job's published data is stale.", "gauge",
			func(j Job) (float64, bool) { return b2f(j.StaleSince != nil), true }},
		{"job_stale_since_seconds", "Since when the job's data is stale.", "gauge",
			func(j Job) (float64, bool) { return unixPtr(j.StaleSince) }},
		{"job_disabled", "1 when the job no longer runs.", "gauge",
			func(j Job) (float64, bool) { return b2f(j.Disabled != ""), true }},
		{"job_candles", "Candles in the job's published snapshot.", "gauge",
			func(j Job) (float64, bool) { return float64(j.Candles), true }},
	}
	for _, m := range all {
		metric(m.name, m.help, m.typ)
		for _, j := range s.Jobs {
			if v, ok := m.value(j); ok {
				sample(m.name, labels("job", j.Name, "symbol", j.Symbol,
					"interval", j.Interval), v)
			}
		}
	}
}

// labels formats label pairs, escaping values as the format requires.
func labels(kv ...string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	parts := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		parts = append(parts, fmt.Sprintf(`%s="%s"`, kv[i], r.Replace(kv[i+1])))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func unix(t time.Time) float64 { return float64(t.UnixMilli()) / 1000 }

func unixPtr(t *time.Time) (float64, bool) {
	if t == nil || t.IsZero() {
		return 0, false
	}
	return unix(*t), true
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
