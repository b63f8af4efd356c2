package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"snapshotter/internal/kline"
	"snapshotter/internal/status"
)

// Status publishes data/status.json, the status as it is, then index.html,
// which shows it. When the JSON cannot be written the page is not touched.
// A file whose content is unchanged is not rewritten. Each file gets a gzip
// copy beside it (see writePair).
func (r *Renderer) Status(st status.Status) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	data = append(data, '\n')

	var page bytes.Buffer
	if err := r.indexTpl.Execute(&page, r.indexView(st, data)); err != nil {
		return fmt.Errorf("execute index template: %w", err)
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	jsonPath := filepath.Join(r.dir, filepath.FromSlash(statusURL))
	if _, err := writePair(jsonPath, data); err != nil {
		return fmt.Errorf("publish status: %w", err)
	}
	htmlPath := filepath.Join(r.dir, "index.html")
	if _, err := writePair(htmlPath, page.Bytes()); err != nil {
		return fmt.Errorf("publish index: %w", err)
	}
	return nil
}

// indexPage is the view index.html is filled from.
type indexPage struct {
	Title, Zone, Data  string
	Generated, Started string
	Version            string
	// PageVersion and Refresh are for the script "live"; SilentAt is when
	// the daemon is overdue to rewrite the page (epoch ms, 0: unknown),
	// and GeneratedMS when it last did.
	PageVersion           string
	Refresh               int
	SilentAt, GeneratedMS int64
	Pause                 *pauseView
	// Stale names the jobs whose published data is stale, with since when.
	Stale  []string
	Budget budgetView
	Jobs   []jobView
}

type pauseView struct {
	Title, Until, Left, Reason string
}

// budgetView holds the weight figures, written with thousands separators;
// the int fields drive the <meter> bars, whose attributes must be plain
// numbers, and *Max, *Low and *High are zero when the limit is not known
// yet.
type budgetView struct {
	Minute                              string
	UsedByUs, Allowed, Share            string
	UsedByIP, Limit                     string
	UsedByUsN, UsedByIPN                int
	AllowedMax, AllowedLow, AllowedHigh int
	LimitMax, LimitLow, LimitHigh       int
}

type jobView struct {
	Title, Page, Data       string
	HasCandles              bool
	Candles                 int
	LastSuccess, SuccessAge string
	LastRun, NextRun        string
	StaleSince              string
	Disabled                string
	LastError, ErrorClass   string
	Failures, Skips         int
	// Since is the last success in epoch ms and StaleAt when the next is
	// overdue, both 0 when unknown; see liveTimes.
	Since, StaleAt int64
}

func (r *Renderer) indexView(st status.Status, data []byte) indexPage {
	now := st.GeneratedAt
	v := indexPage{
		Title:       "snapshotter status",
		Zone:        r.zone(),
		Data:        statusURL,
		Generated:   r.clock(now),
		Started:     r.clock(st.StartedAt),
		Version:     st.Version,
		Budget:      budgetOf(st.Budget, r.clock(st.Budget.Minute)),
		PageVersion: contentVersion(data),
		Refresh:     int(maxIndexRefresh / time.Second),
	}
	if !now.IsZero() {
		v.GeneratedMS = now.UnixMilli()
	}
	// The daemon rewrites the status after every run, so the shortest
	// running interval says how often it should; a run of a longer chart
	// or the hourly exchangeInfo check only adds more.
	if iv, ok := shortestInterval(st.Jobs); ok {
		v.Refresh = refreshEvery(iv, maxIndexRefresh)
		if !now.IsZero() {
			v.SilentAt = dueBy(iv, now).UnixMilli()
		}
	}
	if v.Version == "" {
		v.Version = r.version
	}
	if p := st.Pause; p != nil {
		v.Pause = &pauseView{
			Title:  pauseTitle(p.Kind),
			Until:  r.clock(p.Until),
			Left:   relative(now, p.Until),
			Reason: p.Reason,
		}
	}
	for _, j := range st.Jobs {
		if j.StaleSince != nil && j.Disabled == "" {
			v.Stale = append(v.Stale, fmt.Sprintf("%s (since %s)", j.Name, r.clock(*j.StaleSince)))
		}
	}
	for _, j := range st.Jobs {
		v.Jobs = append(v.Jobs, r.jobOf(j, now))
	}
	return v
}

