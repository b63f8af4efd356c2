package exchange

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"testing"
)

func TestServer_Endpoints(t *testing.T) {
	tests := []struct {
		path   string
		status int
		body   string // empty: checked elsewhere
	}{
		{"/fapi/v1/ping", 200, "{}"},
		{"/fapi/v3/ping", 200, "{}"},
		{"/fapi/v1/time", 200, `{"serverTime":1704112450000}`},
		{"/fapi/v3/time", 200, `{"serverTime":1704112450000}`},
		{"/fapi/v2/ping", 404,
			`{"code":-1099,"msg":"Not found, unauthenticated, or unauthorized."}`},
		{"/fapi/v1/depth", 404,
			`{"code":-1099,"msg":"Not found, unauthenticated, or unauthorized."}`},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			s, _ := newTestServer(Config{}, t0)
			a := get(t, s, tt.path, nil)
			if a.status != tt.status || string(a.body) != tt.body {
				t.Errorf("got %d %s, want %d %s", a.status, a.body, tt.status, tt.body)
			}
			if a.header.Get("X-MBX-USED-WEIGHT-1M") != "1" {
				t.Errorf("used weight %q, want 1", a.header.Get("X-MBX-USED-WEIGHT-1M"))
			}
		})
	}
}

func TestExchangeInfo_Shape(t *testing.T) {
	s, _ := newTestServer(Config{WeightLimit: 1000}, t0)
	var info struct {
		Timezone   string
		ServerTime int64
		RateLimits []struct {
			RateLimitType, Interval string
			IntervalNum, Limit      int
		}
		Symbols []struct {
			Symbol, Pair, ContractType, Status, BaseAsset, QuoteAsset string
			PricePrecision, QuantityPrecision                         int
			Filters                                                   []map[string]any
		}
	}
	a := get(t, s, "/fapi/v3/exchangeInfo", nil)
	if err := json.Unmarshal(a.body, &info); err != nil {
		t.Fatalf("decode: %v", err)
	}

	if info.Timezone != "UTC" || info.ServerTime != t0.UnixMilli() {
		t.Errorf("timezone %q serverTime %d", info.Timezone, info.ServerTime)
	}
	rl := info.RateLimits[0]
	if rl.RateLimitType != "REQUEST_WEIGHT" || rl.Interval != "MINUTE" ||
		rl.IntervalNum != 1 || rl.Limit != 1000 {
		t.Errorf("first rate limit %+v, want REQUEST_WEIGHT 1000 per 1 MINUTE", rl)
	}
	if ord := info.RateLimits[1]; ord.RateLimitType != "ORDERS" || ord.Limit != 1200 {
		t.Errorf("second rate limit %+v, want ORDERS 1200", ord)
	}

	byName := map[string]int{}
	for i, sym := range info.Symbols {
		byName[sym.Symbol] = i
	}
	btc := info.Symbols[byName["BTCUSDT"]]
	if btc.Pair != "BTCUSDT" || btc.ContractType != "PERPETUAL" || btc.Status != "TRADING" ||
		btc.BaseAsset != "BTC" || btc.QuoteAsset != "USDT" || btc.PricePrecision != 1 ||
		btc.QuantityPrecision != 3 {
		t.Errorf("BTCUSDT %+v", btc)
	}
	if f := btc.Filters[0]; f["filterType"] != "PRICE_FILTER" || f["tickSize"] != "0.1" {
		t.Errorf("BTCUSDT first filter %v, want PRICE_FILTER tickSize 0.1", f)
	}
	if got := info.Symbols[byName["币安人生USDT"]].BaseAsset; got != "币安人生" {
		t.Errorf("base asset %q, want 币安人生", got)
	}
	if got := info.Symbols[byName["OLDCOINUSDT"]].Status; got != "SETTLING" {
		t.Errorf("OLDCOINUSDT status %q, want SETTLING", got)
	}
}

func TestServer_StartServesLoopback(t *testing.T) {
	s, _ := newTestServer(Config{}, t0)
	base, err := s.Start()
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Start(); !errors.Is(err, ErrStarted) {
		t.Errorf("second Start: %v, want ErrStarted", err)
	}

	q := url.Values{"symbol": {"币安人生USDT"}, "interval": {"1h"}, "limit": {"2"}}
	res, err := http.Get(base + "/fapi/v1/klines?" + q.Encode())
	if err != nil {
		t.Fatalf("get: %v", err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != 200 || res.Header.Get("X-MBX-USED-WEIGHT-1M") != "1" {
		t.Errorf("status %d weight %q body %s", res.StatusCode,
			res.Header.Get("X-MBX-USED-WEIGHT-1M"), body)
	}
	if r := s.Requests(); len(r) != 1 || r[0].IP != "127.0.0.1" {
		t.Errorf("log %+v, want one request from 127.0.0.1", r)
	}
}

func TestInject_DropClosesConnection(t *testing.T) {
	s, _ := newTestServer(Config{}, t0)
	base, err := s.Start()
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	s.Inject(Fault{Path: "/fapi/v1/ping", Drop: true, Times: 1})

	if res, err := http.Get(base + "/fapi/v1/ping"); err == nil {
		res.Body.Close()
		t.Fatalf("dropped request answered %d", res.StatusCode)
	}
	res, err := http.Get(base + "/fapi/v1/ping")
	if err != nil {
		t.Fatalf("second ping: %v", err)
	}
	res.Body.Close()
	if r := s.Requests(); len(r) != 2 || !r[0].Injected || r[0].Status != 0 {
		t.Errorf("log %+v, want the dropped request first", r)
	}
}
