package render

import (
	"os"
	"testing"
	"time"

	"snapshotter/internal/kline"
)

func TestZZSample(t *testing.T) {
	dir := os.Getenv("SAMPLE_DIR")
	if dir == "" {
		t.Skip()
	}
	r, err := New(Options{Dir: dir, EChartsJS: "../../web/node_modules/echarts/dist/echarts.min.js", Version: "v0.1.0"})
	if err != nil {
		t.Fatal(err)
	}
	s := fakeSeries("BTCUSDT", 400)
	s.Gaps = []kline.Gap{{From: s.Candles[100].OpenTime, To: s.Candles[100].OpenTime}}
	since := time.UnixMilli(s.Candles[390].OpenTime)
	if err := r.Series(s, SeriesMeta{FetchedAt: time.UnixMilli(s.Candles[399].OpenTime + 30000), Stale: true, StaleSince: &since}); err != nil {
		t.Fatal(err)
	}
	s2 := fakeSeries("币安人生USDT", 300)
	s2.Interval = "1h"
	if err := r.Series(s2, SeriesMeta{FetchedAt: time.UnixMilli(s.Candles[299].OpenTime)}); err != nil {
		t.Fatal(err)
	}
	if err := r.Status(sampleStatus()); err != nil {
		t.Fatal(err)
	}
}
