package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"snapshotter/internal/kline"
)

// Paths of the public endpoints, as in the exchange's V1 API; the V3 API
// serves the same answers under /fapi/v3.
const (
	pathPing         = "/fapi/v1/ping"
	pathTime         = "/fapi/v1/time"
	pathExchangeInfo = "/fapi/v1/exchangeInfo"
	pathKlines       = "/fapi/v1/klines"
)

// ServerTime asks the exchange for its time and from then on corrects the
// client's clock by the difference, half the round trip included.
func (c *Client) ServerTime(ctx context.Context) (time.Time, error) {
	sent := c.clock.base.Now()
	body, err := c.get(ctx, pathTime, nil, weightTime)
	if err != nil {
		return time.Time{}, err
	}
	var v struct {
		ServerTime int64 `json:"serverTime"`
	}
	if err := json.Unmarshal(body, &v); err != nil || v.ServerTime <= 0 {
		return time.Time{}, badAnswer(pathTime, body, err)
	}
	got := c.clock.base.Now()
	server := time.UnixMilli(v.ServerTime)
	mid := sent.Add(got.Sub(sent) / 2)
	c.clock.offset.Store(int64(server.Sub(mid)))
	return server.UTC(), nil
}

// Info is what the product reads from exchangeInfo.
type Info struct {
	// WeightLimit is the REQUEST_WEIGHT limit per minute; 0 when absent.
	WeightLimit int
	// Status maps each listed symbol to its status, such as "TRADING".
	Status map[string]string
}

// ExchangeInfo fetches the exchange's limits and symbols.
func (c *Client) ExchangeInfo(ctx context.Context) (Info, error) {
	body, err := c.get(ctx, pathExchangeInfo, nil, weightExchangeInfo)
	if err != nil {
		return Info{}, err
	}
	var v struct {
		RateLimits []struct {
			Type        string `json:"rateLimitType"`
			Interval    string `json:"interval"`
			IntervalNum int    `json:"intervalNum"`
			Limit       int    `json:"limit"`
		} `json:"rateLimits"`
		Symbols []struct {
			Symbol string `json:"symbol"`
			Status string `json:"status"`
		} `json:"symbols"`
	}
	if err := json.Unmarshal(body, &v); err != nil {
		return Info{}, badAnswer(pathExchangeInfo, body, err)
	}
	info := Info{Status: make(map[string]string, len(v.Symbols))}
	for _, rl := range v.RateLimits {
		if rl.Type == "REQUEST_WEIGHT" && rl.Interval == "MINUTE" && rl.IntervalNum == 1 {
			info.WeightLimit = rl.Limit
		}
	}
	for _, s := range v.Symbols {
		info.Status[s.Symbol] = s.Status
	}
	if info.WeightLimit > 0 {
		c.budget.SetLimit(info.WeightLimit)
	}
	return info, nil
}

// minMillis is 2001-09-09 in epoch milliseconds: a smaller time parameter
// is surely in seconds, which the exchange would answer with nothing.
const minMillis = 1_000_000_000_000

// Klines fetches at most limit candles of symbol at iv opening at start or
// later, oldest first, each marked closed or not by the exchange's time.
func (c *Client) Klines(ctx context.Context, symbol string, iv kline.Interval,
	start time.Time, limit int) ([]kline.Candle, error) {
	if limit < 1 || limit > kline.MaxLimit {
		return nil, &Error{Class: ClassInternal, Path: pathKlines,
			Msg: fmt.Sprintf("limit %d is outside 1..%d", limit, kline.MaxLimit)}
	}
	q := url.Values{}
	q.Set("symbol", symbol)
	q.Set("interval", string(iv))
	if err := setTime(q, "startTime", start); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Path = pathKlines
		}
		return nil, err
	}
	q.Set("limit", strconv.Itoa(limit))
	body, err := c.get(ctx, pathKlines, q, KlinesWeight(limit))
	if err != nil {
		return nil, err
	}
	candles, err := kline.ParseRows(body, c.Now())
	if err != nil {
		return nil, badAnswer(pathKlines, body, err)
	}
	return candles, nil
}

func badAnswer(path string, body []byte, err error) error {
	msg := "answer is not what was asked: " + snippet(body)
	if err != nil {
		msg = fmt.Sprintf("answer is not what was asked (%v): %s", err, snippet(body))
	}
	return &Error{Class: ClassBadAnswer, Path: path, Status: 200, Msg: msg, err: err}
}
