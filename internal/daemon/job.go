package daemon

import (
	"context"
	"errors"
	"fmt"
	"time"

	"snapshotter/internal/config"
	"snapshotter/internal/fetch"
	"snapshotter/internal/kline"
	"snapshotter/internal/render"
	"snapshotter/internal/status"
	"snapshotter/internal/store"
)

// klinesJob keeps one chart up to date.
type klinesJob struct {
	jobState
	cfg config.Klines

	// entry is touched only by the job's own run, one at a time.
	entry store.Entry
}

func (j *klinesJob) name() string { return j.cfg.Name() }

func (j *klinesJob) run(ctx context.Context, d *Daemon) (result, error) {
	return d.runKlines(ctx, j)
}

// succeeded fills the status after a good run and logs its summary line.
func (j *klinesJob) succeeded(d *Daemon, st *status.Job, res result, took time.Duration) {
	st.Candles = len(j.entry.Series.Candles)
	d.log.Info("klines run", "job", j.cfg.Name(), "requests", res.requests,
		"weight", res.weight, "received", res.received, "new", res.added,
		"candles", st.Candles, "took", took)
}

// result is what one run did, for its log line.
type result struct {
	requests int
	weight   int
	received int
	added    int // candles newer than the newest stored before the run
}

// run brings the series up to date: the pages Plan asks for, oldest
// first, merged into the cache, then published. A failure keeps everything
// already published as it was; pages merged before it are kept in the
// cache, so a long backfill resumes where it stopped.
func (d *Daemon) runKlines(ctx context.Context, j *klinesJob) (result, error) {
	var res result
	now := d.client.Now()
	s := &j.entry.Series
	reqs := s.Plan(now, j.cfg.Keep)
	var newest int64
	if n := len(s.Candles); n > 0 {
		newest = s.Candles[n-1].OpenTime
	}
	for i, req := range reqs {
		rctx := ctx
		if len(reqs) > 1 || fetch.KlinesWeight(req.Limit) > 1 {
			// A backfill or a gap repair can wait; a steady refresh cannot.
			rctx = fetch.Background(ctx)
		}
		got, err := d.client.Klines(rctx, j.cfg.Symbol, j.cfg.Interval, req.Start, req.Limit)
		if err == nil || !notSent(err) {
			res.requests++
			res.weight += fetch.KlinesWeight(req.Limit)
		}
		if err == nil {
			res.received += len(got)
			for _, c := range got {
				if c.OpenTime > newest {
					res.added++
				}
			}
			err = checkEmpty(req, got, s, now)
		}
		if err != nil {
			if i > 0 {
				d.saveCache(j)
			}
			return res, err
		}
		s.Merge(req, got, d.client.Now(), j.cfg.Keep)
		if len(reqs) > 1 {
			d.log.Info("backfill progress", "job", j.cfg.Name(), "page", i+1,
				"pages", len(reqs), "candles", len(s.Candles), "keep", j.cfg.Keep)
		}
	}
	j.entry.FetchedAt = d.client.Now().UTC()
	d.saveCache(j)
	meta := render.SeriesMeta{FetchedAt: j.entry.FetchedAt}
	meta.Fills, meta.Entry = d.marksFor(j.cfg.Symbol)
	if err := d.pub.Series(*s, meta); err != nil {
		return res, &fetch.Error{Class: fetch.ClassInternal, Msg: "publish: " + err.Error()}
	}
	return res, nil
}

// notSent reports whether err stopped a request before it was sent.
func notSent(err error) bool {
	return errors.Is(err, fetch.ErrPaused) || errors.Is(err, fetch.ErrOverBudget)
}

// checkEmpty refuses an empty answer for a range that holds the current
// candle, which a listed symbol always has: taking it would record the
// range as a gap. A series with no candles yet is a new listing, and an
// empty answer there means no data.
func checkEmpty(req kline.Request, got []kline.Candle, s *kline.Series, now time.Time) error {
	if len(got) > 0 || len(s.Candles) == 0 {
		return nil
	}
	end := s.Interval.Add(req.Start, req.Limit)
	if now.Before(end) {
		return &fetch.Error{Class: fetch.ClassBadAnswer, Status: 200, Msg: fmt.Sprintf(
			"no candles from %s on, though the current candle must exist",
			req.Start.UTC().Format(time.RFC3339))}
	}
	return nil
}

func (d *Daemon) saveCache(j *klinesJob) {
	if err := d.store.Save(j.entry); err != nil {
		d.log.Error("save cache; the next run fetches again", "job", j.cfg.Name(), "err", err)
	}
}
