package daemon

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
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

func TestDaemon_RefreshedLimitChangesTheBudget(t *testing.T) {
	e := newEnv(t, at("2025-03-01T10:00:01Z"), setup{charts: []config.Klines{
		chart("BTCUSDT", "1m", 10)}})
	e.once()
	if b := e.status().Budget; b.Limit != 2400 || b.Allowed != 480 {
		t.Fatalf("budget %+v, want 2400 and 480", b)
	}
	// The exchange lowers the IP's limit; the hourly refresh reads it.
	twin := exchange.New(e.cfg)
	rec := httptest.NewRecorder()
	twin.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/fapi/v1/exchangeInfo", nil))
	body := strings.Replace(rec.Body.String(), `"limit":2400`, `"limit":1200`, 1)
	if body == rec.Body.String() {
		t.Fatal("exchangeInfo has no limit of 2400 to change")
	}
	e.ex.Inject(exchange.Fault{Path: "/fapi/v1/exchangeInfo", Status: 200, Body: body, Times: 1})
	e.clock.Set(at("2025-03-01T11:00:01Z"))
	e.d.refreshInfo(e.ctx)
	if b := e.status().Budget; b.Limit != 1200 || b.Allowed != 240 {
		t.Errorf("budget after the refresh %+v, want 1200 and 240", b)
	}
	if js := e.jobStatus("BTCUSDT", "1m"); js.Disabled != "" {
		t.Errorf("the refresh left the chart out: %s", js.Disabled)
	}
}
