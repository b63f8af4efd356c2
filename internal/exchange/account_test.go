package exchange

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"snapshotter/internal/account"
)

// profile is how one product profile reaches each account endpoint.
type profile struct {
	name                        string
	v3                          bool
	account, balance, positions []string
	trades, income, orders      string
}

var profiles = []profile{
	{name: "Aster V1", account: []string{"/fapi/v4/account"},
		balance: []string{"/fapi/v2/balance"}, positions: []string{"/fapi/v2/positionRisk"},
		trades: "/fapi/v1/userTrades", income: "/fapi/v1/income", orders: "/fapi/v1/openOrders"},
	{name: "Binance", account: []string{"/fapi/v2/account", "/fapi/v3/account"},
		balance:   []string{"/fapi/v2/balance", "/fapi/v3/balance"},
		positions: []string{"/fapi/v2/positionRisk", "/fapi/v3/positionRisk"},
		trades:    "/fapi/v1/userTrades", income: "/fapi/v1/income", orders: "/fapi/v1/openOrders"},
	{name: "Aster V3", v3: true, account: []string{"/fapi/v3/accountWithJoinMargin"},
		balance: []string{"/fapi/v3/balance"}, positions: []string{"/fapi/v3/positionRisk"},
		trades: "/fapi/v3/userTrades", income: "/fapi/v3/income", orders: "/fapi/v3/openOrders"},
}

// send signs a request the way p does.
func (p profile) send(t *testing.T, s *Server, path, params string) answer {
	t.Helper()
	if p.v3 {
		return v3Get(t, s, path, params, int64(len(s.Requests())))
	}
	return hmacGet(t, s, path, params, s.clock.Now())
}

// TestProfiles_DecodeIntoAccountTypes: every profile's answers decode into
// the product's types and tell the same story about the one account.
func TestProfiles_DecodeIntoAccountTypes(t *testing.T) {
	var wallets []string
	for _, p := range profiles {
		t.Run(p.name, func(t *testing.T) {
			s, _ := privateServer(t)
			for _, path := range p.account {
				var snap account.Snapshot
				decodeOK(t, p.send(t, s, path, ""), &snap)
				if snap.TotalWalletBalance == "" || snap.Assets[0].Asset != "USDT" ||
					snap.Assets[0].WalletBalance != snap.TotalWalletBalance {
					t.Errorf("%s: snapshot %+v", path, snap)
				}
				if len(snap.Positions) == 0 {
					t.Errorf("%s: no positions", path)
				}
				wallets = append(wallets, snap.TotalWalletBalance)
			}
			for _, path := range p.balance {
				var bs []account.Balance
				decodeOK(t, p.send(t, s, path, ""), &bs)
				if len(bs) == 0 || bs[0].Asset != "USDT" || bs[0].AvailableBalance == "" {
					t.Errorf("%s: balances %+v", path, bs)
				}
			}
			for _, path := range p.positions {
				var ps []account.Position
				decodeOK(t, p.send(t, s, path, "symbol=ETHUSDT"), &ps)
				if len(ps) != 1 || ps[0].Symbol != "ETHUSDT" || ps[0].MarkPrice == "" ||
					ps[0].UnrealizedProfit == "" || ps[0].PositionSide != "BOTH" {
					t.Errorf("%s: positions %+v", path, ps)
				}
			}
			var trades []account.Trade
			decodeOK(t, p.send(t, s, p.trades, "symbol=BTCUSDT"), &trades)
			var income []account.Income
			decodeOK(t, p.send(t, s, p.income, "limit=1000"), &income)
			var orders []account.Order
			decodeOK(t, p.send(t, s, p.orders, ""), &orders)
			if len(trades) == 0 || len(income) == 0 || len(orders) == 0 {
				t.Errorf("%d trades, %d income rows, %d orders; want some of each",
					len(trades), len(income), len(orders))
			}
			for _, o := range orders {
				if o.Status != "NEW" || o.Type != "LIMIT" || o.Price == "" || o.OrigQty == "" {
					t.Errorf("order %+v", o)
				}
			}
		})
	}
	for _, w := range wallets[1:] {
		if w != wallets[0] {
			t.Errorf("wallet balances differ between profiles: %v", wallets)
		}
	}
}

