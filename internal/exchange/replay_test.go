package exchange

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"snapshotter/internal/kline"
)

// dataDir holds the recorded exchange data shared by the project; it is
// not part of the repository.
const dataDir = "../../../shared/data/klines"

// recorded returns the path of a recorded klines file, skipping the test
// when the shared data is not on this machine.
func recorded(t *testing.T, name string) string {
	t.Helper()
	path := filepath.Join(dataDir, name)
	if _, err := os.Stat(path); err != nil {
		t.Skipf("recorded data %s not available: %v", path, err)
	}
	return path
}

// fileRows reads a recording's rows as raw JSON fields.
func fileRows(t *testing.T, path string) [][]json.RawMessage {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]json.RawMessage
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatalf("decode %s: %v", path, err)
	}
	return out
}

// replayNow is the fake time replays start at, long after the recordings.
var replayNow = time.Date(2026, 3, 10, 15, 20, 30, 0, time.UTC)

func TestReplay_ServesRecordingByteForByte(t *testing.T) {
	files := []string{
		"binance_fapi_BTCUSDT_1h_3056.json",
		"binance_fapi_REZUSDT_1h_3056.json",
		"binance_fapi_BTCUSDT_5m_500.json",
		"binance_spot_BTCUSDT_1m_1000.json",
		"aster_fapi_BTCUSDT_5m_1.json",
	}
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			path := recorded(t, name)
			m, err := LoadReplayFile(path)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			want := fileRows(t, path)
			s, _ := newTestServer(Config{Markets: []Market{m}}, replayNow)
			_, iv, _ := ReplayName(path)
			q := klinesQ(m.Symbol, string(iv), "limit", "1500")
			got := rows(t, get(t, s, "/fapi/v1/klines", q))
			compareShifted(t, got, want[max(0, len(want)-1500):], shiftOf(t, want, iv))
		})
	}
}

// shiftOf is how far a replay moves the recording all: from its newest
// open time to that of the candle open at replayNow.
func shiftOf(t *testing.T, all [][]json.RawMessage, iv kline.Interval) int64 {
	t.Helper()
	return iv.OpenTime(replayNow).UnixMilli() - rawInt(t, all[len(all)-1][0])
}

// compareShifted checks that got is want moved by shift milliseconds, with
// every other field unchanged, byte for byte.
func compareShifted(t *testing.T, got, want [][]json.RawMessage, shift int64) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d candles, want %d", len(got), len(want))
	}
	for i := range got {
		if o := rawInt(t, got[i][0]); o != rawInt(t, want[i][0])+shift {
			t.Fatalf("row %d: open %d, want recorded %s moved by %d", i, o, want[i][0], shift)
		}
		if c := rawInt(t, got[i][6]); c != rawInt(t, want[i][6])+shift {
			t.Fatalf("row %d: close %d, want recorded %s moved by %d", i, c, want[i][6], shift)
		}
		for f := 1; f < 12; f++ {
			if f == 6 {
				continue
			}
			if !bytes.Equal(got[i][f], want[i][f]) {
				t.Fatalf("row %d field %d: %s, recorded %s", i, f, got[i][f], want[i][f])
			}
		}
	}
}

func rawInt(t *testing.T, raw json.RawMessage) int64 {
	t.Helper()
	n, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		t.Fatalf("integer %s: %v", raw, err)
	}
	return n
}

func TestReplay_ContinuesAfterRecording(t *testing.T) {
	path := recorded(t, "binance_fapi_ETHUSDT_1h_3056.json")
	m, err := LoadReplay(path, "ETHUSDT", "1h")
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	want := fileRows(t, path)
	last := want[len(want)-1]
	s, clk := newTestServer(Config{Markets: []Market{m}}, replayNow)
	q := klinesQ("ETHUSDT", "1h", "limit", "2")

	// At start the newest recorded candle is the open one.
	cs := candles(t, get(t, s, "/fapi/v1/klines", q), replayNow)
	current := kline.Interval("1h").OpenTime(replayNow).UnixMilli()
	if cs[1].OpenTime != current || cs[1].Closed {
		t.Fatalf("newest candle opens %d closed=%v, want the open candle %d",
			cs[1].OpenTime, cs[1].Closed, current)
	}

	clk.Advance(time.Hour)
	cs = candles(t, get(t, s, "/fapi/v1/klines", q), clk.Now())
	var lastClose string
	json.Unmarshal(last[4], &lastClose)
	if cs[0].OpenTime != current || cs[0].Close != lastClose {
		t.Errorf("older candle %d close %s, want the recorded one at %d close %s",
			cs[0].OpenTime, cs[0].Close, current, lastClose)
	}
	if cs[1].OpenTime != current+3600000 || cs[1].Open != lastClose {
		t.Errorf("new candle %d open %s, want %d open %s", cs[1].OpenTime, cs[1].Open,
			current+3600000, lastClose)
	}
	checkCandle(t, cs[1], 2, 3)
}

