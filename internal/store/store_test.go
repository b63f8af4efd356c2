package store

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/kline"
)

func TestLock_SecondHolderRefused(t *testing.T) {
	dir := t.TempDir()
	unlock, err := Lock(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Lock(dir)
	if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "pid ") {
		t.Fatalf("second lock: err = %v, want ErrLocked naming the pid", err)
	}
	unlock()
	again, err := Lock(dir)
	if err != nil {
		t.Fatalf("lock after unlock: %v", err)
	}
	again()
}

func TestStore_SaveLoadRoundTrip(t *testing.T) {
	s, err := New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	e := Entry{FetchedAt: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC),
		Series: kline.Series{Symbol: "币安人生USDT", Interval: "1m", Covered: 1700000040000,
			Gaps: []kline.Gap{{From: 1700000060000, To: 1700000060000}},
			Candles: []kline.Candle{
				{OpenTime: 1700000120000, CloseTime: 1700000179999, Open: "0.0100000",
					High: "0.0110000", Low: "0.0090000", Close: "0.0105000", Volume: "1000",
					QuoteVolume: "10.5", Trades: 3, TakerBuyBase: "1", TakerBuyQuote: "0.01"},
				{OpenTime: 1700000000000, CloseTime: 1700000059999, Open: "0.0100000",
					High: "0.0100000", Low: "0.0100000", Close: "0.0100000", Volume: "0",
					QuoteVolume: "0", Closed: true},
			}}}
	if err := s.Save(e); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("币安人生USDT", "1m")
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Series.Candles) != 2 || got.Series.Candles[0].OpenTime != 1700000000000 ||
		got.Series.Candles[1].Open != "0.0100000" || !got.FetchedAt.Equal(e.FetchedAt) ||
		len(got.Series.Gaps) != 1 || got.Series.Covered != 1700000040000 {
		t.Errorf("loaded %+v", got)
	}
}

func TestStore_DamagedFileSetAsideNotLost(t *testing.T) {
	dir := t.TempDir()
	s, _ := New(dir)
	path := filepath.Join(dir, "klines", "BTCUSDT_1h.json")
	if err := os.WriteFile(path, []byte("garbage"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load("BTCUSDT", "1h")
	if !errors.Is(err, ErrDamaged) {
		t.Fatalf("err = %v, want ErrDamaged", err)
	}
	if len(got.Series.Candles) != 0 || got.Series.Symbol != "BTCUSDT" {
		t.Errorf("entry %+v, want an empty BTCUSDT series", got)
	}
	kept, err := os.ReadFile(path + ".damaged")
	if err != nil || string(kept) != "garbage" {
		t.Errorf("damaged file not kept aside: %q %v", kept, err)
	}
	// A file holding another series is damaged too.
	other := Entry{Series: kline.Series{Symbol: "ETHUSDT", Interval: "1h"}}
	s.Save(other)
	os.Rename(filepath.Join(dir, "klines", "ETHUSDT_1h.json"), path)
	if _, err := s.Load("BTCUSDT", "1h"); !errors.Is(err, ErrDamaged) {
		t.Errorf("a cache of ETHUSDT under BTCUSDT's name: err = %v", err)
	}
}
