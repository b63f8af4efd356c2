package status

import (
	"strings"
	"testing"
	"time"
)

func TestWritePrometheus_Values(t *testing.T) {
	t0 := time.Date(2023, 11, 14, 22, 13, 20, 0, time.UTC) // 1700000000
	stale := t0.Add(-time.Minute)
	s := Status{StartedAt: t0, Requests: 12, Weight: 30,
		Budget: Budget{Limit: 2400, Allowed: 480, UsedByUs: 7, UsedByIP: 2300},
		Pause:  &Pause{Kind: "ban", Until: t0.Add(720 * time.Second)},
		Jobs: []Job{
			{Name: "币安人生USDT 1m", Symbol: "币安人生USDT", Interval: "1m",
				LastSuccess: &t0, Skips: 2, Candles: 120},
			{Name: `ODD"1m`, Symbol: `ODD"`, Interval: "1m", StaleSince: &stale,
				ConsecutiveFailures: 3},
		}}
	var b strings.Builder
	if err := s.WritePrometheus(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		"snapshotter_start_time_seconds 1.7e+09\n",
		"snapshotter_requests_total 12\n",
		`snapshotter_weight_used{by="ip"} 2300` + "\n",
		`snapshotter_paused{kind="ban"} 1` + "\n",
		`snapshotter_paused{kind="rate_limit"} 0` + "\n",
		`snapshotter_pause_until_seconds{kind="ban"} 1.70000072e+09` + "\n",
		`snapshotter_job_skips_total{job="币安人生USDT 1m",symbol="币安人生USDT",` +
			`interval="1m"} 2`,
		`snapshotter_job_consecutive_failures{job="ODD\"1m",symbol="ODD\"",interval="1m"} 3`,
		`snapshotter_job_stale{job="ODD\"1m",symbol="ODD\"",interval="1m"} 1`,
		`snapshotter_job_stale_since_seconds{job="ODD\"1m",symbol="ODD\"",` +
			`interval="1m"} 1.69999994e+09`,
		"# TYPE snapshotter_job_skips_total counter\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	if strings.Contains(out, `job_last_success_seconds{job="ODD`) {
		t.Error("a job that never succeeded has a last-success sample")
	}
}