// allTrades walks symbol's trades from the account's start in 7-day
// windows, as case C11 asks of a client, and dedupes by id.
func allTrades(t *testing.T, s *Server, symbol string) []account.Trade {
	t.Helper()
	var out []account.Trade
	seen := map[int64]bool{}
	now := s.clock.Now()
	for from := testStart; !from.After(now); from = from.Add(week) {
		q := join("symbol="+symbol, "startTime", msText(from),
			"endTime", msText(from.Add(week)), "limit", "1000")
		var page []account.Trade
		decodeOK(t, hmacGet(t, s, "/fapi/v1/userTrades", q, now), &page)
		if len(page) == 1000 {
			t.Fatalf("window from %v is full; walk it with fromId", from)
		}
		for _, tr := range page {
			if !seen[tr.ID] {
				seen[tr.ID] = true
				out = append(out, tr)
			}
		}
	}
	return out
}

// allIncome pages through the income from..to by moving startTime to the
// last row's time, and drops the rows seen twice at the boundaries.
func allIncome(t *testing.T, s *Server, params string, from, to time.Time,
	limit int) (rows []account.Income, fetched int) {
	t.Helper()
	seen := map[string]bool{}
	for {
		q := join(params, "startTime", msText(from), "endTime", msText(to),
			"limit", strconv.Itoa(limit))
		var page []account.Income
		decodeOK(t, hmacGet(t, s, "/fapi/v1/income", q, s.clock.Now()), &page)
		fetched += len(page)
		for _, r := range page {
			if !seen[r.Key()] {
				seen[r.Key()] = true
				rows = append(rows, r)
			}
		}
		if len(page) < limit {
			return rows, fetched
		}
		from = time.UnixMilli(page[len(page)-1].Time)
	}
}

