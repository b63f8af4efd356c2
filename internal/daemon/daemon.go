package daemon

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"snapshotter/internal/atomicfile"
	"snapshotter/internal/config"
	"snapshotter/internal/fetch"
	"snapshotter/internal/kline"
	"snapshotter/internal/plan"
	"snapshotter/internal/render"
	"snapshotter/internal/status"
	"snapshotter/internal/store"
)

// Publisher writes what the daemon publishes. *render.Renderer is one.
type Publisher interface {
	Series(s kline.Series, m render.SeriesMeta) error
	Status(st status.Status) error
	Account(v render.AccountView) error
}

// Options are a Daemon's parts, built once by the caller.
type Options struct {
	Config    config.Config
	Client    *fetch.Client
	Store     *store.Store
	Publisher Publisher
	// Private is the account's signed calls; nil without an [account].
	Private *fetch.Private
	Logger  *slog.Logger
	Version string
}

// Daemon runs the jobs of one configuration.
type Daemon struct {
	cfg     config.Config
	client  *fetch.Client
	store   *store.Store
	pub     Publisher
	log     *slog.Logger
	version string
	started time.Time
	jobs    []*klinesJob

	loadOnce    sync.Once
	statusMu    sync.Mutex   // one status write at a time
	pauseLogged atomic.Int64 // end of the last pause logged, epoch ms
	nextRun     func(task) *time.Time
	acct        *accountJob // nil without an [account]

	marksMu sync.Mutex // guards fills and entries
	// fills and entries are the account's trades and open positions'
	// entry prices by symbol, for the charts' marks.
	fills   map[string][]render.Fill
	entries map[string]string
}

// New returns a daemon for o.Config's jobs. It sends nothing.
func New(o Options) *Daemon {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	d := &Daemon{cfg: o.Config, client: o.Client, store: o.Store, pub: o.Publisher,
		log: o.Logger, version: o.Version, started: o.Client.Now().UTC(),
		nextRun: func(task) *time.Time { return nil }}
	if o.Config.Account != nil && o.Private != nil {
		d.acct = &accountJob{cfg: *o.Config.Account, priv: o.Private}
		d.acct.st = status.Job{Name: accountName, Page: "account.html",
			Data: "data/account.json"}
	}
	for _, k := range o.Config.Klines {
		j := &klinesJob{cfg: k}
		j.st = status.Job{Name: k.Name(), Symbol: k.Symbol, Interval: string(k.Interval),
			Page: render.PageURL(k.Symbol, k.Interval), Data: render.DataURL(k.Symbol, k.Interval)}
		d.jobs = append(d.jobs, j)
	}
	return d
}

// Prepare reads the exchange's time, limits and symbols, leaves out (with
// one warning each) the symbols the exchange does not list or does not
// trade, and loads the cache. It fails at once, sending nothing, while a
// saved ban lasts.
func (d *Daemon) Prepare(ctx context.Context) error {
	// The cache first, without the exchange: a cleared output folder
	// refills even while the exchange cannot be reached.
	d.loadOnce.Do(func() {
		for _, j := range d.jobs {
			d.load(j)
		}
	})
	if _, err := d.client.ServerTime(ctx); err != nil {
		return d.startFailed(fmt.Errorf("read exchange time: %w", err))
	}
	info, err := d.client.ExchangeInfo(ctx)
	if err != nil {
		return d.startFailed(fmt.Errorf("read exchangeInfo: %w", err))
	}
	if err := d.applyPlan(info); err != nil {
		return err
	}
	for _, j := range d.jobs {
		d.checkListed(j, info)
	}
	d.publishStatus()
	return nil
}

// startFailed records err as every job's error, the account's too, so
// that the status shows them going stale while the exchange cannot be
// reached, and returns it.
func (d *Daemon) startFailed(err error) error {
	now := d.client.Now().UTC()
	for _, t := range d.tasks() {
		j := t.state()
		j.mu.Lock()
		if j.st.Disabled == "" {
			j.st.LastError, j.st.ErrorClass = err.Error(), fetch.ClassOf(err)
			j.st.ConsecutiveFailures++
			if j.st.StaleSince == nil {
				since := now
				if j.st.LastSuccess != nil {
					since = *j.st.LastSuccess
				}
				j.st.StaleSince = &since
			}
		}
		j.mu.Unlock()
	}
	return err
}

// tasks returns every job, the account first.
func (d *Daemon) tasks() []task {
	var out []task
	if d.acct != nil {
		out = append(out, d.acct)
	}
	for _, j := range d.jobs {
		out = append(out, j)
	}
	return out
}

