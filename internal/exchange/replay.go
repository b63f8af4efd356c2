package exchange

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"snapshotter/internal/kline"
)

// recording is a klines file as loaded: candles of one interval, oldest
// first, one per open time, with the exchange's strings untouched.
type recording struct {
	iv      kline.Interval
	candles []kline.Candle
}

// LoadReplay reads recorded klines of symbol at interval iv and returns a
// market that replays them. The file is either the exchange's JSON answer
// (an array of 12-element arrays) or Binance's public-data CSV with the same
// 12 columns, with or without a header row; CSV times in microseconds are
// read as such. The market's precisions are those of the newest candle's
// close and volume strings.
//
// A server places the recording when it is created: open times move
// forward by whole intervals so that the newest recorded candle is the one
// open at the server's current time, and every string is served byte for
// byte. Later candles are generated, starting from the newest recorded
// close; other intervals of the symbol are generated around the same price.
func LoadReplay(path, symbol string, iv kline.Interval) (Market, error) {
	if !iv.Valid() {
		return Market{}, fmt.Errorf("load replay %s: %w: interval %q", path, ErrRecording, iv)
	}
	cs, err := readRecording(path, iv)
	if err != nil {
		return Market{}, fmt.Errorf("load replay %s: %w", path, err)
	}

	last := cs[len(cs)-1]
	price, err := strconv.ParseFloat(last.Close, 64)
	if err != nil || price <= 0 {
		return Market{}, fmt.Errorf("load replay %s: %w: close %q", path, ErrRecording, last.Close)
	}
	return Market{
		Symbol:            symbol,
		Price:             price,
		PricePrecision:    decimals(last.Close),
		QuantityPrecision: decimals(last.Volume),
		recordings:        []*recording{{iv: iv, candles: cs}},
	}, nil
}

// LoadReplayFile is LoadReplay with the symbol and interval read from the
// file name by ReplayName.
func LoadReplayFile(path string) (Market, error) {
	symbol, iv, err := ReplayName(path)
	if err != nil {
		return Market{}, err
	}
	return LoadReplay(path, symbol, iv)
}

// ReplayName reads a symbol and interval from a recording's file name: the
// third and fourth fields between underscores, as in
// binance_fapi_BTCUSDT_1h_3056.json, or else the first two between dashes,
// as in Binance's public-data BTCUSDT-1h-2024-01.csv.
func ReplayName(path string) (string, kline.Interval, error) {
	base := filepath.Base(path)
	base = strings.TrimSuffix(base, filepath.Ext(base))
	if f := strings.Split(base, "_"); len(f) >= 4 && kline.Interval(f[3]).Valid() {
		return f[2], kline.Interval(f[3]), nil
	}
	if f := strings.Split(base, "-"); len(f) >= 2 && kline.Interval(f[1]).Valid() {
		return f[0], kline.Interval(f[1]), nil
	}
	return "", "", fmt.Errorf("%w: no symbol and interval in file name %q",
		ErrRecording, filepath.Base(path))
}

// decimals counts the digits after the point of a decimal string.
func decimals(s string) int {
	if i := strings.IndexByte(s, '.'); i >= 0 {
		return len(s) - i - 1
	}
	return 0
}

// readRecording loads and checks the candles of a JSON or CSV file.
func readRecording(path string, iv kline.Interval) ([]kline.Candle, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read recording: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))

	var cs []kline.Candle
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '[' {
		cs, err = kline.ParseRows(data, time.Time{})
	} else {
		cs, err = parseCSV(data)
	}
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrRecording, err)
	}
	if len(cs) == 0 {
		return nil, fmt.Errorf("%w: no candles", ErrRecording)
	}

	cs = kline.Normalize(cs)
	for _, c := range cs {
		if iv.OpenTime(c.OpenAt()).UnixMilli() != c.OpenTime {
			return nil, fmt.Errorf("%w: open time %d does not start a %s candle",
				ErrRecording, c.OpenTime, iv)
		}
	}
	return cs, nil
}