func dec(t *testing.T, s string) decimal.Decimal {
	t.Helper()
	d, err := account.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAccount_Consistent checks the account's numbers against each other,
// exactly: income adds up to the wallet, trades match their income rows,
// positions match the trades, totals match their parts.
func TestAccount_Consistent(t *testing.T) {
	s, _ := privateServer(t)
	income, _ := allIncome(t, s, "", testStart, t0, 1000)
	var snap account.Snapshot
	decodeOK(t, hmacGet(t, s, "/fapi/v4/account", "", t0), &snap)

	// Σ income is the wallet; without the deposit, the wallet's change.
	sum, others := decimal.Zero, decimal.Zero
	byTrade := map[string]account.Income{}
	for _, r := range income {
		sum = sum.Add(dec(t, r.Income))
		if r.IncomeType != "TRANSFER" {
			others = others.Add(dec(t, r.Income))
		}
		if len(r.TradeID) > 2 {
			byTrade[r.IncomeType+string(r.TradeID)] = r
		}
	}
	wallet := dec(t, snap.TotalWalletBalance)
	if !sum.Equal(wallet) {
		t.Errorf("Σ income %s, wallet %s", sum, wallet)
	}
	if want := wallet.Sub(dec(t, "10000")); !others.Equal(want) {
		t.Errorf("Σ income without the deposit %s, wallet − start %s", others, want)
	}

	totalPnl, pnlRows := decimal.Zero, decimal.Zero
	for _, r := range income {
		if r.IncomeType == "REALIZED_PNL" {
			pnlRows = pnlRows.Add(dec(t, r.Income))
		}
	}
	held := map[string]decimal.Decimal{}
	for _, sym := range []string{"BTCUSDT", "ETHUSDT", "REZUSDT"} {
		pos := decimal.Zero
		for _, tr := range allTrades(t, s, sym) {
			checkTrade(t, tr, byTrade)
			totalPnl = totalPnl.Add(dec(t, tr.RealizedPnl))
			q := dec(t, tr.Qty)
			if tr.Side == "SELL" {
				q = q.Neg()
			}
			pos = pos.Add(q)
		}
		held[sym] = pos
	}
	if !totalPnl.Equal(pnlRows) {
		t.Errorf("Σ realizedPnl of trades %s, Σ REALIZED_PNL rows %s", totalPnl, pnlRows)
	}

	unreal := decimal.Zero
	for _, p := range snap.Positions {
		unreal = unreal.Add(dec(t, p.UnrealizedProfit))
		if want, ok := held[p.Symbol]; ok && !dec(t, p.PositionAmt).Equal(want) {
			t.Errorf("%s position %s, trades add up to %s", p.Symbol, p.PositionAmt, want)
		}
	}
	if !unreal.Equal(dec(t, snap.TotalUnrealizedProfit)) {
		t.Errorf("Σ unrealized %s, total %s", unreal, snap.TotalUnrealizedProfit)
	}
	if !wallet.Add(unreal).Equal(dec(t, snap.TotalMarginBalance)) {
		t.Errorf("margin balance %s, want wallet + unrealized %s",
			snap.TotalMarginBalance, wallet.Add(unreal))
	}
}

// checkTrade checks one fill's own arithmetic and its income rows.
func checkTrade(t *testing.T, tr account.Trade, byTrade map[string]account.Income) {
	t.Helper()
	id := `"` + strconv.FormatInt(tr.ID, 10) + `"`
	quote := dec(t, tr.Price).Mul(dec(t, tr.Qty))
	if !dec(t, tr.QuoteQty).Equal(quote) {
		t.Errorf("trade %d: quoteQty %s, price × qty %s", tr.ID, tr.QuoteQty, quote)
	}
	rate := dec(t, "0.0004")
	if tr.Maker {
		rate = dec(t, "0.0002")
	}
	if want := quote.Mul(rate).StringFixed(8); tr.Commission != want {
		t.Errorf("trade %d: commission %s, want %s", tr.ID, tr.Commission, want)
	}
	if r := byTrade["COMMISSION"+id]; !dec(t, r.Income).Equal(dec(t, tr.Commission).Neg()) {
		t.Errorf("trade %d: commission %s, income row %+v", tr.ID, tr.Commission, r)
	}
	pnl := dec(t, tr.RealizedPnl)
	r, ok := byTrade["REALIZED_PNL"+id]
	if pnl.IsZero() != !ok || (ok && !dec(t, r.Income).Equal(pnl)) {
		t.Errorf("trade %d: realizedPnl %s, income row %+v", tr.ID, tr.RealizedPnl, r)
	}
	if tr.Buyer != (tr.Side == "BUY") || tr.CommissionAsset != "USDT" ||
		tr.PositionSide != "BOTH" {
		t.Errorf("trade %+v", tr)
	}
}

// TestAccount_TradesAtMarketPrices: each fill's price is, byte for byte,
// the open of the market's minute candle it falls in.
func TestAccount_TradesAtMarketPrices(t *testing.T) {
	s, _ := privateServer(t)
	var trades []account.Trade
	decodeOK(t, hmacGet(t, s, "/fapi/v1/userTrades", "symbol=ETHUSDT&limit=20", t0), &trades)
	for _, tr := range trades {
		minute := time.UnixMilli(tr.Time).Truncate(time.Minute)
		q := klinesQ("ETHUSDT", "1m", "startTime", msText(minute), "limit", "1")
		c := candles(t, get(t, s, "/fapi/v1/klines", q), t0)
		if len(c) != 1 || c[0].Open != tr.Price {
			t.Errorf("trade %d at %v: price %s, candle %+v", tr.ID, minute, tr.Price, c)
		}
		if !strings.Contains(tr.Price, ".") || len(strings.Split(tr.Price, ".")[1]) != 2 {
			t.Errorf("trade %d: price %s, want ETHUSDT's 2 decimals", tr.ID, tr.Price)
		}
		if len(strings.Split(tr.Qty, ".")[1]) != 3 {
			t.Errorf("trade %d: qty %s, want 3 decimals", tr.ID, tr.Qty)
		}
	}
}

func TestAccount_IncomeRows(t *testing.T) {
	s, _ := privateServer(t)
	income, _ := allIncome(t, s, "", testStart, t0, 1000)

	kinds := map[string]int{}
	bigIDs := 0
	for i, r := range income {
		kinds[r.IncomeType]++
		if r.TranID > 1<<53 {
			bigIDs++
		}
		if i > 0 && r.Time < income[i-1].Time {
			t.Fatalf("row %d out of order", i)
		}
		switch r.IncomeType {
		case "FUNDING_FEE":
			if at := time.UnixMilli(r.Time).UTC(); at.Hour()%8 != 0 ||
				at.Minute() != 0 || at.Second() != 0 || r.Symbol == "" {
				t.Errorf("funding row %+v not at 00, 08 or 16 UTC", r)
			}
		case "TRANSFER":
			if r.Income != "10000.00000000" || r.Time != testStart.UnixMilli() {
				t.Errorf("deposit %+v", r)
			}
		}
	}
	if kinds["TRANSFER"] != 1 || kinds["FUNDING_FEE"] == 0 || kinds["COMMISSION"] == 0 ||
		kinds["REALIZED_PNL"] == 0 {
		t.Errorf("income types %v", kinds)
	}
	if bigIDs == 0 {
		t.Error("no tranId above 2^53")
	}
}

func TestUserTrades_Queries(t *testing.T) {
	quietFrom, quietTo := testStart.Add(12*24*time.Hour), testStart.Add(19*24*time.Hour)
	tests := []struct {
		name   string
		params string
		status int
		code   int
		body   string // when set, the exact body
	}{
		{"8 days", join("symbol=BTCUSDT", "startTime", msText(t0.Add(-8*24*time.Hour)),
			"endTime", msText(t0)), 400, -1127,
			`{"code":-1127,"msg":"More than 168 hours between startTime and endTime."}`},
		{"7 days", join("symbol=BTCUSDT", "startTime", msText(t0.Add(-week)),
			"endTime", msText(t0)), 200, 0, ""},
		{"fromId with startTime", join("symbol=BTCUSDT", "fromId", "1",
			"startTime", msText(t0.Add(-time.Hour))), 400, -1128,
			`{"code":-1128,"msg":"Combination of optional parameters invalid."}`},
		{"fromId with endTime", join("symbol=BTCUSDT", "fromId", "1", "endTime", msText(t0)),
			400, -1128, ""},
		{"a quiet week", join("symbol=BTCUSDT", "startTime", msText(quietFrom),
			"endTime", msText(quietTo)), 200, 0, "[]"},
		{"a symbol not traded", "symbol=ASTERUSDT", 200, 0, "[]"},
		{"no symbol", "", 400, -1102, ""},
		{"unknown symbol", "symbol=NOPEUSDT", 400, -1121, ""},
		{"startTime as a float", "symbol=BTCUSDT&startTime=1.7e12", 400, -1100, ""},
		{"limit 1001", "symbol=BTCUSDT&limit=1001", 400, -1130, ""},
		{"start after end", join("symbol=BTCUSDT", "startTime", msText(t0),
			"endTime", msText(t0.Add(-time.Hour))), 400, -1023, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := privateServer(t)
			a := hmacGet(t, s, "/fapi/v1/userTrades", tt.params, t0)
			if a.status != tt.status {
				t.Fatalf("status %d, want %d: %s", a.status, tt.status, a.body)
			}
			if tt.code != 0 && apiErr(t, a).Code != tt.code {
				t.Errorf("body %s, want code %d", a.body, tt.code)
			}
			if tt.body != "" && string(a.body) != tt.body {
				t.Errorf("body %s, want %s", a.body, tt.body)
			}
		})
	}
}