// ErrNothingToRun is returned by Once when every chart was left out.
var ErrNothingToRun = errors.New("no chart can run: the exchange refused or does not list " +
	"any configured symbol")

// ErrDoesNotFit is returned by Prepare when the configuration's steady
// state needs more weight per minute than the budget allows.
var ErrDoesNotFit = errors.New("configuration does not fit the budget")

// applyPlan works out the configuration's cost against the exchange's
// limit: the steady runs' busiest minute is reserved in the budget, so
// backfills are deferred first, and a steady state that does not fit at all
// is refused, with the table and the ways out.
func (d *Daemon) applyPlan(info fetch.Info) error {
	limit := info.WeightLimit
	if limit == 0 {
		limit = plan.DocumentedLimit
		d.log.Warn("exchangeInfo lists no REQUEST_WEIGHT per minute; assuming the documented",
			"limit", limit)
	}
	p := plan.Make(d.cfg, limit)
	d.client.Budget().SetReserve(p.SteadyPeak)
	if err := p.Check(); err != nil {
		return fmt.Errorf("%w: %w", ErrDoesNotFit, err)
	}
	return nil
}

func (d *Daemon) checkListed(j *klinesJob, info fetch.Info) {
	st, listed := info.Status[j.cfg.Symbol]
	reason := ""
	switch {
	case !listed:
		reason = fmt.Sprintf("symbol %q is not listed by the exchange", j.cfg.Symbol)
	case st != "TRADING":
		reason = fmt.Sprintf("symbol %q is %s, not TRADING", j.cfg.Symbol, st)
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.refused != "" {
		// exchangeInfo listing the symbol does not undo the refusal.
		return
	}
	if reason == "" {
		j.st.Disabled = ""
		return
	}
	if j.st.Disabled != reason {
		d.log.Warn("chart left out", "job", j.cfg.Name(), "reason", reason)
	}
	j.st.Disabled = reason
}

// load reads the job's cache and republishes it when its published files
// are missing, so a cleared output folder refills without upstream calls.
func (d *Daemon) load(j *klinesJob) {
	e, err := d.store.Load(j.cfg.Symbol, j.cfg.Interval)
	if err != nil {
		d.log.Error("load cache", "job", j.cfg.Name(), "err", err)
	}
	j.entry = e
	j.mu.Lock()
	j.st.Candles = len(e.Series.Candles)
	if !e.FetchedAt.IsZero() {
		t := e.FetchedAt
		j.st.LastSuccess = &t
	}
	j.mu.Unlock()
	if len(e.Series.Candles) == 0 {
		return
	}
	page := filepath.Join(d.cfg.Output.Dir, render.SeriesName(j.cfg.Symbol, j.cfg.Interval)+".html")
	if _, err := os.Stat(page); err == nil {
		return
	}
	meta := render.SeriesMeta{FetchedAt: e.FetchedAt, Stale: true, StaleSince: &e.FetchedAt}
	if err := d.pub.Series(e.Series, meta); err != nil {
		d.log.Error("republish from cache", "job", j.cfg.Name(), "err", err)
	}
}

// safely runs f, logging a panic instead of letting it end the process.
func (d *Daemon) safely(what string, f func()) {
	defer func() {
		if p := recover(); p != nil {
			d.log.Error(what+" panicked", "panic", p)
		}
	}()
	f()
}

// Once runs every job one time, one after another, and returns how many
// failed. It fails before running any when Prepare fails.
func (d *Daemon) Once(ctx context.Context) (failed int, err error) {
	if err := d.Prepare(ctx); err != nil {
		d.publishStatus()
		return 0, err
	}
	ran := 0
	// The account first: it is what an operator looks at first.
	for _, j := range d.tasks() {
		if j.state().statusOf().Disabled != "" {
			continue
		}
		ran++
		if err := d.runJob(ctx, j); err != nil {
			failed++
		}
		if ctx.Err() != nil {
			return failed, ctx.Err()
		}
	}
	if ran == 0 {
		return 0, ErrNothingToRun
	}
	return failed, nil
}

// Run prepares, waiting out a saved ban and retrying while the exchange is
// unreachable, runs every job once, then runs each shortly after every
// close of its candles until ctx is done. Running jobs finish or are
// abandoned with nothing half-written.
func (d *Daemon) Run(ctx context.Context) error {
	if ok, err := d.prepareUntilReady(ctx); !ok {
		return err // nil when stopped while starting; nothing ran yet
	}
	c := cron.New(cron.WithLocation(time.UTC),
		cron.WithChain(cron.Recover(cronLogger{d.log})))
	ids := map[task]cron.EntryID{}
	offset := func() time.Duration { return d.client.Now().Sub(time.Now()) }
	for _, j := range d.jobs {
		sched := closeSchedule{iv: j.cfg.Interval, delay: d.cfg.Schedule.Delay.Duration,
			offset: offset}
		ids[j] = c.Schedule(sched, cron.FuncJob(func() { d.runJob(ctx, j) }))
	}
	if d.acct != nil {
		ids[d.acct] = c.Schedule(cron.Every(d.acct.cfg.Every.Duration),
			cron.FuncJob(func() { d.runJob(ctx, d.acct) }))
	}
	c.Schedule(cron.Every(time.Hour), cron.FuncJob(func() { d.refreshInfo(ctx) }))
	d.nextRun = func(j task) *time.Time {
		t := c.Entry(ids[j]).Next
		if t.IsZero() {
			return nil
		}
		// cron counts on the host's clock; the status shows the exchange's.
		t = t.Add(offset()).UTC()
		return &t
	}
	c.Start()
	d.log.Info("daemon running", "jobs", len(d.tasks()))
	for _, j := range d.tasks() {
		if ctx.Err() != nil {
			break
		}
		d.runJob(ctx, j)
	}
	<-ctx.Done()
	d.log.Info("stopping; waiting for running jobs")
	select {
	case <-c.Stop().Done():
	case <-time.After(30 * time.Second):
		d.log.Warn("jobs still running after 30s; leaving them")
	}
	d.publishStatus()
	return nil
}

// prepareUntilReady retries Prepare until it succeeds, and reports false
// when ctx was done first or the configuration does not fit the budget,
// which no retry changes.
func (d *Daemon) prepareUntilReady(ctx context.Context) (bool, error) {
	backoff := 10 * time.Second
	for {
		err := d.Prepare(ctx)
		if ctx.Err() != nil {
			return false, nil
		}
		if err == nil {
			return true, nil
		}
		if errors.Is(err, ErrDoesNotFit) {
			d.publishStatus()
			return false, err
		}
		wait := backoff
		var fe *fetch.Error
		if errors.As(err, &fe) && errors.Is(err, fetch.ErrPaused) {
			wait = fe.Until.Sub(d.client.Now()) + time.Second
		} else {
			backoff = min(backoff*2, 5*time.Minute)
		}
		d.log.Error("cannot start yet; retrying", "err", err, "retry_in", wait.Round(time.Second))
		d.publishStatus()
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return false, nil
		case <-t.C:
		}
	}
}

