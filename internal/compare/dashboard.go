package compare

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"snapshotter/internal/kline"
	"snapshotter/internal/sign"
)

// The exchange paths a dashboard backend calls: the klines and, signed with
// the account's HMAC key as Aster's V1 API (and Binance's) wants, the
// account with its balances and positions, the trades of one symbol and the
// income history.
const (
	pathKlines  = "/fapi/v1/klines"
	pathAccount = "/fapi/v4/account"
	pathTrades  = "/fapi/v1/userTrades"
	pathIncome  = "/fapi/v1/income"
)

// dashboard sends what a dashboard shows straight to the exchange, with
// no budget and no regard for 429s or bans: the designs being measured
// against.
type dashboard struct {
	w  Workload
	hc *http.Client
}

// answer is the exchange's answer to one request; status 0 means it was
// not answered at all.
type answer struct {
	status int
	body   []byte
}

func (a answer) ok() bool { return a.status == http.StatusOK }

// klines asks for the symbol's newest Keep candles, as a chart shows them.
func (d dashboard) klines(symbol string) answer {
	q := url.Values{"symbol": {symbol}, "interval": {string(d.w.Interval)},
		"limit": {strconv.Itoa(d.w.Keep)}}
	return d.get(pathKlines, q.Encode(), nil)
}

func (d dashboard) account() answer { return d.signed(pathAccount, url.Values{}) }

func (d dashboard) trades(symbol string) answer {
	return d.signed(pathTrades, url.Values{"symbol": {symbol}, "limit": {"100"}})
}

func (d dashboard) income() answer {
	return d.signed(pathIncome, url.Values{"limit": {"100"}})
}

// signed sends a request signed as the exchange's HMAC scheme asks: the
// parameters with recvWindow and a millisecond timestamp, then the
// HMAC-SHA256 of exactly that string.
func (d dashboard) signed(path string, q url.Values) answer {
	raw := q.Encode()
	if raw != "" {
		raw += "&"
	}
	raw += "recvWindow=5000&timestamp=" + strconv.FormatInt(time.Now().UnixMilli(), 10)
	raw += "&signature=" + sign.HMAC(benchSecret, raw)
	return d.get(path, raw, http.Header{"X-Mbx-Apikey": {benchAPIKey}})
}

func (d dashboard) get(path, rawQuery string, h http.Header) answer {
	req, err := http.NewRequestWithContext(context.Background(), http.MethodGet,
		baseURL+path+"?"+rawQuery, nil)
	if err != nil {
		return answer{}
	}
	for k, vs := range h {
		req.Header[k] = vs
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return answer{}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}
	}
	return answer{status: resp.StatusCode, body: body}
}

// observeKlines notes, for a good klines answer received now, the newest
// candle in it that had closed.
func observeKlines(fresh *tracker, symbol string, a answer, now time.Time) {
	if !a.ok() {
		return
	}
	cs, err := kline.ParseRows(a.body, now)
	if err != nil {
		return
	}
	if newest, ok := newestClosed(cs); ok {
		fresh.observe(symbol, newest, now)
	}
}

// sleepUntil waits, on the bubble's clock, until t.
func sleepUntil(t time.Time) { time.Sleep(time.Until(t)) }