func TestUserTrades_Windows(t *testing.T) {
	s, _ := privateServer(t)
	all := allTrades(t, s, "BTCUSDT")
	times := func(params string) []account.Trade {
		var out []account.Trade
		q := "symbol=BTCUSDT"
		if params != "" {
			q += "&" + params
		}
		decodeOK(t, hmacGet(t, s, "/fapi/v1/userTrades", q, t0), &out)
		return out
	}
	ascending := func(name string, ts []account.Trade) {
		for i := 1; i < len(ts); i++ {
			if ts[i].ID <= ts[i-1].ID || ts[i].Time < ts[i-1].Time {
				t.Errorf("%s: trades %d and %d out of order", name, i-1, i)
			}
		}
	}

	recent := times("")
	if len(recent) == 0 || recent[0].Time < t0.Add(-week).UnixMilli() {
		t.Fatalf("default window: %d trades, want some, all in the last 7 days",
			len(recent))
	}
	ascending("default", recent)

	from := all[10].ID
	page := times("fromId=" + strconv.FormatInt(from, 10) + "&limit=7")
	if len(page) != 7 || page[0].ID != from || page[6].ID != all[16].ID {
		t.Errorf("fromId page %v, want trades 10 to 16 of %d", ids(page), len(all))
	}
	ascending("fromId", page)

	start := time.UnixMilli(all[0].Time)
	onlyStart := times("startTime=" + msText(start) + "&limit=1000")
	last := onlyStart[len(onlyStart)-1].Time
	if onlyStart[0].ID != all[0].ID || last > start.Add(7*24*time.Hour).UnixMilli() {
		t.Errorf("startTime alone: %d trades from %d to %d", len(onlyStart),
			onlyStart[0].Time, last)
	}
	limited := times("startTime=" + msText(start) + "&limit=3")
	if len(limited) != 3 || limited[0].ID != all[0].ID {
		t.Errorf("limit 3 from the start: %v", ids(limited))
	}
}

func ids(ts []account.Trade) []int64 {
	var out []int64
	for _, tr := range ts {
		out = append(out, tr.ID)
	}
	return out
}

