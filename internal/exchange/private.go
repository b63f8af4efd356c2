package exchange

import (
	"io"
	"net/http"
	"net/url"
	"time"
)

// privateHandler answers a private request of an authenticated account.
// It runs with the account's lock held.
type privateHandler func(s *Server, a *privateAccount, q url.Values, now time.Time) response

// privateEndpoint is a USER_DATA endpoint: its weight and its answer for
// each signature scheme it accepts; nil where the path does not take that
// scheme.
type privateEndpoint struct {
	weight func(url.Values) int
	hmac   privateHandler
	v3     privateHandler
}

func weightFive(url.Values) int { return 5 }

func incomeWeight(url.Values) int { return 30 }

// openOrdersWeight is 1 for one symbol and 40 for all of them.
func openOrdersWeight(q url.Values) int {
	if q.Get("symbol") != "" {
		return 1
	}
	return 40
}

// privateEndpoints are the account endpoints of the three profiles, by
// full path. Aster V1: /fapi/v4/account, /fapi/v2/balance and
// positionRisk, /fapi/v1/userTrades, income and openOrders. Binance:
// /fapi/v2 and v3 account, balance and positionRisk, and the same v1
// paths. Aster V3: /fapi/v3/accountWithJoinMargin, balance, positionRisk,
// userTrades, income and openOrders. /fapi/v3/balance and positionRisk
// serve both Binance (HMAC) and Aster V3 (EIP-712).
var privateEndpoints = map[string]privateEndpoint{
	"/fapi/v4/account":               {weightFive, accountV2Aster, nil},
	"/fapi/v2/account":               {weightFive, accountV2Binance, nil},
	"/fapi/v3/account":               {weightFive, accountV3Binance, nil},
	"/fapi/v3/accountWithJoinMargin": {weightFive, nil, accountV2Aster},
	"/fapi/v2/balance":               {weightFive, balance, nil},
	"/fapi/v3/balance":               {weightFive, balance, balance},
	"/fapi/v2/positionRisk":          {weightFive, positionRiskV2, nil},
	"/fapi/v3/positionRisk":          {weightFive, positionRiskV3Binance, positionRiskV2},
	"/fapi/v1/userTrades":            {weightFive, userTrades, nil},
	"/fapi/v3/userTrades":            {weightFive, nil, userTrades},
	"/fapi/v1/income":                {incomeWeight, income, nil},
	"/fapi/v3/income":                {incomeWeight, nil, income},
	"/fapi/v1/openOrders":            {openOrdersWeight, openOrders, nil},
	"/fapi/v3/openOrders":            {openOrdersWeight, nil, openOrders},
}

// maxBody bounds the form body read from a private request.
const maxBody = 64 << 10

// servePrivate authenticates a private request and answers it. A path
// that takes both schemes picks one by what the request carries: an API
// key header means HMAC; otherwise a signer, nonce or user parameter
// means EIP-712.
func (s *Server) servePrivate(pe privateEndpoint, r *http.Request, q url.Values,
	now time.Time) response {
	req, err := readSigned(r, q, now)
	if err != nil {
		return errorResponse(err)
	}

	handler, check := pe.hmac, s.checkHMAC
	wantsV3 := req.apiKey == "" &&
		(req.params.Has("signer") || req.params.Has("nonce") || req.params.Has("user"))
	if pe.hmac == nil || (pe.v3 != nil && wantsV3) {
		handler, check = pe.v3, s.checkV3
	}
	a, err := check(req)
	if err != nil {
		return errorResponse(err)
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	return handler(s, a, req.params, now)
}

// readSigned collects what authentication needs: the API key, the
// parameters of query and form body, and the exact string they came as.
func readSigned(r *http.Request, q url.Values, now time.Time) (signedRequest, error) {
	req := signedRequest{apiKey: r.Header.Get(apiKeyHeader), total: r.URL.RawQuery,
		params: q, now: now}
	if r.Body == nil {
		return req, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxBody))
	if err != nil || len(body) == 0 {
		// An unreadable body is no body: the signature check then fails
		// for a request that needed it.
		return req, nil
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return req, errBadSignature
	}
	req.total += string(body)
	req.params = url.Values{}
	for _, vs := range []url.Values{q, form} {
		for k, v := range vs {
			req.params[k] = append(req.params[k], v...)
		}
	}
	return req, nil
}

