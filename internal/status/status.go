// Package status describes what the daemon reports about itself: per job
// the last success and error, skips and staleness; for the process the
// weight spent this minute and any pause the exchange imposed. The daemon
// fills a Status; the render package publishes it as data/status.json and
// on the index page.
package status

import "time"

// Status is the whole report, published as data/status.json.
type Status struct {
	GeneratedAt time.Time `json:"generated_at"`
	StartedAt   time.Time `json:"started_at"`
	Version     string    `json:"version"`
	Budget      Budget    `json:"budget"`
	// Pause is set while every upstream request is stopped: a ban (418),
	// a rate limit (429) or a block by the exchange's firewall (403).
	Pause *Pause `json:"pause"`
	// Requests and Weight count what was sent upstream since the start.
	Requests int64 `json:"requests"`
	Weight   int64 `json:"weight"`
	Jobs     []Job `json:"jobs"`
}

// Budget is the request weight of the current calendar minute.
type Budget struct {
	// Limit is the IP's REQUEST_WEIGHT per minute from exchangeInfo.
	Limit int `json:"limit"`
	// Share is the fraction of Limit this process may use.
	Share float64 `json:"share"`
	// Allowed is Share × Limit, rounded down.
	Allowed int `json:"allowed"`
	// UsedByUs is the weight this process spent this minute.
	UsedByUs int `json:"used_by_us"`
	// UsedByIP is the last X-MBX-USED-WEIGHT-1M the exchange reported this
	// minute: every process on the IP, this one included.
	UsedByIP int       `json:"used_by_ip"`
	Minute   time.Time `json:"minute"`
}

// Pause is a stop on every upstream request.
type Pause struct {
	// Kind is "ban" (HTTP 418), "rate_limit" (429) or "blocked" (403).
	Kind   string    `json:"kind"`
	Until  time.Time `json:"until"`
	Reason string    `json:"reason"`
}

// Job is one scheduled job, such as the klines of one symbol and interval.
type Job struct {
	Name     string `json:"name"`
	Symbol   string `json:"symbol,omitempty"`
	Interval string `json:"interval,omitempty"`
	// Page and Data are the job's published files, relative to the
	// output folder, percent-encoded for use in URLs.
	Page string `json:"page,omitempty"`
	Data string `json:"data,omitempty"`
	// Candles is how many candles the published snapshot holds.
	Candles     int        `json:"candles"`
	LastRun     *time.Time `json:"last_run"`
	LastSuccess *time.Time `json:"last_success"`
	LastError   string     `json:"last_error,omitempty"`
	// ErrorClass names the kind of the last error: "banned",
	// "rate_limited", "blocked", "server", "network", "bad_answer",
	// "rejected", "budget" or "internal".
	ErrorClass          string     `json:"error_class,omitempty"`
	ConsecutiveFailures int        `json:"consecutive_failures"`
	Skips               int        `json:"skips"`
	NextRun             *time.Time `json:"next_run"`
	// StaleSince is when the published data stopped being refreshed; nil
	// while it is fresh.
	StaleSince *time.Time `json:"stale_since"`
	// Disabled says why the job no longer runs, such as a symbol the
	// exchange does not list; empty while it runs.
	Disabled string `json:"disabled,omitempty"`
}