// TestIncome_PagingInclusive: rows share times (a fill's commission and
// profit, fills of one order), so pages cut between them; with inclusive
// bounds, paging by the last row's time repeats rows and, deduplicated,
// gives exactly the one-request answer.
func TestIncome_PagingInclusive(t *testing.T) {
	s, _ := privateServer(t)
	from, to := t0.Add(-2*24*time.Hour), t0

	var whole []account.Income
	q := join("", "startTime", msText(from), "endTime", msText(to), "limit", "1000")
	decodeOK(t, hmacGet(t, s, "/fapi/v1/income", q, t0), &whole)

	paged, fetched := allIncome(t, s, "", from, to, 7)
	if fetched <= len(paged) {
		t.Errorf("paging fetched %d rows for %d distinct; want repeats at the "+
			"inclusive boundaries", fetched, len(paged))
	}
	got, _ := json.Marshal(paged)
	want, _ := json.Marshal(whole)
	if !bytes.Equal(got, want) {
		t.Errorf("paged rows differ from the single answer:\n%s\n%s", got, want)
	}

	var edge []account.Income
	at := msText(time.UnixMilli(whole[3].Time))
	decodeOK(t, hmacGet(t, s, "/fapi/v1/income", join("", "startTime", at, "endTime", at),
		t0), &edge)
	if len(edge) == 0 || edge[0].Time != whole[3].Time {
		t.Errorf("startTime = endTime = a row's time gave %+v", edge)
	}
}

func TestIncome_Queries(t *testing.T) {
	s, _ := privateServer(t)
	count := func(params string) int {
		var rows []account.Income
		decodeOK(t, hmacGet(t, s, "/fapi/v1/income", params, t0), &rows)
		for _, r := range rows {
			if r.Time < t0.Add(-week).UnixMilli() && !strings.Contains(params, "startTime") {
				t.Errorf("%s: row at %d, before the last 7 days", params, r.Time)
			}
		}
		return len(rows)
	}
	if n := count(""); n != 100 {
		t.Errorf("default limit gave %d rows, want 100", n)
	}
	if n := count("limit=1000&incomeType=FUNDING_FEE&symbol=BTCUSDT"); n == 0 || n > 21 {
		t.Errorf("a week of BTCUSDT funding: %d rows, want 1 to 21", n)
	}
	for _, tt := range []struct {
		params string
		code   int
	}{
		{"limit=1001", -1130}, {"incomeType=BONUS", -1130}, {"symbol=NOPEUSDT", -1121},
		{"startTime=1e12", -1100},
	} {
		a := hmacGet(t, s, "/fapi/v1/income", tt.params, t0)
		if a.status != 400 || apiErr(t, a).Code != tt.code {
			t.Errorf("%s: %d %s, want code %d", tt.params, a.status, a.body, tt.code)
		}
	}
}

// TestAccount_PureFunctionOfTime: the same account on two servers, or
// asked again later, tells the same history.
func TestAccount_PureFunctionOfTime(t *testing.T) {
	q := join("symbol=REZUSDT", "startTime", msText(t0.Add(-3*24*time.Hour)),
		"endTime", msText(t0))
	s1, clk := privateServer(t)
	first := hmacGet(t, s1, "/fapi/v1/userTrades", q, t0).body

	clk.Set(t0.Add(5 * 24 * time.Hour))
	later := hmacGet(t, s1, "/fapi/v1/userTrades", q, clk.Now()).body

	s2, _ := newTestServer(Config{Accounts: []Account{testAccount(t)}}, t0.Add(time.Hour))
	other := hmacGet(t, s2, "/fapi/v1/userTrades", q, t0.Add(time.Hour)).body

	if !bytes.Equal(first, later) || !bytes.Equal(first, other) {
		t.Errorf("history changed:\n%s\n%s\n%s", first, later, other)
	}

	// Going back in time shows the account as it was then.
	clk.Set(t0)
	var then account.Snapshot
	decodeOK(t, hmacGet(t, s1, "/fapi/v4/account", "", t0), &then)
	s3, _ := privateServer(t)
	var fresh account.Snapshot
	decodeOK(t, hmacGet(t, s3, "/fapi/v4/account", "", t0), &fresh)
	if then.TotalWalletBalance != fresh.TotalWalletBalance {
		t.Errorf("wallet at t0 %s after seeing the future, %s before",
			then.TotalWalletBalance, fresh.TotalWalletBalance)
	}
}

// TestAccount_BeforeStart: an account asked about before it opened has
// nothing, not even its deposit.
func TestAccount_BeforeStart(t *testing.T) {
	acct := testAccount(t)
	acct.Start = t0.Add(time.Hour)
	s, _ := newTestServer(Config{Accounts: []Account{acct}}, t0)
	var snap account.Snapshot
	decodeOK(t, hmacGet(t, s, "/fapi/v4/account", "", t0), &snap)
	if snap.TotalWalletBalance != "0.00000000" {
		t.Errorf("wallet %s before the start", snap.TotalWalletBalance)
	}
	a := hmacGet(t, s, "/fapi/v1/income", "", t0)
	if string(a.body) != "[]" {
		t.Errorf("income %s before the start", a.body)
	}
}