// parseCSV reads Binance public-data klines: 12 columns in the exchange's
// order, an optional header row, times in milliseconds or microseconds.
func parseCSV(data []byte) ([]kline.Candle, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var out []kline.Candle
	for line := 1; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read csv: %w", err)
		}
		if line == 1 && !isDigits(strings.TrimSpace(rec[0])) {
			continue // header row
		}
		c, err := csvCandle(rec)
		if err != nil {
			return nil, fmt.Errorf("csv line %d: %w", line, err)
		}
		out = append(out, c)
	}
}

// csvCandle turns one CSV record into a candle, keeping its strings.
func csvCandle(rec []string) (kline.Candle, error) {
	var c kline.Candle
	if len(rec) < 11 {
		return c, fmt.Errorf("%w: %d fields, want 12", kline.ErrMalformed, len(rec))
	}
	ints := []*int64{&c.OpenTime, &c.CloseTime, &c.Trades}
	for i, idx := range []int{0, 6, 8} {
		n, err := strconv.ParseInt(strings.TrimSpace(rec[idx]), 10, 64)
		if err != nil {
			return c, fmt.Errorf("%w: field %d: %w", kline.ErrMalformed, idx, err)
		}
		*ints[i] = n
	}
	strs := []*string{&c.Open, &c.High, &c.Low, &c.Close, &c.Volume,
		&c.QuoteVolume, &c.TakerBuyBase, &c.TakerBuyQuote}
	for i, idx := range []int{1, 2, 3, 4, 5, 7, 9, 10} {
		*strs[i] = strings.TrimSpace(rec[idx])
		if !kline.ValidDecimal(*strs[i]) {
			return c, fmt.Errorf("%w: field %d: %q is not a decimal",
				kline.ErrMalformed, idx, *strs[i])
		}
	}

	// Binance's public data switched some files to microseconds in 2025.
	if c.OpenTime > 1e14 {
		c.OpenTime /= 1000
		c.CloseTime /= 1000
	}
	if c.OpenTime <= 0 || c.CloseTime < c.OpenTime {
		return c, fmt.Errorf("%w: open time %d, close time %d",
			kline.ErrMalformed, c.OpenTime, c.CloseTime)
	}
	return c, nil
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// replay is a recording placed on one server's timeline.
type replay struct {
	rec    *recording
	byOpen map[int64]int // placed open time (ms) → index in rec.candles
	first  time.Time     // placed open time of the oldest candle
	last   time.Time     // placed open time of the newest candle
	cont   generator     // candles after the recording
}

// place moves the recording by whole intervals so that its newest candle
// is the one open at now, and sets the generated continuation to start at
// its close.
func (rec *recording) place(now time.Time, base generator) *replay {
	iv, cs := rec.iv, rec.candles
	newest := cs[len(cs)-1]
	current := iv.OpenTime(now)
	shift := iv.Count(newest.OpenAt(), current) - 1
	if current.Before(newest.OpenAt()) {
		shift = -(iv.Count(current, newest.OpenAt()) - 1)
	}

	r := &replay{rec: rec, byOpen: make(map[int64]int, len(cs)), last: current}
	for i, c := range cs {
		r.byOpen[iv.Add(c.OpenAt(), shift).UnixMilli()] = i
	}
	r.first = iv.Add(cs[0].OpenAt(), shift)

	// LoadReplay has checked that the close parses.
	closePrice, _ := strconv.ParseFloat(newest.Close, 64)
	r.cont = base.anchoredAt(closePrice, iv.Next(current))
	return r
}

// candle returns the recorded candle placed at open, or a generated one
// after the recording; false where the recording has a hole.
func (r *replay) candle(open, now time.Time) (kline.Candle, bool) {
	iv := r.rec.iv
	if open.After(r.last) {
		return r.cont.candle(iv, open, now), true
	}
	i, ok := r.byOpen[open.UnixMilli()]
	if !ok {
		return kline.Candle{}, false
	}
	c := r.rec.candles[i]
	next := iv.Next(open)
	c.OpenTime, c.CloseTime = open.UnixMilli(), next.UnixMilli()-1
	c.Closed = !now.Before(next)
	return c, true
}
