package exchange

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"snapshotter/internal/kline"
)

func TestKlines_Paging(t *testing.T) {
	// now is 12:34:10, so the 12:00 hour is the open candle.
	tests := []struct {
		name   string
		market Market
		pairs  []string
		want   []int64
	}{
		{"newest by default", Market{}, []string{"limit", "3"},
			[]int64{ms(10, 0), ms(11, 0), ms(12, 0)}},
		{"start inclusive", Market{}, []string{"startTime", msStr(9, 0), "limit", "2"},
			[]int64{ms(9, 0), ms(10, 0)}},
		{"start inside a candle", Market{},
			[]string{"startTime", msStr(9, 30), "limit", "2"},
			[]int64{ms(10, 0), ms(11, 0)}},
		{"start and end inclusive", Market{},
			[]string{"startTime", msStr(9, 0), "endTime", msStr(11, 0)},
			[]int64{ms(9, 0), ms(10, 0), ms(11, 0)}},
		{"limit from the start", Market{},
			[]string{"startTime", msStr(1, 0), "endTime", msStr(11, 0), "limit", "2"},
			[]int64{ms(1, 0), ms(2, 0)}},
		{"end only gives the newest before it", Market{},
			[]string{"endTime", msStr(10, 30), "limit", "2"},
			[]int64{ms(9, 0), ms(10, 0)}},
		{"no candle after now", Market{},
			[]string{"startTime", msStr(11, 0), "limit", "5"},
			[]int64{ms(11, 0), ms(12, 0)}},
		{"end in the future", Market{},
			[]string{"endTime", msStr(23, 0), "limit", "2"},
			[]int64{ms(11, 0), ms(12, 0)}},
		{"start in the future", Market{}, []string{"startTime", msStr(13, 0)}, []int64{}},
		{"gap skipped forwards", gapMarket(ms(10, 0), ms(10, 59)),
			[]string{"startTime", msStr(9, 0), "limit", "3"},
			[]int64{ms(9, 0), ms(11, 0), ms(12, 0)}},
		{"gap skipped backwards", gapMarket(ms(10, 0), ms(11, 0)),
			[]string{"limit", "2"},
			[]int64{ms(9, 0), ms(12, 0)}},
		{"nothing before listing", Market{Listed: time.UnixMilli(ms(11, 0))},
			[]string{"limit", "5"},
			[]int64{ms(11, 0), ms(12, 0)}},
		{"start zero begins at listing", Market{Listed: time.UnixMilli(ms(10, 30))},
			[]string{"startTime", "0", "limit", "5"},
			[]int64{ms(11, 0), ms(12, 0)}},
		{"nothing after delisting", Market{Delisted: time.UnixMilli(ms(11, 0))},
			[]string{"limit", "2"},
			[]int64{ms(9, 0), ms(10, 0)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := tt.market
			m.Symbol = "BTCUSDT"
			s, _ := newTestServer(Config{Markets: []Market{m}}, t0)
			q := klinesQ("BTCUSDT", "1h", tt.pairs...)
			got := openTimes(t, get(t, s, "/fapi/v1/klines", q))
			if got == nil {
				got = []int64{}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("open times %v, want %v", got, tt.want)
			}
		})
	}
}

// gapMarket is a market without candles opening in [from, to].
func gapMarket(from, to int64) Market {
	return Market{Gaps: []kline.Gap{{From: from, To: to}}}
}

func TestKlines_DefaultLimitIs500(t *testing.T) {
	s, _ := newTestServer(Config{}, t0)
	got := openTimes(t, get(t, s, "/fapi/v1/klines", klinesQ("BTCUSDT", "1m")))
	if len(got) != 500 {
		t.Fatalf("%d candles, want 500", len(got))
	}
	if want := time.Date(2024, 1, 1, 12, 34, 0, 0, time.UTC).UnixMilli(); got[499] != want {
		t.Errorf("newest open %d, want %d (the open minute)", got[499], want)
	}
}

