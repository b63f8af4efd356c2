package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"time"

	"snapshotter/internal/atomicfile"
	"snapshotter/internal/clock"
	"snapshotter/internal/status"
)

// Pause kinds.
const (
	PauseBan       = "ban"
	PauseRateLimit = "rate_limit"
	PauseBlocked   = "blocked"
)

// Pause lengths where the exchange does not say.
const (
	// minBan is the shortest ban the exchange documents.
	minBan = 2 * time.Minute
	// blockPause is how long to stay away after a firewall 403; such
	// blocks clear after some minutes without traffic.
	blockPause = 5 * time.Minute
	// maxRateLimitPause caps the doubling of repeated 429 pauses.
	maxRateLimitPause = time.Hour
	// settle is added after a minute turns so our clock's minute and the
	// exchange's agree.
	settle = 500 * time.Millisecond
)

// BudgetOptions configures a Budget.
type BudgetOptions struct {
	// Clock reads the exchange's time. Required.
	Clock clock.Clock
	// Share is the fraction of the IP's limit this process may spend.
	Share float64
	// IPMargin is the fraction of the limit the whole IP may reach, by the
	// used-weight header, before this process waits.
	IPMargin float64
	// Limit is the IP's weight per minute until SetLimit says otherwise.
	Limit int
	// PausePath is the file that keeps a pause across restarts; empty
	// keeps it in memory only.
	PausePath string
	Logger    *slog.Logger
}

// Budget grants request weight within this process's share of the IP's
// per-minute limit and holds every request while the exchange has said
// stop. It is safe for concurrent use.
type Budget struct {
	clock  clock.Clock
	share  float64
	margin float64
	path   string
	log    *slog.Logger
	mu     sync.Mutex
	limit  int
	minute time.Time
	ours   int // weight we spent this minute
	ip     int // weight the IP spent this minute, as far as we know
	pause  *status.Pause
	probe  bool // the next request after a pause must be a light one
	streak int  // 429s in a row
	// reserve is weight per minute kept for work that is not Background.
	reserve int
}

// NewBudget returns a budget, restoring a pause saved by an earlier process
// when it has not ended yet.
func NewBudget(o BudgetOptions) (*Budget, error) {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	b := &Budget{clock: o.Clock, share: o.Share, margin: o.IPMargin,
		limit: o.Limit, path: o.PausePath, log: o.Logger}
	if err := b.restore(); err != nil {
		return nil, err
	}
	return b, nil
}

// SetLimit sets the IP's weight limit per minute, as exchangeInfo gives it.
func (b *Budget) SetLimit(limit int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if limit != b.limit {
		b.log.Info("weight limit set", "limit", limit, "was", b.limit)
	}
	b.limit = limit
}

// SetReserve keeps weight per minute for urgent work: Background work may
// spend only the share minus the reserve. The daemon reserves its steady
// runs' busiest minute, so a backfill never delays a chart's refresh.
func (b *Budget) SetReserve(weight int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.reserve = weight
}

// allowed returns this process's weight per minute. b.mu must be held.
func (b *Budget) allowed() int { return int(b.share * float64(b.limit)) }

// Acquire grants weight or says why not. When the weight does not fit this
// minute it waits once for the next minute; if it still does not fit, or
// the exchange has told us to stop, it returns an *Error wrapping
// ErrOverBudget or ErrPaused without waiting further.
//
// Work marked with Background may use only what is left after the reserve
// set with SetReserve, so it is deferred before urgent work is.
func (b *Budget) Acquire(ctx context.Context, weight int) error {
	low := isBackground(ctx)
	for waited := false; ; waited = true {
		wait, err := b.try(weight, low, waited)
		if err != nil || wait == 0 {
			return err
		}
		if err := b.clock.Sleep(ctx, wait); err != nil {
			return err
		}
	}
}

func (b *Budget) try(weight int, low, waited bool) (time.Duration, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	if err := b.pausedLocked(now); err != nil {
		return 0, err
	}
	b.rollLocked(now)
	allowed := b.allowed()
	if low {
		// Background work leaves the steady runs' weight untouched.
		allowed = max(allowed-b.reserve, 0)
	}
	if weight > allowed {
		return 0, &Error{Class: ClassBudget, err: ErrOverBudget, Msg: fmt.Sprintf(
			"request weight %d exceeds this process's %d per minute", weight, allowed)}
	}
	ipCap := int(b.margin * float64(b.limit))
	if b.ours+weight <= allowed && b.ip+weight <= ipCap {
		b.ours += weight
		b.ip += weight
		return 0, nil
	}
	if waited {
		return 0, &Error{Class: ClassBudget, err: ErrOverBudget, Msg: fmt.Sprintf(
			"weight %d does not fit: used %d of %d by us, %d of %d by the IP",
			weight, b.ours, allowed, b.ip, ipCap)}
	}
	next := b.minute.Add(time.Minute)
	b.log.Warn("budget full, waiting for the next minute", "weight", weight,
		"used_by_us", b.ours, "allowed", allowed, "used_by_ip", b.ip, "ip_cap", ipCap)
	return next.Sub(now) + settle, nil
}

// pausedLocked returns an error while a pause lasts, and arms the probe
// when it has just ended.
func (b *Budget) pausedLocked(now time.Time) error {
	if b.pause == nil {
		return nil
	}
	if now.Before(b.pause.Until) {
		p := *b.pause
		return &Error{Class: pauseClass(p.Kind), err: ErrPaused, Until: p.Until,
			Msg: fmt.Sprintf("%s until %s: %s", p.Kind,
				p.Until.UTC().Format(time.RFC3339Nano), p.Reason)}
	}
	b.log.Info("pause over", "kind", b.pause.Kind, "until", b.pause.Until)
	b.pause = nil
	b.probe = true
	b.save()
	return nil
}

