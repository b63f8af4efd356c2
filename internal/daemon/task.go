package daemon

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"snapshotter/internal/fetch"
	"snapshotter/internal/status"
)

// task is a scheduled job: a chart or the account.
type task interface {
	state() *jobState
	name() string
	run(ctx context.Context, d *Daemon) (result, error)
	// succeeded fills the job's own status fields after a good run and
	// logs the run's summary line.
	succeeded(d *Daemon, st *status.Job, res result, took time.Duration)
}

// jobState is what every job keeps between runs.
type jobState struct {
	running atomic.Bool

	mu sync.Mutex // guards st and refused
	st status.Job
	// refused is why the exchange refused the job's requests outright
	// (-1121, -1120); unlike a symbol that stops trading, this lasts
	// until a restart with a fixed config.
	refused string
}

func (s *jobState) state() *jobState { return s }

// statusOf returns a copy of the job's status.
func (s *jobState) statusOf() status.Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// runJob runs j unless it is disabled or its previous run is still going,
// which counts as a skip. A panic is recovered and reported as the job's
// error; the other jobs go on.
func (d *Daemon) runJob(ctx context.Context, j task) (err error) {
	s := j.state()
	if s.statusOf().Disabled != "" {
		return nil
	}
	if !s.running.CompareAndSwap(false, true) {
		s.mu.Lock()
		s.st.Skips++
		s.mu.Unlock()
		d.log.Warn("previous run still going; tick skipped", "job", j.name())
		return nil
	}
	defer s.running.Store(false)
	started := time.Now()
	var res result
	defer func() {
		if p := recover(); p != nil {
			err = &fetch.Error{Class: fetch.ClassInternal, Msg: fmt.Sprintf("panic: %v", p)}
		}
		if ctx.Err() != nil && err != nil {
			return // stopping: not a failure of the job
		}
		d.record(j, res, err, started)
		d.safely("publish status", d.publishStatus)
	}()
	res, err = j.run(ctx, d)
	return err
}

// record updates the job's status after a run.
func (d *Daemon) record(j task, res result, err error, started time.Time) {
	s := j.state()
	s.mu.Lock()
	defer s.mu.Unlock()
	now := d.client.Now().UTC()
	st := &s.st
	st.LastRun = &now
	took := time.Since(started).Round(time.Millisecond)
	if err == nil {
		// Only a success publishes; a failed backfill may have cached
		// candles that no published snapshot holds yet.
		j.succeeded(d, st, res, took)
		st.LastSuccess = &now
		st.LastError, st.ErrorClass = "", ""
		st.ConsecutiveFailures = 0
		st.StaleSince = nil
		return
	}
	st.LastError = err.Error()
	st.ErrorClass = fetch.ClassOf(err)
	st.ConsecutiveFailures++
	if st.StaleSince == nil {
		since := now
		if st.LastSuccess != nil {
			since = *st.LastSuccess
		}
		st.StaleSince = &since
	}
	switch {
	case errors.Is(err, fetch.ErrUnknownSymbol), errors.Is(err, fetch.ErrBadInterval):
		st.Disabled = "the exchange refused it: " + err.Error()
		s.refused = st.Disabled
		d.log.Warn("job disabled; fix the config and restart", "job", j.name(), "err", err)
	case errors.Is(err, fetch.ErrPaused):
		// One line per pause, not one per job and tick.
		var fe *fetch.Error
		errors.As(err, &fe)
		if d.pauseLogged.Swap(fe.Until.UnixMilli()) != fe.Until.UnixMilli() {
			d.log.Warn("exchange said stop; skipping every run until the pause ends",
				"until", fe.Until.UTC().Format(time.RFC3339Nano), "class", st.ErrorClass)
		} else {
			d.log.Debug("run skipped: paused", "job", j.name())
		}
	default:
		d.log.Error("run failed; last published files kept",
			"job", j.name(), "class", st.ErrorClass, "err", err,
			"requests", res.requests, "weight", res.weight, "failures", st.ConsecutiveFailures)
	}
}
