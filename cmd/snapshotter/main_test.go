package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/clock"
	"snapshotter/internal/exchange"
	"snapshotter/internal/kline"
	"snapshotter/internal/store"
)

// echartsStub stands in for the npm-installed script in tests.
func echartsStub(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "echarts.min.js")
	if err := os.WriteFile(p, []byte("/* echarts stub */"), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// writeConfig writes a config for the exchange at base into dir.
func writeConfig(t *testing.T, dir, base, charts string) string {
	t.Helper()
	src := fmt.Sprintf(`[exchange]
base_url = %q
[output]
dir = %q
echarts_js = %q
[state]
dir = %q
[log]
level = "debug"
%s`, base, filepath.Join(dir, "public"), echartsStub(t), filepath.Join(dir, "state"), charts)
	p := filepath.Join(dir, "config.toml")
	if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestRun_HelpEverywhere(t *testing.T) {
	for _, args := range [][]string{{"-h"}, {"run", "-h"}, {"once", "-h"}, {"demo", "-h"},
		{"plan", "-h"}, {"version", "-h"}} {
		var out, errb bytes.Buffer
		if code := run(args, &out, &errb); code != exitOK {
			t.Errorf("%v: exit %d, want 0", args, code)
		}
		if !strings.Contains(out.String()+errb.String(), "Usage") {
			t.Errorf("%v printed no usage: %q", args, out.String()+errb.String())
		}
	}
	var out bytes.Buffer
	if code := run([]string{"version"}, &out, &out); code != 0 ||
		out.String() != "snapshotter "+version+"\n" {
		t.Errorf("version: %d %q", code, out.String())
	}
	if code := run([]string{"frobnicate"}, &out, &out); code != exitUsage {
		t.Errorf("unknown command: exit %d, want %d", code, exitUsage)
	}
}

func TestOnce_BadConfigNamesKey(t *testing.T) {
	dir := t.TempDir()
	p := writeConfig(t, dir, "http://127.0.0.1:1", "[budget]\nshare = 2.0\n"+
		"[[klines]]\nsymbol = \"BTCUSDT\"\ninterval = \"1h\"\n")
	var errb bytes.Buffer
	code := run([]string{"once", "-config", p}, &errb, &errb)
	want := p + ":11: budget.share = 2: must be more than 0 and at most 1"
	if code != exitUsage || !strings.Contains(errb.String(), want) {
		t.Errorf("exit %d, output %q; want %d and %q", code, errb.String(), exitUsage, want)
	}
}

func TestOnce_ExitStatus(t *testing.T) {
	fc := clock.NewFake(time.Date(2025, 3, 1, 10, 0, 1, 0, time.UTC))
	ex := exchange.New(exchange.Config{Clock: fc})
	srv := httptest.NewServer(ex)
	defer srv.Close()
	charts := "[[klines]]\nsymbol = \"BTCUSDT\"\ninterval = \"1m\"\nkeep = 10\n" +
		"[[klines]]\nsymbol = \"ETHUSDT\"\ninterval = \"1m\"\nkeep = 10\n" +
		"[[klines]]\nsymbol = \"NOSUCHUSDT\"\ninterval = \"1m\"\n"
	p := writeConfig(t, t.TempDir(), srv.URL, charts)
	var errb bytes.Buffer
	if code := run([]string{"once", "-config", p}, &errb, &errb); code != exitOK {
		t.Fatalf("all listed charts fine: exit %d, want 0\n%s", code, errb.String())
	}
	if n := strings.Count(errb.String(), `symbol \"NOSUCHUSDT\" is not listed`); n != 1 {
		t.Errorf("unlisted symbol reported %d times, want once:\n%s", n, errb.String())
	}

	ex.Inject(exchange.Fault{Path: "/fapi/v1/klines", Symbol: "ETHUSDT", Status: 502,
		Body: "<html>502 Bad Gateway</html>"})
	errb.Reset()
	if code := run([]string{"once", "-config", p}, &errb, &errb); code != exitFailed {
		t.Errorf("one chart failing: exit %d, want %d\n%s", code, exitFailed, errb.String())
	}
}

// TestOnce_RecordedKlines replays the real recorded candles and checks each
// snapshot holds exactly the recorded window, strings byte for byte.
func TestOnce_RecordedKlines(t *testing.T) {
	data := filepath.Join("..", "..", "..", "shared", "data", "klines")
	if _, err := os.Stat(data); err != nil {
		t.Skipf("recorded data not found at %s: %v", data, err)
	}
	files := []struct {
		file string
		keep int
	}{
		{"binance_fapi_BTCUSDT_1h_3056.json", 3056}, // three pages
		{"binance_fapi_ETHUSDT_1h_3056.json", 1000},
		{"binance_fapi_REZUSDT_1h_3056.json", 500},
		{"binance_fapi_BTCUSDT_5m_500.json", 288},
		{"binance_spot_BTCUSDT_1m_1000.json", 1000},
	}
	// The exchange's clock stands still just after a minute turns, so the
	// newest recorded candle stays the current one during the run.
	fc := clock.NewFake(time.Date(2026, 12, 4, 10, 0, 0, 500e6, time.UTC))
	var markets []exchange.Market
	charts := ""
	for _, f := range files {
		m, err := exchange.LoadReplayFile(filepath.Join(data, f.file))
		if err != nil {
			t.Fatal(err)
		}
		markets = append(markets, m)
		iv := strings.Split(f.file, "_")[3]
		charts += fmt.Sprintf("[[klines]]\nsymbol = %q\ninterval = %q\nkeep = %d\n",
			m.Symbol, iv, f.keep)
	}
	ex := exchange.New(exchange.Config{Clock: fc, Markets: markets})
	srv := httptest.NewServer(ex)
	defer srv.Close()
	dir := t.TempDir()
	p := writeConfig(t, dir, srv.URL, charts)
	var errb bytes.Buffer
	if code := run([]string{"once", "-config", p}, &errb, &errb); code != exitOK {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}

	for _, f := range files {
		parts := strings.Split(f.file, "_")
		symbol, iv := parts[2], parts[3]
		t.Run(symbol+"_"+iv, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(data, f.file))
			if err != nil {
				t.Fatal(err)
			}
			var rows [][]json.RawMessage
			if err := json.Unmarshal(raw, &rows); err != nil {
				t.Fatal(err)
			}
			want := rows[len(rows)-f.keep:]
			snap := readSnapshot(t, filepath.Join(dir, "public", "data", "klines",
				symbol+"_"+iv+".json"))
			if snap.Symbol != symbol || snap.Interval != iv || snap.Stale {
				t.Errorf("header %s %s stale=%v", snap.Symbol, snap.Interval, snap.Stale)
			}
			if len(snap.Candles) != len(want) {
				t.Fatalf("%d candles, want %d", len(snap.Candles), len(want))
			}
			shift := snap.Candles[0].OpenTime - mustInt(t, want[0][0])
			step := kline.Interval(iv).Approx().Milliseconds()
			if shift%step != 0 {
				t.Errorf("shift %d ms is not a whole number of %s candles", shift, iv)
			}
			for i, c := range snap.Candles {
				r := want[i]
				got := []string{c.Open, c.High, c.Low, c.Close, c.Volume, c.QuoteVolume,
					c.TakerBuyBase, c.TakerBuyQuote}
				idx := []int{1, 2, 3, 4, 5, 7, 9, 10}
				for k, s := range got {
					if `"`+s+`"` != string(r[idx[k]]) {
						t.Fatalf("candle %d field %d = %q, recorded %s", i, idx[k], s, r[idx[k]])
					}
				}
				if c.OpenTime-shift != mustInt(t, r[0]) || c.CloseTime-shift != mustInt(t, r[6]) ||
					c.Trades != mustInt(t, r[8]) {
					t.Fatalf("candle %d times or trades differ from the recording", i)
				}
				if c.Closed != (i < len(want)-1) {
					t.Errorf("candle %d closed = %v", i, c.Closed)
				}
			}
			page, err := os.ReadFile(filepath.Join(dir, "public", symbol+"_"+iv+".html"))
			if err != nil {
				t.Fatal(err)
			}
			last := snap.Candles[len(snap.Candles)-1]
			first := snap.Candles[0]
			for _, s := range []string{last.Open, last.Close, first.High, first.Low} {
				if !bytes.Contains(page, []byte(s)) {
					t.Errorf("chart page lacks the recorded value %s", s)
				}
			}
		})
	}
}

