package daemon

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/robfig/cron/v3"

	"snapshotter/internal/config"
	"snapshotter/internal/kline"
	"snapshotter/internal/render"
	"snapshotter/internal/status"
)

func TestDaemon_PublishIsAtomicForReaders(t *testing.T) {
	t.Parallel()
	// C19: while a chart is rewritten again and again, a reader polling its
	// JSON sees the old or the new snapshot, whole, never an empty file.
	e := newEnv(t, at("2024-01-01T10:00:03Z"), setup{
		charts: []config.Klines{chart("BTCUSDT", "1m", 100)}})
	if failed := e.once(); failed != 0 {
		t.Fatal("backfill failed")
	}
	full := e.job("BTCUSDT", "1m").entry.Series
	short := full
	short.Candles = full.Candles[len(full.Candles)/2:]
	versions := []kline.Series{full, short}
	path := filepath.Join(e.out, "data", "klines", "BTCUSDT_1m.json")

	const writes = 150
	done := make(chan error, 1)
	go func() {
		defer close(done)
		for i := range writes {
			if err := e.d.pub.Series(versions[i%2], render.SeriesMeta{}); err != nil {
				done <- err
				return
			}
		}
	}()

	reads := 0
	for finished := false; !finished; reads++ {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			finished = true
		default:
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("read %d: %v", reads, err)
		}
		var snap snapshot
		if err := json.Unmarshal(b, &snap); err != nil {
			t.Fatalf("read %d: %d bytes that do not parse: %v", reads, len(b), err)
		}
		if n := len(snap.Candles); snap.Count != n || (n != len(full.Candles) &&
			n != len(short.Candles)) {
			t.Fatalf("read %d: count %d with %d candles, want one whole version",
				reads, snap.Count, n)
		}
	}
	t.Logf("%d reads during %d writes", reads, writes)
	if reads < 2 {
		t.Errorf("only %d reads during %d writes", reads, writes)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.tmp"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left behind: %v", leftovers)
	}
}

func TestCronLogger_RecoverLogsPanic(t *testing.T) {
	t.Parallel()
	// C07: cron's Recover wrapper needs a logger that works, or the panic
	// it caught kills the process while logging it.
	book := &logBook{}
	job := cron.NewChain(cron.Recover(cronLogger{slog.New(book)})).Then(
		cron.FuncJob(func() { panic(errors.New("index out of range [0] with length 0")) }))
	job.Run()
	got := book.since(0, slog.LevelError)
	if len(got) != 1 || !strings.Contains(got[0], "index out of range") {
		t.Errorf("logged %q, want one error naming the panic", got)
	}
}

// canceller publishes through the real renderer and cancels the run once
// every job has run.
type canceller struct {
	Publisher
	cancel context.CancelFunc
}

func (c canceller) Status(st status.Status) error {
	ran := 0
	for _, j := range st.Jobs {
		if j.LastRun != nil {
			ran++
		}
	}
	if ran == len(st.Jobs) {
		c.cancel()
	}
	return c.Publisher.Status(st)
}

func TestDaemon_RunStopsCleanly(t *testing.T) {
	// The exchange's clock is years from the host's, as a fake clock is:
	// every time in the status must still be the exchange's.
	tests := []struct {
		name        string
		cancelFirst bool
	}{
		{"cancelled while starting", true},
		{"cancelled after the first runs", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			e := newEnv(t, at("2024-01-01T12:34:10Z"), setup{
				charts: []config.Klines{chart("BTCUSDT", "1m", 10), chart("ETHUSDT", "1h", 10)},
				wrap:   func(p Publisher) Publisher { return canceller{p, cancel} }})
			if tt.cancelFirst {
				cancel()
			}
			if err := e.d.Run(ctx); err != nil {
				t.Fatalf("Run: %v, want a clean stop", err)
			}
			if tt.cancelFirst {
				if n := len(klinesTo(e.ex.Requests(), "BTCUSDT")); n != 0 {
					t.Errorf("%d klines requests after a cancel before the start", n)
				}
				return
			}
			want := map[string]time.Time{
				"BTCUSDT 1m": at("2024-01-01T12:35:03Z"),
				"ETHUSDT 1h": at("2024-01-01T13:00:03Z"),
			}
			for _, j := range e.status().Jobs {
				if j.LastSuccess == nil {
					t.Errorf("%s did not run", j.Name)
				}
				// The host's clock moves while the fake one stands still,
				// so allow for the test's own running time.
				if j.NextRun == nil || j.NextRun.Sub(want[j.Name]).Abs() > time.Second {
					t.Errorf("%s next_run %v, want %s on the exchange's clock",
						j.Name, j.NextRun, want[j.Name])
				}
			}
		})
	}
}
