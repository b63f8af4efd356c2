package render

import (
	"testing"

	"snapshotter/internal/kline"
)

func TestNames_PercentEncoded(t *testing.T) {
	tests := []struct {
		symbol           string
		iv               kline.Interval
		name, page, data string
	}{
		{"BTCUSDT", "1h", "BTCUSDT_1h", "BTCUSDT_1h.html", "data/klines/BTCUSDT_1h.json"},
		{"ETHUSDT", "1M", "ETHUSDT_1M", "ETHUSDT_1M.html", "data/klines/ETHUSDT_1M.json"},
		{"币安人生USDT", "15m", "币安人生USDT_15m",
			"%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT_15m.html",
			"data/klines/%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT_15m.json"},
	}
	for _, tt := range tests {
		t.Run(tt.symbol, func(t *testing.T) {
			if got := SeriesName(tt.symbol, tt.iv); got != tt.name {
				t.Errorf("SeriesName = %q, want %q", got, tt.name)
			}
			if got := PageURL(tt.symbol, tt.iv); got != tt.page {
				t.Errorf("PageURL = %q, want %q", got, tt.page)
			}
			if got := DataURL(tt.symbol, tt.iv); got != tt.data {
				t.Errorf("DataURL = %q, want %q", got, tt.data)
			}
		})
	}
}