func TestKlines_Errors(t *testing.T) {
	tests := []struct {
		name string
		q    url.Values
		want string
	}{
		{"unknown symbol", klinesQ("NOPEUSDT", "1h"),
			`{"code":-1121,"msg":"Invalid symbol."}`},
		{"bad interval", klinesQ("BTCUSDT", "2m"),
			`{"code":-1120,"msg":"Invalid interval."}`},
		{"float start time", klinesQ("BTCUSDT", "1h", "startTime", "1.6566336e+12"),
			`{"code":-1100,"msg":"Illegal characters found in parameter 'startTime'; ` +
				`legal range is '^[0-9]{1,20}$'."}`},
		{"negative end time", klinesQ("BTCUSDT", "1h", "endTime", "-5"),
			`{"code":-1100,"msg":"Illegal characters found in parameter 'endTime'; ` +
				`legal range is '^[0-9]{1,20}$'."}`},
		{"limit zero", klinesQ("BTCUSDT", "1h", "limit", "0"),
			`{"code":-1130,"msg":"Data sent for parameter 'limit' is not valid."}`},
		{"limit 1501", klinesQ("BTCUSDT", "1h", "limit", "1501"),
			`{"code":-1130,"msg":"Data sent for parameter 'limit' is not valid."}`},
		{"start after end",
			klinesQ("BTCUSDT", "1h", "startTime", msStr(11, 0), "endTime", msStr(10, 0)),
			`{"code":-1023,"msg":"Start time is greater than end time."}`},
		{"no symbol", url.Values{"interval": {"1h"}},
			`{"code":-1102,"msg":"Mandatory parameter 'symbol' was not sent, ` +
				`was empty/null, or malformed."}`},
		{"no interval", url.Values{"symbol": {"BTCUSDT"}},
			`{"code":-1102,"msg":"Mandatory parameter 'interval' was not sent, ` +
				`was empty/null, or malformed."}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(Config{}, t0)
			a := get(t, s, "/fapi/v1/klines", tt.q)
			if a.status != http.StatusBadRequest {
				t.Errorf("status %d, want 400", a.status)
			}
			if string(a.body) != tt.want {
				t.Errorf("body %s\nwant %s", a.body, tt.want)
			}
			if h := a.header.Get("X-MBX-USED-WEIGHT-1M"); h == "" {
				t.Error("error answer lacks X-MBX-USED-WEIGHT-1M")
			}
		})
	}
}

func TestKlines_NonASCIISymbol(t *testing.T) {
	s, _ := newTestServer(Config{}, t0)
	a := get(t, s, "/fapi/v3/klines", klinesQ("币安人生USDT", "1h", "limit", "2"))
	r := rows(t, a)
	if len(r) != 2 {
		t.Fatalf("%d candles, want 2", len(r))
	}
	// Seven price decimals, as the exchange lists the symbol.
	var open string
	if err := json.Unmarshal(r[0][1], &open); err != nil {
		t.Fatal(err)
	}
	if decimals(open) != 7 {
		t.Errorf("open %q has %d decimals, want 7", open, decimals(open))
	}
}

func TestKlines_OpenCandleAsItStands(t *testing.T) {
	s, clk := newTestServer(Config{}, t0)
	q := klinesQ("BTCUSDT", "1h", "limit", "1")
	first := candles(t, get(t, s, "/fapi/v1/klines", q), t0)
	clk.Advance(20 * time.Minute)
	later := candles(t, get(t, s, "/fapi/v1/klines", q), clk.Now())

	if first[0].OpenTime != ms(12, 0) || later[0].OpenTime != ms(12, 0) {
		t.Fatalf("open times %d, %d, want the 12:00 candle", first[0].OpenTime,
			later[0].OpenTime)
	}
	if first[0].Closed || first[0].CloseTime != ms(13, 0)-1 {
		t.Errorf("open candle closed=%v closeTime=%d, want open until %d",
			first[0].Closed, first[0].CloseTime, ms(13, 0)-1)
	}
	if first[0].Open != later[0].Open {
		t.Errorf("open price moved from %s to %s", first[0].Open, later[0].Open)
	}
	if first[0].Volume == later[0].Volume {
		t.Errorf("volume stayed %s while the candle traded 20 more minutes",
			first[0].Volume)
	}
}