func pauseClass(kind string) string {
	switch kind {
	case PauseBan:
		return ClassBanned
	case PauseRateLimit:
		return ClassRateLimited
	}
	return ClassBlocked
}

func (b *Budget) rollLocked(now time.Time) {
	m := now.UTC().Truncate(time.Minute)
	if m.After(b.minute) {
		b.minute, b.ours, b.ip = m, 0, 0
	}
}

// needsProbe reports whether a pause has just ended, so that the next
// request must be a single light one.
func (b *Budget) needsProbe() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.pause != nil && !b.clock.Now().Before(b.pause.Until) {
		b.pausedLocked(b.clock.Now())
	}
	return b.probe
}

// observe takes what an answer says about the budget: the IP's used weight,
// and whether the exchange told us to stop.
func (b *Budget) observe(status int, h headerGetter, body []byte) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.rollLocked(now)
	if v, err := strconv.Atoi(h.Get("X-Mbx-Used-Weight-1m")); err == nil && v > b.ip {
		b.ip = v
	}
	retry := retryAfter(h.Get("Retry-After"))
	switch {
	case status == 418:
		until := now.Add(retry)
		if t, ok := bannedUntil(body); ok && t.After(until) {
			until = t
		}
		if !until.After(now) {
			until = now.Add(minBan)
		}
		b.setPauseLocked(PauseBan, until, "HTTP 418: "+snippet(body))
	case status == 429:
		b.streak++
		d := retry
		if d <= 0 {
			d = b.minute.Add(time.Minute).Sub(now) + settle
		}
		d = min(d<<(b.streak-1), maxRateLimitPause)
		b.setPauseLocked(PauseRateLimit, now.Add(d), "HTTP 429: "+snippet(body))
	case status == 403:
		b.setPauseLocked(PauseBlocked, now.Add(blockPause), "HTTP 403: "+snippet(body))
	case status >= 200 && status < 300:
		// A probe's answer does not end a 429 streak: if the next real
		// request is refused again, the pause still doubles.
		if !b.probe {
			b.streak = 0
		}
		b.probe = false
	}
}

// headerGetter is the part of http.Header that observe reads.
type headerGetter interface{ Get(string) string }

func (b *Budget) setPauseLocked(kind string, until time.Time, reason string) {
	if b.pause != nil && !until.After(b.pause.Until) {
		return
	}
	b.pause = &status.Pause{Kind: kind, Until: until.UTC(), Reason: reason}
	b.log.Warn("exchange said stop; pausing every request", "kind", kind,
		"until", until.UTC().Format(time.RFC3339Nano), "reason", reason)
	b.save()
}

func retryAfter(v string) time.Duration {
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		return 0
	}
	return time.Duration(n) * time.Second
}

var bannedUntilPattern = regexp.MustCompile(`banned until (\d{12,})`)

// bannedUntil reads the millisecond time after "banned until" in a 418 body;
// the wording around it has changed over the years, the number has not.
func bannedUntil(body []byte) (time.Time, bool) {
	m := bannedUntilPattern.FindSubmatch(body)
	if m == nil {
		return time.Time{}, false
	}
	ms, err := strconv.ParseInt(string(m[1]), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}

// Snapshot returns the budget's figures for this minute and the pause, if
// one lasts.
func (b *Budget) Snapshot() (status.Budget, *status.Pause) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := b.clock.Now()
	b.rollLocked(now)
	s := status.Budget{Limit: b.limit, Share: b.share, Allowed: b.allowed(),
		UsedByUs: b.ours, UsedByIP: b.ip, Minute: b.minute}
	if b.pause == nil || !now.Before(b.pause.Until) {
		return s, nil
	}
	p := *b.pause
	return s, &p
}

// save writes the pause to disk, or removes the file when there is none.
// A failure is logged: the pause still holds in memory.
func (b *Budget) save() {
	if b.path == "" {
		return
	}
	if b.pause == nil {
		if err := os.Remove(b.path); err != nil && !errors.Is(err, os.ErrNotExist) {
			b.log.Error("remove saved pause", "path", b.path, "err", err)
		}
		return
	}
	data, _ := json.MarshalIndent(b.pause, "", "  ")
	if err := os.MkdirAll(filepath.Dir(b.path), 0o755); err == nil {
		err = atomicfile.Write(b.path, append(data, '\n'), 0o644)
		if err == nil {
			return
		}
	}
	b.log.Error("save pause; a restart would not know of it", "path", b.path)
}

func (b *Budget) restore() error {
	if b.path == "" {
		return nil
	}
	data, err := os.ReadFile(b.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read saved pause: %w", err)
	}
	var p status.Pause
	if err := json.Unmarshal(data, &p); err != nil || p.Until.IsZero() {
		// A damaged file must not lift a ban: stay away for the longest
		// ban we could have been given, and say so.
		return fmt.Errorf("saved pause %s is damaged (%v); check it and remove it "+
			"once the ban is surely over", b.path, err)
	}
	if b.clock.Now().Before(p.Until) {
		b.pause = &p
		b.log.Warn("restored a pause from an earlier run; sending nothing until it ends",
			"kind", p.Kind, "until", p.Until, "reason", p.Reason)
	} else {
		b.probe = true
		os.Remove(b.path)
	}
	return nil
}

type backgroundKey struct{}

// Background marks the requests made with ctx as deferrable: backfills and
// gap repairs, which can wait a minute, unlike a chart's steady refresh.
func Background(ctx context.Context) context.Context {
	return context.WithValue(ctx, backgroundKey{}, true)
}

func isBackground(ctx context.Context) bool {
	v, _ := ctx.Value(backgroundKey{}).(bool)
	return v
}