type snapshot struct {
	Symbol   string         `json:"symbol"`
	Interval string         `json:"interval"`
	Stale    bool           `json:"stale"`
	Candles  []kline.Candle `json:"candles"`
}

func readSnapshot(t *testing.T, path string) snapshot {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var s snapshot
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return s
}

func mustInt(t *testing.T, raw json.RawMessage) int64 {
	t.Helper()
	var n int64
	if err := json.Unmarshal(raw, &n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestOnce_RefusesAConfigThatDoesNotFit(t *testing.T) {
	fc := clock.NewFake(time.Date(2025, 3, 1, 10, 0, 1, 0, time.UTC))
	ex := exchange.New(exchange.Config{Clock: fc, WeightLimit: 1000})
	srv := httptest.NewServer(ex)
	defer srv.Close()
	charts := "[budget]\nshare = 0.002\n" // 2 of the exchange's 1000
	for _, s := range []string{"BTCUSDT", "ETHUSDT", "REZUSDT"} {
		charts += "[[klines]]\nsymbol = \"" + s + "\"\ninterval = \"1m\"\n"
	}
	p := writeConfig(t, t.TempDir(), srv.URL, charts)
	var errb bytes.Buffer
	code := run([]string{"once", "-config", p}, &errb, &errb)
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	for _, want := range []string{"configuration does not fit the budget",
		"klines REZUSDT 1m", "needs 4 weight in its busiest minute but the budget allows 2",
		"raise [budget] share to at least 0.004"} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, errb.String())
		}
	}
	for _, r := range ex.Requests() {
		if r.Path == "/fapi/v1/klines" {
			t.Errorf("a klines request was sent: %+v", r)
		}
	}

	// The same configuration, planned offline against the same limit.
	var out bytes.Buffer
	errb.Reset()
	if code := run([]string{"plan", "-config", p, "-limit", "1000"}, &out, &errb); code != 1 {
		t.Errorf("plan: exit %d, want 1", code)
	}
	if !strings.Contains(out.String(), "Steady state does NOT fit the budget.") {
		t.Errorf("plan output:\n%s", out.String())
	}
}