func TestReplay_NothingBeforeRecording(t *testing.T) {
	path := recorded(t, "binance_fapi_BTCUSDT_5m_500.json")
	m, err := LoadReplayFile(path)
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	s, _ := newTestServer(Config{Markets: []Market{m}}, replayNow)
	got := rows(t, get(t, s, "/fapi/v1/klines", klinesQ("BTCUSDT", "5m", "startTime", "0",
		"limit", "3")))
	all := fileRows(t, path)
	compareShifted(t, got, all[:3], shiftOf(t, all, "5m"))
}

func TestReplay_SameSymbolTwoIntervals(t *testing.T) {
	hourly, err := LoadReplayFile(recorded(t, "binance_fapi_BTCUSDT_1h_3056.json"))
	if err != nil {
		t.Fatal(err)
	}
	path := recorded(t, "binance_fapi_BTCUSDT_5m_500.json")
	fiveMin, err := LoadReplayFile(path)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := newTestServer(Config{Markets: []Market{hourly, fiveMin}}, replayNow)
	if n := len(s.markets); n != 1 {
		t.Fatalf("%d markets, want one BTCUSDT", n)
	}
	got := rows(t, get(t, s, "/fapi/v1/klines", klinesQ("BTCUSDT", "5m", "limit", "10")))
	want := fileRows(t, path)
	compareShifted(t, got, want[len(want)-10:], shiftOf(t, want, "5m"))
}

func TestLoadReplay_CSV(t *testing.T) {
	const ms = "1704067200000,42283.58,42554.57,42261.02,42475.23,1271.68108," +
		"1704070799999,53957248.973789,47134,682.57581,28957416.819645,0\n" +
		"1704070800000,42475.23,42775.00,42431.65,42613.56,1196.37856," +
		"1704074399999,50984842.06,44528,606.21364,25837055.28,0\n"
	const us = "1704067200000000,42283.58,42554.57,42261.02,42475.23,1271.68108," +
		"1704070799999999,53957248.973789,47134,682.57581,28957416.819645,0\n" +
		"1704070800000000,42475.23,42775.00,42431.65,42613.56,1196.37856," +
		"1704074399999999,50984842.06,44528,606.21364,25837055.28,0\n"
	header := "open_time,open,high,low,close,volume,close_time,quote_volume,count," +
		"taker_buy_volume,taker_buy_quote_volume,ignore\n"
	tests := []struct{ name, csv string }{
		{"milliseconds", ms},
		{"header", header + ms},
		{"microseconds", header + us},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "BTCUSDT-1h-2024-01.csv")
			if err := os.WriteFile(path, []byte(tt.csv), 0o600); err != nil {
				t.Fatal(err)
			}
			m, err := LoadReplayFile(path)
			if err != nil {
				t.Fatalf("load: %v", err)
			}
			s, _ := newTestServer(Config{Markets: []Market{m}}, replayNow)
			got := candles(t, get(t, s, "/fapi/v1/klines",
				klinesQ("BTCUSDT", "1h", "limit", "2")), replayNow)
			if got[0].Open != "42283.58" || got[1].Close != "42613.56" ||
				got[0].QuoteVolume != "53957248.973789" || got[1].Trades != 44528 {
				t.Errorf("candles %+v", got)
			}
		})
	}
}

func TestLoadReplay_Refuses(t *testing.T) {
	tests := []struct{ name, content string }{
		{"empty array", "[]"},
		{"not on the hour", `[[1704067260000,"1.0","1.0","1.0","1.0","1",1704070859999,` +
			`"1",1,"1","1","0"]]`},
		{"float price", `[[1704067200000,1.0,"1.0","1.0","1.0","1",1704070799999,` +
			`"1",1,"1","1","0"]]`},
		{"short csv row", "1704067200000,1.0,1.0\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "x_fapi_BTCUSDT_1h.json")
			if err := os.WriteFile(path, []byte(tt.content), 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := LoadReplay(path, "BTCUSDT", "1h"); !errors.Is(err, ErrRecording) {
				t.Errorf("error %v, want ErrRecording", err)
			}
		})
	}
}

func TestReplayName(t *testing.T) {
	tests := []struct {
		path   string
		symbol string
		iv     kline.Interval
		ok     bool
	}{
		{"data/binance_fapi_BTCUSDT_1h_3056.json", "BTCUSDT", "1h", true},
		{"aster_fapi_币安人生USDT_5m_1.json", "币安人生USDT", "5m", true},
		{"BTCUSDT-1M-2024.csv", "BTCUSDT", "1M", true},
		{"binance_fapi_BTCUSDT_7h_1.json", "", "", false},
		{"klines.json", "", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			symbol, iv, err := ReplayName(tt.path)
			if (err == nil) != tt.ok || symbol != tt.symbol || iv != tt.iv {
				t.Errorf("got %q %q %v, want %q %q ok=%v", symbol, iv, err,
					tt.symbol, tt.iv, tt.ok)
			}
			if err != nil && !errors.Is(err, ErrRecording) {
				t.Errorf("error %v does not wrap ErrRecording", err)
			}
		})
	}
}