// Errors of the account queries.
var (
	errBadCombo = &apiError{-1128, "Combination of optional parameters invalid."}
	errTooLong  = &apiError{-1127, "More than 168 hours between startTime and endTime."}
)

// week is the longest userTrades window, and the window of queries
// without time bounds.
const week = 7 * 24 * time.Hour

// Limits of the account queries.
const (
	defaultTradesLimit = 500
	defaultIncomeLimit = 100
	maxAccountLimit    = 1000
)

// userTrades answers the account's fills of one symbol, oldest first.
// With fromId: the first limit fills with id >= fromId. Otherwise a window
// of at most 7 days: startTime to endTime (both inclusive), startTime and
// the 7 days after it, endTime and the 7 days before it, or the last 7
// days; then the first limit fills in it.
func userTrades(s *Server, a *privateAccount, q url.Values, now time.Time) response {
	if q.Get("symbol") == "" {
		return errorResponse(errMandatory("symbol"))
	}
	w, err := parseWindow(q, defaultTradesLimit)
	if err != nil {
		return errorResponse(err)
	}
	hasFrom := q.Has("fromId")
	var fromID int64
	if hasFrom {
		if fromID, err = msParam(q, "fromId"); err != nil {
			return errorResponse(err)
		}
	}
	if _, ok := s.bySymbol[q.Get("symbol")]; !ok {
		return errorResponse(errBadSymbol)
	}
	if err := w.checkLimit(); err != nil {
		return errorResponse(err)
	}
	if hasFrom && (w.hasStart || w.hasEnd) {
		return errorResponse(errBadCombo)
	}
	if err := w.checkOrder(); err != nil {
		return errorResponse(err)
	}
	if w.hasStart && w.hasEnd && w.end.Sub(w.start) > week {
		return errorResponse(errTooLong)
	}
	from, to := w.bounds(now, true)

	out := []tradeJSON{}
	b := a.book(q.Get("symbol"))
	if b == nil {
		return jsonResponse(http.StatusOK, out)
	}
	a.history(now)
	for _, f := range b.fillsUpTo(now) {
		if len(out) == w.limit {
			break
		}
		in := !f.t.Before(from) && !f.t.After(to)
		if hasFrom {
			in = f.id >= fromID
		}
		if in {
			out = append(out, b.tradeJSON(f))
		}
	}
	return jsonResponse(http.StatusOK, out)
}

// income answers the income history, oldest first, optionally of one
// symbol and one type: the first limit rows from startTime to endTime,
// both inclusive. Without bounds the window is the last 7 days; with
// startTime alone it runs to now, with endTime alone it is the 7 days up
// to endTime. Rows sharing a time may straddle a page's end, so a client
// that pages by moving startTime to the last row's time sees that row
// again.
func income(s *Server, a *privateAccount, q url.Values, now time.Time) response {
	w, err := parseWindow(q, defaultIncomeLimit)
	if err != nil {
		return errorResponse(err)
	}
	symbol, kind := q.Get("symbol"), q.Get("incomeType")
	if _, ok := s.bySymbol[symbol]; symbol != "" && !ok {
		return errorResponse(errBadSymbol)
	}
	if kind != "" && !incomeTypes[kind] {
		return errorResponse(errNotValid("incomeType"))
	}
	if err := w.checkLimit(); err != nil {
		return errorResponse(err)
	}
	if err := w.checkOrder(); err != nil {
		return errorResponse(err)
	}
	from, to := w.bounds(now, false)

	l := a.history(now)
	out := []incomeJSON{}
	for _, r := range l.income[:l.rowsUpTo(now)] {
		if len(out) == w.limit {
			break
		}
		if r.t.Before(from) || r.t.After(to) || (symbol != "" && r.symbol != symbol) ||
			(kind != "" && r.kind != kind) {
			continue
		}
		out = append(out, r.json())
	}
	return jsonResponse(http.StatusOK, out)
}

