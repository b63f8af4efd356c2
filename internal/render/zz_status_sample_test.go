package render

import (
	"time"

	"snapshotter/internal/status"
)

func sampleStatus() status.Status {
	now := time.Date(2023, 11, 14, 22, 20, 5, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	return status.Status{
		GeneratedAt: now, StartedAt: now.Add(-3 * time.Hour), Version: "v0.1.0",
		Budget: status.Budget{Limit: 2400, Share: 0.25, Allowed: 600, UsedByUs: 212, UsedByIP: 1630, Minute: now.Truncate(time.Minute)},
		Pause:  &status.Pause{Kind: "rate_limit", Until: now.Add(90 * time.Second), Reason: "HTTP 429: Too many requests; current limit of IP is 2400 requests per minute."},
		Jobs: []status.Job{
			{Name: "klines BTCUSDT 1m", Symbol: "BTCUSDT", Interval: "1m", Page: PageURL("BTCUSDT", "1m"), Data: DataURL("BTCUSDT", "1m"), Candles: 400, LastRun: ago(5 * time.Second), LastSuccess: ago(5 * time.Second), NextRun: ago(-55 * time.Second)},
			{Name: "klines 币安人生USDT 1h", Symbol: "币安人生USDT", Interval: "1h", Candles: 300, LastRun: ago(time.Minute), LastSuccess: ago(2 * time.Hour), StaleSince: ago(time.Hour), LastError: "fetch klines 币安人生USDT: server answered 503", ErrorClass: "server", ConsecutiveFailures: 4, Skips: 1, NextRun: ago(-4 * time.Minute)},
			{Name: "klines OLDUSDT 1h", Symbol: "OLDUSDT", Interval: "1h", Disabled: "the exchange does not list OLDUSDT", LastRun: ago(time.Hour), LastError: "invalid symbol", ErrorClass: "rejected", ConsecutiveFailures: 1},
			{Name: "account", LastRun: ago(10 * time.Second), LastSuccess: ago(10 * time.Second), NextRun: ago(-50 * time.Second), Data: "account.json"},
		},
	}
}
