package exchange

import (
	"bytes"
	"strconv"
	"testing"
	"time"

	"snapshotter/internal/kline"
)

func TestGenerated_SameQuerySameBytes(t *testing.T) {
	q := klinesQ("BTCUSDT", "15m", "startTime", msStr(0, 0), "endTime", msStr(11, 0))
	a1, _ := newTestServer(Config{}, t0)
	a2, clk := newTestServer(Config{}, t0)
	first := get(t, a1, "/fapi/v1/klines", q)
	same := get(t, a2, "/fapi/v3/klines", q)
	if !bytes.Equal(first.body, same.body) {
		t.Fatal("two servers answered the same question differently")
	}

	// Closed candles do not change as time goes on.
	clk.Advance(49 * time.Hour)
	if later := get(t, a2, "/fapi/v1/klines", q); !bytes.Equal(first.body, later.body) {
		t.Error("closed candles changed when the clock moved")
	}
	other := get(t, a1, "/fapi/v1/klines", klinesQ("ETHUSDT", "15m", "startTime",
		msStr(0, 0), "endTime", msStr(11, 0)))
	if bytes.Equal(first.body, other.body) {
		t.Error("BTCUSDT and ETHUSDT have the same candles")
	}
}

func TestGenerated_OHLCSane(t *testing.T) {
	markets := append(DefaultMarkets(), Market{Symbol: "HASHEDUSDT"})
	s, _ := newTestServer(Config{Markets: markets}, t0)
	for _, m := range s.markets {
		for _, iv := range kline.Intervals {
			t.Run(m.Symbol+"/"+string(iv), func(t *testing.T) {
				q := klinesQ(m.Symbol, string(iv), "limit", "300")
				cs := candles(t, get(t, s, "/fapi/v1/klines", q), t0)
				if len(cs) != 300 && m.Delisted.IsZero() {
					t.Fatalf("%d candles, want 300", len(cs))
				}
				checkSeries(t, cs, iv, m.PricePrecision, m.QuantityPrecision)
			})
		}
	}
}

// checkSeries checks every candle on its own and against its neighbour.
func checkSeries(t *testing.T, cs []kline.Candle, iv kline.Interval, pp, qp int) {
	t.Helper()
	for i, c := range cs {
		checkCandle(t, c, pp, qp)
		if want := iv.Next(c.OpenAt()).UnixMilli() - 1; c.CloseTime != want {
			t.Errorf("candle %d: close time %d, want %d", i, c.CloseTime, want)
		}
		if i == 0 {
			continue
		}
		prev := cs[i-1]
		if iv.Next(prev.OpenAt()).UnixMilli() != c.OpenTime {
			t.Errorf("candle %d: opens %d, not right after %d", i, c.OpenTime, prev.OpenTime)
		}
		if prev.Close != c.Open {
			t.Errorf("candle %d: open %s, previous close %s", i, c.Open, prev.Close)
		}
	}
}

func checkCandle(t *testing.T, c kline.Candle, pp, qp int) {
	t.Helper()
	f := func(s string) float64 {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			t.Fatalf("candle %d: %q: %v", c.OpenTime, s, err)
		}
		return v
	}
	o, h, l, cl := f(c.Open), f(c.High), f(c.Low), f(c.Close)
	if h < max(o, cl) || l > min(o, cl) || l <= 0 {
		t.Errorf("candle %d: o %s h %s l %s c %s", c.OpenTime, c.Open, c.High, c.Low, c.Close)
	}
	for _, p := range []string{c.Open, c.High, c.Low, c.Close} {
		if decimals(p) != pp {
			t.Errorf("candle %d: price %s, want %d decimals", c.OpenTime, p, pp)
		}
	}
	if decimals(c.Volume) != qp || decimals(c.TakerBuyBase) != qp {
		t.Errorf("candle %d: volume %s taker %s, want %d decimals",
			c.OpenTime, c.Volume, c.TakerBuyBase, qp)
	}
	vol, quote := f(c.Volume), f(c.QuoteVolume)
	if vol <= 0 || c.Trades <= 0 {
		t.Errorf("candle %d: volume %s trades %d", c.OpenTime, c.Volume, c.Trades)
		return
	}
	// Quote volume over base volume is the average price: inside the
	// candle, give or take the rounding of the base volume.
	if avg := quote / vol; avg < l*0.999 || avg > h*1.001 {
		t.Errorf("candle %d: average price %g outside [%s, %s]", c.OpenTime, avg, c.Low, c.High)
	}
	if f(c.TakerBuyBase) > vol || f(c.TakerBuyQuote) > quote {
		t.Errorf("candle %d: taker volumes above totals", c.OpenTime)
	}
}

func TestGenerated_IntervalsShareOnePath(t *testing.T) {
	s, _ := newTestServer(Config{}, t0)
	hour := candles(t, get(t, s, "/fapi/v1/klines",
		klinesQ("ETHUSDT", "1h", "startTime", msStr(10, 0), "limit", "1")), t0)[0]
	minutes := candles(t, get(t, s, "/fapi/v1/klines",
		klinesQ("ETHUSDT", "1m", "startTime", msStr(10, 0), "limit", "60")), t0)
	if hour.Open != minutes[0].Open || hour.Close != minutes[59].Close {
		t.Errorf("hour %s→%s, its minutes %s→%s", hour.Open, hour.Close,
			minutes[0].Open, minutes[59].Close)
	}
}
