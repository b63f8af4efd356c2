package daemon

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/fetch"
	"snapshotter/internal/render"
)

func TestDaemon_ExchangeDownAtStartShowsAndRefills(t *testing.T) {
	e := newEnv(t, at("2025-03-01T10:00:01Z"), setup{charts: []config.Klines{
		chart("BTCUSDT", "1m", 10)}})
	e.once()
	good := e.files("BTCUSDT", "1m")

	// The output folder is cleared and the exchange is down when the next
	// process starts.
	if err := os.RemoveAll(e.out); err != nil {
		t.Fatal(err)
	}
	e.ex.Inject(exchange.Fault{Path: "/fapi/v1/time", Status: 502,
		Body: "<html>502 Bad Gateway</html>"})
	e.clock.Set(at("2025-03-01T10:05:01Z"))
	e.start()
	if _, err := e.d.Once(e.ctx); fetch.ClassOf(err) != fetch.ClassServer {
		t.Fatalf("Once: err = %v, want a server error", err)
	}
	snap := e.snapshot("BTCUSDT", "1m")
	if !snap.Stale || len(snap.Candles) != 10 {
		t.Errorf("republished snapshot: stale %v with %d candles, want stale with 10",
			snap.Stale, len(snap.Candles))
	}
	if got := e.files("BTCUSDT", "1m"); string(got.json) == string(good.json) {
		t.Error("the republished snapshot is not marked stale")
	}
	js := e.jobStatus("BTCUSDT", "1m")
	if js.ErrorClass != fetch.ClassServer || js.ConsecutiveFailures != 1 ||
		js.StaleSince == nil || js.LastError == "" {
		t.Errorf("status while the exchange is down: %+v", js)
	}
	page := filepath.Join(e.out, render.SeriesName("BTCUSDT", "1m")+".html")
	if _, err := os.Stat(page); err != nil {
		t.Errorf("chart page not refilled from the cache: %v", err)
	}
}

func TestDaemon_OnceWithNothingToRunFails(t *testing.T) {
	e := newEnv(t, at("2025-03-01T10:00:01Z"), setup{charts: []config.Klines{
		chart("btcusdt", "1m", 10), chart("OLDCOINUSDT", "1h", 10)}})
	if _, err := e.d.Once(e.ctx); !errors.Is(err, ErrNothingToRun) {
		t.Errorf("Once: err = %v, want ErrNothingToRun", err)
	}
}

func TestDaemon_ExchangeDownMarksTheAccountToo(t *testing.T) {
	e := accountEnv(t, config.ProfileAsterV1, at("2025-03-01T10:00:30Z"), nil)
	e.ex.Inject(exchange.Fault{Path: "/fapi/v1/time", Status: 502, Body: "<html>502</html>"})
	if _, err := e.d.Once(e.ctx); fetch.ClassOf(err) != fetch.ClassServer {
		t.Fatalf("Once: err = %v, want a server error", err)
	}
	if js := accountStatus(e); js.ErrorClass != fetch.ClassServer ||
		js.ConsecutiveFailures != 1 || js.StaleSince == nil {
		t.Errorf("account status while the exchange is down: %+v", js)
	}
}
