package daemon

import (
	"os"
	"path/filepath"
	"snapshotter/internal/config"
	"strings"
	"testing"
)

func TestDaemon_MetricsFileForTextfileCollector(t *testing.T) {
	e := newEnv(t, at("2025-03-01T10:00:01Z"), setup{charts: []config.Klines{
		chart("BTCUSDT", "1m", 10), chart("NOSUCHUSDT", "1m", 10)}})
	e.once()
	raw, err := os.ReadFile(filepath.Join(e.conf.State.Dir, MetricsFile))
	if err != nil {
		t.Fatal(err)
	}
	out := string(raw)
	// time, exchangeInfo and one klines call, each weight 1.
	for _, want := range []string{
		"snapshotter_requests_total 3\n",
		"snapshotter_weight_total 3\n",
		"snapshotter_weight_limit 2400\n",
		"snapshotter_weight_allowed 480\n",
		`snapshotter_paused{kind="ban"} 0`,
		`snapshotter_job_candles{job="BTCUSDT 1m",symbol="BTCUSDT",interval="1m"} 10`,
		`snapshotter_job_disabled{job="NOSUCHUSDT 1m",symbol="NOSUCHUSDT",interval="1m"} 1`,
		`snapshotter_job_consecutive_failures{job="BTCUSDT 1m",symbol="BTCUSDT",interval="1m"} 0`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("metrics lack %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(e.out, MetricsFile)); err == nil {
		t.Error("metrics written into the published folder")
	}
}
