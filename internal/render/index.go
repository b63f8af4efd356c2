package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strconv"
	"time"

	"snapshotter/internal/atomicfile"
	"snapshotter/internal/kline"
	"snapshotter/internal/status"
)

// Status publishes data/status.json, the status as it is, then index.html,
// which shows it. When the JSON cannot be written the page is not touched.
// A file whose content is unchanged is not rewritten.
func (r *Renderer) Status(st status.Status) error {
	data, err := json.MarshalIndent(st, "", "  ")
	if err != nil {
		return fmt.Errorf("encode status: %w", err)
	}
	data = append(data, '\n')

	var page bytes.Buffer
	if err := r.indexTpl.Execute(&page, r.indexView(st)); err != nil {
		return fmt.Errorf("execute index template: %w", err)
	}

	r.mu.Lock()
	defer r.mu.Unlock()

	jsonPath := filepath.Join(r.dir, filepath.FromSlash(statusURL))
	if _, err := atomicfile.WriteIfChanged(jsonPath, data, filePerm); err != nil {
		return fmt.Errorf("publish status: %w", err)
	}
	htmlPath := filepath.Join(r.dir, "index.html")
	if _, err := atomicfile.WriteIfChanged(htmlPath, page.Bytes(), filePerm); err != nil {
		return fmt.Errorf("publish index: %w", err)
	}
	return nil
}

// indexPage is the view index.html is filled from.
type indexPage struct {
	Title, Zone, Data  string
	Generated, Started string
	Version            string
	Pause              *pauseView
	// Stale names the jobs whose published data is stale, with since when.
	Stale  []string
	Budget budgetView
	Jobs   []jobView
}

type pauseView struct {
	Title, Until, Left, Reason string
}

// budgetView holds the weight figures; the *Max, *Low and *High fields
// drive the <meter> bars and are zero when the limit is not known yet.
type budgetView struct {
	Minute                              string
	UsedByUs, Allowed, Share            string
	UsedByIP, Limit                     string
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
}

func (r *Renderer) indexView(st status.Status) indexPage {
	now := st.GeneratedAt
	v := indexPage{
		Title:     "snapshotter status",
		Zone:      r.zone(),
		Data:      statusURL,
		Generated: r.clock(now),
		Started:   r.clock(st.StartedAt),
		Version:   st.Version,
		Budget:    budgetOf(st.Budget, r.clock(st.Budget.Minute)),
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
	}
	return v
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
		UsedByUs: strconv.Itoa(b.UsedByUs),
		Allowed:  strconv.Itoa(b.Allowed),
		Share:    strconv.FormatFloat(b.Share*100, 'f', -1, 64) + "%",
		UsedByIP: strconv.Itoa(b.UsedByIP),
		Limit:    strconv.Itoa(b.Limit),
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