func TestOnce_StateFolderInUse(t *testing.T) {
	dir := t.TempDir()
	p := writeConfig(t, dir, "http://127.0.0.1:1",
		"[[klines]]\nsymbol = \"BTCUSDT\"\ninterval = \"1h\"\n")
	unlock, err := store.Lock(filepath.Join(dir, "state"))
	if err != nil {
		t.Fatal(err)
	}
	defer unlock()
	var errb bytes.Buffer
	code := run([]string{"once", "-config", p}, &errb, &errb)
	if code != exitStartUp || !strings.Contains(errb.String(), "held by another snapshotter") {
		t.Errorf("exit %d, output %q; want %d and the holder named", code, errb.String(),
			exitStartUp)
	}
}

func TestDemo_RefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"demo", "-serve", "0.0.0.0:8081"},
		{"demo", "-serve", "8082"},
		{"demo", "-for", "-5s"},
	} {
		var b bytes.Buffer
		if code := run(args, &b, &b); code != exitUsage {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, exitUsage, b.String())
		}
	}
}

func TestOnce_NothingToRunFails(t *testing.T) {
	fc := clock.NewFake(time.Date(2025, 3, 1, 10, 0, 1, 0, time.UTC))
	srv := httptest.NewServer(exchange.New(exchange.Config{Clock: fc}))
	defer srv.Close()
	p := writeConfig(t, t.TempDir(), srv.URL,
		"[[klines]]\nsymbol = \"btcusdt\"\ninterval = \"1m\"\n")
	var errb bytes.Buffer
	if code := run([]string{"once", "-config", p}, &errb, &errb); code != exitFailed {
		t.Errorf("exit %d, want %d\n%s", code, exitFailed, errb.String())
	}
}
