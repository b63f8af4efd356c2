// Package daemon runs snapshotter's jobs: for each configured chart, fetch
// the candles that closed since the last run, keep them in the cache, and
// publish the snapshot and the chart page; then publish the status. Run
// schedules the jobs with cron, each shortly after its candle closes; Once
// runs each job one time, for cron and systemd timers.
package daemon