// refreshInfo reads exchangeInfo again: a changed limit changes the budget,
// and symbols that start or stop trading join or leave.
func (d *Daemon) refreshInfo(ctx context.Context) {
	info, err := d.client.ExchangeInfo(ctx)
	if err != nil {
		d.log.Warn("refresh exchangeInfo; keeping the last", "err", err)
		return
	}
	for _, j := range d.jobs {
		d.checkListed(j, info)
	}
	d.publishStatus()
}

// publishStatus writes status.json and the index page.
func (d *Daemon) publishStatus() {
	d.statusMu.Lock()
	defer d.statusMu.Unlock()
	b, p := d.client.Budget().Snapshot()
	st := status.Status{GeneratedAt: d.client.Now().UTC(), StartedAt: d.started,
		Version: d.version, Budget: b, Pause: p}
	st.Requests, st.Weight = d.client.Sent()
	for _, j := range d.tasks() {
		js := j.state().statusOf()
		if js.Disabled == "" {
			js.NextRun = d.nextRun(j)
		}
		st.Jobs = append(st.Jobs, js)
	}
	if err := d.pub.Status(st); err != nil {
		d.log.Error("publish status", "err", err)
	}
	d.writeMetrics(st)
}

// writeMetrics writes the status for node_exporter's textfile collector.
func (d *Daemon) writeMetrics(st status.Status) {
	var b bytes.Buffer
	st.WritePrometheus(&b)
	path := filepath.Join(d.cfg.State.Dir, MetricsFile)
	if err := atomicfile.Write(path, b.Bytes(), 0o644); err != nil {
		d.log.Error("write metrics", "path", path, "err", err)
	}
}

// MetricsFile is the name, in the state folder, of the status in
// Prometheus' text format.
const MetricsFile = "snapshotter.prom"

// cronLogger hands cron's messages to slog; cron's own default would drop
// its Info lines and, in a nil logger, crash on a recovered panic.
type cronLogger struct{ log *slog.Logger }

func (l cronLogger) Info(msg string, kv ...any) { l.log.Debug("cron: "+msg, kv...) }

func (l cronLogger) Error(err error, msg string, kv ...any) {
	l.log.Error("cron: "+msg, append(kv, "err", err)...)
}