func (r *Renderer) jobOf(j status.Job, now time.Time) jobView {
	v := jobView{
		Title:      j.Name,
		Page:       j.Page,
		Data:       j.Data,
		HasCandles: j.Symbol != "" || j.Candles > 0,
		Candles:    j.Candles,
		Disabled:   j.Disabled,
		LastError:  j.LastError,
		ErrorClass: j.ErrorClass,
		Failures:   j.ConsecutiveFailures,
		Skips:      j.Skips,
		LastRun:    r.clockPtr(j.LastRun),
		NextRun:    r.clockPtr(j.NextRun),
		StaleSince: r.clockPtr(j.StaleSince),
	}
	if j.Symbol != "" && j.Interval != "" {
		iv := kline.Interval(j.Interval)
		v.Title = j.Symbol + " " + j.Interval
		if v.Page == "" {
			v.Page = PageURL(j.Symbol, iv)
		}
		if v.Data == "" {
			v.Data = DataURL(j.Symbol, iv)
		}
	}
	if j.LastSuccess != nil {
		v.LastSuccess = r.clock(*j.LastSuccess)
		v.SuccessAge = relative(now, *j.LastSuccess)
		v.Since = j.LastSuccess.UnixMilli()
		if iv := kline.Interval(j.Interval); iv.Valid() && j.Disabled == "" {
			v.StaleAt = dueBy(iv, *j.LastSuccess).UnixMilli()
		}
	}
	return v
}

// shortestInterval is the shortest interval among the jobs that run.
func shortestInterval(jobs []status.Job) (kline.Interval, bool) {
	var best kline.Interval
	for _, j := range jobs {
		iv := kline.Interval(j.Interval)
		if j.Disabled != "" || !iv.Valid() {
			continue
		}
		if best == "" || iv.Approx() < best.Approx() {
			best = iv
		}
	}
	return best, best != ""
}

// clockPtr is clock for an optional time; nil gives "".
func (r *Renderer) clockPtr(t *time.Time) string {
	if t == nil {
		return ""
	}
	return r.clock(*t)
}

// pauseTitle says what kind of pause the exchange imposed.
func pauseTitle(kind string) string {
	switch kind {
	case "ban":
		return "Banned by the exchange (HTTP 418)"
	case "rate_limit":
		return "Rate limited by the exchange (HTTP 429)"
	case "blocked":
		return "Blocked by the exchange's firewall (HTTP 403)"
	}
	return "Paused (" + kind + ")"
}

func budgetOf(b status.Budget, minute string) budgetView {
	v := budgetView{
		Minute:   minute,
		UsedByUs: groupInt(b.UsedByUs),
		Allowed:  groupInt(b.Allowed),
		Share:    strconv.FormatFloat(b.Share*100, 'f', -1, 64) + "%",
		UsedByIP: groupInt(b.UsedByIP),
		Limit:    groupInt(b.Limit),

		UsedByUsN: b.UsedByUs,
		UsedByIPN: b.UsedByIP,
	}
	if b.Limit <= 0 {
		v.Limit = "unknown"
	}
	if v.Minute == "" {
		v.Minute = "none yet"
	}
	if b.Allowed > 0 {
		v.AllowedMax = b.Allowed
		v.AllowedLow, v.AllowedHigh = b.Allowed*3/4, b.Allowed*9/10
	}
	if b.Limit > 0 {
		v.LimitMax = b.Limit
		v.LimitLow, v.LimitHigh = b.Limit*3/4, b.Limit*9/10
	}
	return v
}

// relative says how far t is from now, coarsely: "3m ago", "in 40s".
// It gives "" when either time is unknown.
func relative(now, t time.Time) string {
	if now.IsZero() || t.IsZero() {
		return ""
	}
	d := t.Sub(now)
	if d < 0 {
		return span(-d) + " ago"
	}
	return "in " + span(d)
}

// span rounds d to its largest unit or two: "45s", "3m", "2h5m", "4d".
func span(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d/time.Second)) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d/time.Minute)) + "m"
	case d < 24*time.Hour:
		h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
		if m == 0 {
			return strconv.Itoa(h) + "h"
		}
		return strconv.Itoa(h) + "h" + strconv.Itoa(m) + "m"
	}
	return strconv.Itoa(int(d/(24*time.Hour))) + "d"
}
