package kline

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"time"
)

// Candle is one kline as the exchange sent it. Prices and volumes stay the
// exchange's decimal strings, byte for byte, so no value is ever rounded.
// Times are epoch milliseconds, UTC.
type Candle struct {
	OpenTime      int64  `json:"open_time"`
	CloseTime     int64  `json:"close_time"`
	Open          string `json:"open"`
	High          string `json:"high"`
	Low           string `json:"low"`
	Close         string `json:"close"`
	Volume        string `json:"volume"`
	QuoteVolume   string `json:"quote_volume"`
	Trades        int64  `json:"trades"`
	TakerBuyBase  string `json:"taker_buy_volume"`
	TakerBuyQuote string `json:"taker_buy_quote_volume"`
	// Closed is false for the candle that was still open when fetched;
	// a later fetch replaces it.
	Closed bool `json:"closed"`
}

// OpenAt returns the candle's open time.
func (c Candle) OpenAt() time.Time { return time.UnixMilli(c.OpenTime).UTC() }

// decimalPattern matches the plain decimal strings the exchange sends:
// no exponent, no sign other than a leading minus, no spaces.
var decimalPattern = regexp.MustCompile(`^-?[0-9]+(\.[0-9]+)?$`)

// ValidDecimal reports whether s is a plain decimal string such as "0.0100".
func ValidDecimal(s string) bool { return decimalPattern.MatchString(s) }

// ErrMalformed is wrapped by every error about a kline row that does not
// have the exchange's layout.
var ErrMalformed = errors.New("malformed kline")

// ParseRows decodes the exchange's klines answer: a JSON array of 12-element
// arrays. Each candle is marked closed when its close time is before now.
// An empty array gives no candles and no error.
func ParseRows(body []byte, now time.Time) ([]Candle, error) {
	var rows [][]json.RawMessage
	if err := json.Unmarshal(body, &rows); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	out := make([]Candle, 0, len(rows))
	for i, row := range rows {
		c, err := parseRow(row)
		if err != nil {
			return nil, fmt.Errorf("row %d: %w", i, err)
		}
		c.Closed = c.CloseTime < now.UnixMilli()
		out = append(out, c)
	}
	return out, nil
}

func parseRow(row []json.RawMessage) (Candle, error) {
	var c Candle
	if len(row) < 11 {
		return c, fmt.Errorf("%w: %d fields, want 12", ErrMalformed, len(row))
	}
	ints := []*int64{&c.OpenTime, &c.CloseTime, &c.Trades}
	for i, idx := range []int{0, 6, 8} {
		if err := json.Unmarshal(row[idx], ints[i]); err != nil {
			return c, fmt.Errorf("%w: field %d: %v", ErrMalformed, idx, err)
		}
	}
	strs := []*string{&c.Open, &c.High, &c.Low, &c.Close, &c.Volume,
		&c.QuoteVolume, &c.TakerBuyBase, &c.TakerBuyQuote}
	for i, idx := range []int{1, 2, 3, 4, 5, 7, 9, 10} {
		if err := json.Unmarshal(row[idx], strs[i]); err != nil {
			return c, fmt.Errorf("%w: field %d: %v", ErrMalformed, idx, err)
		}
		if !ValidDecimal(*strs[i]) {
			return c, fmt.Errorf("%w: field %d: %q is not a decimal", ErrMalformed, idx, *strs[i])
		}
	}
	if c.OpenTime <= 0 || c.CloseTime < c.OpenTime {
		return c, fmt.Errorf("%w: open time %d, close time %d", ErrMalformed,
			c.OpenTime, c.CloseTime)
	}
	return c, nil
}

// Row returns the candle in the exchange's 12-element array layout, the
// inverse of ParseRows.
func (c Candle) Row() []any {
	return []any{c.OpenTime, c.Open, c.High, c.Low, c.Close, c.Volume,
		c.CloseTime, c.QuoteVolume, c.Trades, c.TakerBuyBase, c.TakerBuyQuote, "0"}
}

// Normalize sorts candles by open time and keeps one candle per open time:
// where two share an open time, the later one in the input wins.
func Normalize(cs []Candle) []Candle {
	sort.SliceStable(cs, func(i, j int) bool { return cs[i].OpenTime < cs[j].OpenTime })
	out := cs[:0]
	for _, c := range cs {
		if n := len(out); n > 0 && out[n-1].OpenTime == c.OpenTime {
			out[n-1] = c
			continue
		}
		out = append(out, c)
	}
	return out
}
