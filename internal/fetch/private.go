package fetch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	"snapshotter/internal/account"
)

// Profile is one exchange dialect's private endpoints.
type Profile struct {
	Name         string
	Account      string // balances and positions in one call
	PositionRisk string // mark and liquidation prices
	UserTrades   string
	Income       string
	OpenOrders   string
}

// Profiles by the names the configuration uses.
var Profiles = map[string]Profile{
	"aster-v3": {Name: "aster-v3", Account: "/fapi/v3/accountWithJoinMargin",
		PositionRisk: "/fapi/v3/positionRisk", UserTrades: "/fapi/v3/userTrades",
		Income: "/fapi/v3/income", OpenOrders: "/fapi/v3/openOrders"},
	"aster-v1": {Name: "aster-v1", Account: "/fapi/v4/account",
		PositionRisk: "/fapi/v2/positionRisk", UserTrades: "/fapi/v1/userTrades",
		Income: "/fapi/v1/income", OpenOrders: "/fapi/v1/openOrders"},
	"binance": {Name: "binance", Account: "/fapi/v3/account",
		PositionRisk: "/fapi/v3/positionRisk", UserTrades: "/fapi/v1/userTrades",
		Income: "/fapi/v1/income", OpenOrders: "/fapi/v1/openOrders"},
}

// Private weights, as documented.
const (
	weightAccount      = 5
	weightPositionRisk = 5
	weightUserTrades   = 5
	weightIncome       = 30
	weightOpenOrders   = 1 // with a symbol
)

// Private calls the signed endpoints of one account through the client,
// so they share its budget, pauses and connection.
type Private struct {
	c       *Client
	profile Profile
	signer  Signer
}

// NewPrivate returns the account's signed calls.
func (c *Client) NewPrivate(p Profile, s Signer) *Private {
	return &Private{c: c, profile: p, signer: s}
}

// invalidTimestamp is the exchange's -1021: our clock, as corrected, is off.
const invalidTimestamp = -1021

// get sends a signed request. On -1021 it measures the exchange's time
// again and retries once, never more.
func (p *Private) get(ctx context.Context, path string, q url.Values, weight int,
	out any) error {
	body, err := p.c.do(ctx, path, q, weight, p.signer)
	var e *Error
	if errors.As(err, &e) && e.Code == invalidTimestamp {
		p.c.log.Warn("exchange says our timestamp is off; measuring its time again")
		if _, terr := p.c.ServerTime(ctx); terr != nil {
			return err
		}
		body, err = p.c.do(ctx, path, q, weight, p.signer)
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return badAnswer(path, body, err)
	}
	return nil
}

// Account reads balances and positions.
func (p *Private) Account(ctx context.Context) (account.Snapshot, error) {
	var s account.Snapshot
	err := p.get(ctx, p.profile.Account, url.Values{}, weightAccount, &s)
	return s, err
}

// PositionRisk reads every position with its mark and liquidation prices.
func (p *Private) PositionRisk(ctx context.Context) ([]account.Position, error) {
	var raw []struct {
		account.Position
		UnRealizedProfit string `json:"unRealizedProfit"`
		MarginType       string `json:"marginType"`
	}
	if err := p.get(ctx, p.profile.PositionRisk, url.Values{}, weightPositionRisk,
		&raw); err != nil {
		return nil, err
	}
	out := make([]account.Position, len(raw))
	for i, r := range raw {
		out[i] = r.Position
		if out[i].UnrealizedProfit == "" {
			out[i].UnrealizedProfit = r.UnRealizedProfit
		}
		if r.MarginType != "" {
			out[i].Isolated = r.MarginType == "isolated"
		}
	}
	return out, nil
}

// MaxTradesPage is the most trades one userTrades call returns.
const MaxTradesPage = 1000

// TradesWindow is the longest span userTrades accepts between startTime
// and endTime.
const TradesWindow = 7 * 24 * time.Hour

// TradesBetween reads the symbol's trades in [start, end], at most 7 days
// apart, oldest first.
func (p *Private) TradesBetween(ctx context.Context, symbol string,
	start, end time.Time) ([]account.Trade, error) {
	if end.Sub(start) > TradesWindow {
		return nil, &Error{Class: ClassInternal, Path: p.profile.UserTrades,
			Msg: fmt.Sprintf("window %v is longer than 7 days", end.Sub(start))}
	}
	q := url.Values{"symbol": {symbol}, "limit": {strconv.Itoa(MaxTradesPage)}}
	if err := setTime(q, "startTime", start); err != nil {
		return nil, err
	}
	if err := setTime(q, "endTime", end); err != nil {
		return nil, err
	}
	var out []account.Trade
	err := p.get(ctx, p.profile.UserTrades, q, weightUserTrades, &out)
	return out, err
}

// TradesFrom reads the symbol's trades with id from fromID on, oldest
// first. The exchange forbids time bounds together with fromId.
func (p *Private) TradesFrom(ctx context.Context, symbol string,
	fromID int64) ([]account.Trade, error) {
	q := url.Values{"symbol": {symbol}, "fromId": {strconv.FormatInt(fromID, 10)},
		"limit": {strconv.Itoa(MaxTradesPage)}}
	var out []account.Trade
	err := p.get(ctx, p.profile.UserTrades, q, weightUserTrades, &out)
	return out, err
}

// MaxIncomePage is the most rows one income call returns.
const MaxIncomePage = 1000

// Income reads income rows of every type with time in [start, end], both
// bounds included, oldest first, at most MaxIncomePage of them.
func (p *Private) Income(ctx context.Context, start, end time.Time) ([]account.Income, error) {
	q := url.Values{"limit": {strconv.Itoa(MaxIncomePage)}}
	if err := setTime(q, "startTime", start); err != nil {
		return nil, err
	}
	if err := setTime(q, "endTime", end); err != nil {
		return nil, err
	}
	var out []account.Income
	err := p.get(ctx, p.profile.Income, q, weightIncome, &out)
	return out, err
}

// OpenOrders reads the symbol's open orders.
func (p *Private) OpenOrders(ctx context.Context, symbol string) ([]account.Order, error) {
	var out []account.Order
	err := p.get(ctx, p.profile.OpenOrders, url.Values{"symbol": {symbol}},
		weightOpenOrders, &out)
	return out, err
}

// setTime writes a time parameter as plain epoch-millisecond digits,
// refusing a time that would be read as seconds.
func setTime(q url.Values, key string, t time.Time) error {
	ms := t.UnixMilli()
	if ms < minMillis {
		return &Error{Class: ClassInternal, Msg: fmt.Sprintf(
			"%s %d is not in epoch milliseconds", key, ms)}
	}
	q.Set(key, strconv.FormatInt(ms, 10))
	return nil
}