// incomeTypes are the incomeType values the exchange accepts: Aster's list
// and Binance's longer one. Other values are refused with -1130 rather
// than answered with nothing, so a typo shows.
var incomeTypes = map[string]bool{
	"TRANSFER": true, "WELCOME_BONUS": true, "REALIZED_PNL": true,
	"FUNDING_FEE": true, "COMMISSION": true, "INSURANCE_CLEAR": true,
	"MARKET_MERCHANT_RETURN_REWARD": true, "REFERRAL_KICKBACK": true,
	"COMMISSION_REBATE": true, "API_REBATE": true, "CONTEST_REWARD": true,
	"CROSS_COLLATERAL_TRANSFER": true, "OPTIONS_PREMIUM_FEE": true,
	"OPTIONS_SETTLE_PROFIT": true, "INTERNAL_TRANSFER": true, "AUTO_EXCHANGE": true,
	"DELIVERED_SETTELMENT": true, "COIN_SWAP_DEPOSIT": true,
	"COIN_SWAP_WITHDRAW": true, "POSITION_LIMIT_INCREASE_FEE": true,
	"STRATEGY_UMFUTURES_TRANSFER": true, "FEE_RETURN": true, "BFUSD_REWARD": true,
}

// openOrders answers the account's resting orders, of one symbol or all.
func openOrders(s *Server, a *privateAccount, q url.Values, now time.Time) response {
	symbol := q.Get("symbol")
	if _, ok := s.bySymbol[symbol]; symbol != "" && !ok {
		return errorResponse(errBadSymbol)
	}
	out := []orderJSON{}
	for _, p := range a.stateAt(now).positions {
		if p.order != nil && (symbol == "" || p.b.m.Symbol == symbol) {
			out = append(out, p.orderJSON())
		}
	}
	return jsonResponse(http.StatusOK, out)
}

// book returns the account's book of symbol, nil when it does not trade it.
func (a *privateAccount) book(symbol string) *book {
	for _, b := range a.books {
		if b.m.Symbol == symbol {
			return b
		}
	}
	return nil
}

// window is the time range and limit of an account query.
type window struct {
	start, end       time.Time
	hasStart, hasEnd bool
	limit            int
}

// parseWindow reads startTime, endTime and limit, refusing values that are
// not plain digits with -1100.
func parseWindow(q url.Values, defLimit int) (window, error) {
	var w window
	var err error
	if w.start, w.hasStart, err = timeParam(q, "startTime"); err != nil {
		return w, err
	}
	if w.end, w.hasEnd, err = timeParam(q, "endTime"); err != nil {
		return w, err
	}
	w.limit = defLimit
	if q.Has("limit") {
		n, err := msParam(q, "limit")
		if err != nil {
			return w, err
		}
		w.limit = int(min(n, maxAccountLimit+1))
	}
	return w, nil
}

func (w window) checkLimit() error {
	if w.limit < 1 || w.limit > maxAccountLimit {
		return errNotValid("limit")
	}
	return nil
}

func (w window) checkOrder() error {
	if w.hasStart && w.hasEnd && w.start.After(w.end) {
		return errStartAfter
	}
	return nil
}

// bounds is the inclusive time range a query covers. Without bounds it is
// the last 7 days; with endTime alone, the 7 days up to it. With startTime
// alone it is the 7 days from it for capped queries (userTrades), and up
// to now otherwise.
func (w window) bounds(now time.Time, capped bool) (from, to time.Time) {
	switch {
	case w.hasStart && w.hasEnd:
		return w.start, w.end
	case w.hasStart && capped:
		return w.start, w.start.Add(week)
	case w.hasStart:
		return w.start, now
	case w.hasEnd:
		return w.end.Add(-week), w.end
	}
	return now.Add(-week), now
}
