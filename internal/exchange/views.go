package exchange

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/shopspring/decimal"
)

// The account's answers, with the field names and order of the recorded
// real ones. Amounts are decimal strings: totals and margins with 8
// places, quantities with the market's quantity precision, trade prices as
// the market's klines print them.

// marginAsset is the asset the scripted accounts hold.
const marginAsset = "USDT"

type accountJSON struct {
	FeeTier           *int   `json:"feeTier,omitempty"`
	CanTrade          *bool  `json:"canTrade,omitempty"`
	CanDeposit        *bool  `json:"canDeposit,omitempty"`
	CanWithdraw       *bool  `json:"canWithdraw,omitempty"`
	TradeGroupID      *int   `json:"tradeGroupId,omitempty"`
	UpdateTime        *int64 `json:"updateTime,omitempty"`
	MultiAssetsMargin *bool  `json:"multiAssetsMargin,omitempty"`

	TotalInitialMargin          string      `json:"totalInitialMargin"`
	TotalMaintMargin            string      `json:"totalMaintMargin"`
	TotalWalletBalance          string      `json:"totalWalletBalance"`
	TotalUnrealizedProfit       string      `json:"totalUnrealizedProfit"`
	TotalMarginBalance          string      `json:"totalMarginBalance"`
	TotalPositionInitialMargin  string      `json:"totalPositionInitialMargin"`
	TotalOpenOrderInitialMargin string      `json:"totalOpenOrderInitialMargin"`
	TotalCrossWalletBalance     string      `json:"totalCrossWalletBalance"`
	TotalCrossUnPnl             string      `json:"totalCrossUnPnl"`
	AvailableBalance            string      `json:"availableBalance"`
	MaxWithdrawAmount           string      `json:"maxWithdrawAmount"`
	Assets                      []assetJSON `json:"assets"`
	Positions                   []any       `json:"positions"`
}

type assetJSON struct {
	Asset                  string `json:"asset"`
	WalletBalance          string `json:"walletBalance"`
	UnrealizedProfit       string `json:"unrealizedProfit"`
	MarginBalance          string `json:"marginBalance"`
	MaintMargin            string `json:"maintMargin"`
	InitialMargin          string `json:"initialMargin"`
	PositionInitialMargin  string `json:"positionInitialMargin"`
	OpenOrderInitialMargin string `json:"openOrderInitialMargin"`
	MaxWithdrawAmount      string `json:"maxWithdrawAmount"`
	CrossWalletBalance     string `json:"crossWalletBalance"`
	CrossUnPnl             string `json:"crossUnPnl"`
	AvailableBalance       string `json:"availableBalance"`
	MarginAvailable        *bool  `json:"marginAvailable,omitempty"`
	UpdateTime             int64  `json:"updateTime"`
}

// accountPositionJSON is a positions[] entry of /fapi/v2 and v4 account.
type accountPositionJSON struct {
	Symbol                 string `json:"symbol"`
	InitialMargin          string `json:"initialMargin"`
	MaintMargin            string `json:"maintMargin"`
	UnrealizedProfit       string `json:"unrealizedProfit"`
	PositionInitialMargin  string `json:"positionInitialMargin"`
	OpenOrderInitialMargin string `json:"openOrderInitialMargin"`
	Leverage               string `json:"leverage"`
	Isolated               bool   `json:"isolated"`
	EntryPrice             string `json:"entryPrice"`
	MaxNotional            string `json:"maxNotional"`
	PositionSide           string `json:"positionSide"`
	PositionAmt            string `json:"positionAmt"`
	Notional               string `json:"notional"`
	IsolatedWallet         string `json:"isolatedWallet"`
	UpdateTime             int64  `json:"updateTime"`
}

// accountPositionV3JSON is a positions[] entry of Binance's /fapi/v3
// account, which has neither leverage nor entry price.
type accountPositionV3JSON struct {
	Symbol           string `json:"symbol"`
	PositionSide     string `json:"positionSide"`
	PositionAmt      string `json:"positionAmt"`
	UnrealizedProfit string `json:"unrealizedProfit"`
	IsolatedMargin   string `json:"isolatedMargin"`
	Notional         string `json:"notional"`
	IsolatedWallet   string `json:"isolatedWallet"`
	InitialMargin    string `json:"initialMargin"`
	MaintMargin      string `json:"maintMargin"`
	UpdateTime       int64  `json:"updateTime"`
}

type balanceJSON struct {
	AccountAlias       string `json:"accountAlias"`
	Asset              string `json:"asset"`
	Balance            string `json:"balance"`
	CrossWalletBalance string `json:"crossWalletBalance"`
	CrossUnPnl         string `json:"crossUnPnl"`
	AvailableBalance   string `json:"availableBalance"`
	MaxWithdrawAmount  string `json:"maxWithdrawAmount"`
	MarginAvailable    bool   `json:"marginAvailable"`
	UpdateTime         int64  `json:"updateTime"`
}

// positionRiskJSON is an entry of Aster's positionRisk and Binance's
// /fapi/v2/positionRisk.
type positionRiskJSON struct {
	Symbol           string `json:"symbol"`
	PositionAmt      string `json:"positionAmt"`
	EntryPrice       string `json:"entryPrice"`
	MarkPrice        string `json:"markPrice"`
	UnRealizedProfit string `json:"unRealizedProfit"`
	LiquidationPrice string `json:"liquidationPrice"`
	Leverage         string `json:"leverage"`
	MaxNotionalValue string `json:"maxNotionalValue"`
	MarginType       string `json:"marginType"`
	IsolatedMargin   string `json:"isolatedMargin"`
	IsAutoAddMargin  string `json:"isAutoAddMargin"`
	PositionSide     string `json:"positionSide"`
	Notional         string `json:"notional"`
	IsolatedWallet   string `json:"isolatedWallet"`
	UpdateTime       int64  `json:"updateTime"`
}

// positionRiskV3JSON is an entry of Binance's /fapi/v3/positionRisk.
type positionRiskV3JSON struct {
	Symbol                 string `json:"symbol"`
	PositionSide           string `json:"positionSide"`
	PositionAmt            string `json:"positionAmt"`
	EntryPrice             string `json:"entryPrice"`
	BreakEvenPrice         string `json:"breakEvenPrice"`
	MarkPrice              string `json:"markPrice"`
	UnRealizedProfit       string `json:"unRealizedProfit"`
	LiquidationPrice       string `json:"liquidationPrice"`
	IsolatedMargin         string `json:"isolatedMargin"`
	Notional               string `json:"notional"`
	MarginAsset            string `json:"marginAsset"`
	IsolatedWallet         string `json:"isolatedWallet"`
	InitialMargin          string `json:"initialMargin"`
	MaintMargin            string `json:"maintMargin"`
	PositionInitialMargin  string `json:"positionInitialMargin"`
	OpenOrderInitialMargin string `json:"openOrderInitialMargin"`
	Adl                    int    `json:"adl"`
	BidNotional            string `json:"bidNotional"`
	AskNotional            string `json:"askNotional"`
	UpdateTime             int64  `json:"updateTime"`
}

type tradeJSON struct {
	Symbol          string `json:"symbol"`
	ID              int64  `json:"id"`
	OrderID         int64  `json:"orderId"`
	Side            string `json:"side"`
	Price           string `json:"price"`
	Qty             string `json:"qty"`
	RealizedPnl     string `json:"realizedPnl"`
	MarginAsset     string `json:"marginAsset"`
	QuoteQty        string `json:"quoteQty"`
	Commission      string `json:"commission"`
	CommissionAsset string `json:"commissionAsset"`
	Time            int64  `json:"time"`
	PositionSide    string `json:"positionSide"`
	Buyer           bool   `json:"buyer"`
	Maker           bool   `json:"maker"`
}

type incomeJSON struct {
	Symbol     string `json:"symbol"`
	IncomeType string `json:"incomeType"`
	Income     string `json:"income"`
	Asset      string `json:"asset"`
	Time       int64  `json:"time"`
	Info       string `json:"info"`
	TranID     int64  `json:"tranId"`
	TradeID    string `json:"tradeId"`
}

type orderJSON struct {
	AvgPrice                string `json:"avgPrice"`
	ClientOrderID           string `json:"clientOrderId"`
	CumQuote                string `json:"cumQuote"`
	ExecutedQty             string `json:"executedQty"`
	OrderID                 int64  `json:"orderId"`
	OrigQty                 string `json:"origQty"`
	OrigType                string `json:"origType"`
	Price                   string `json:"price"`
	ReduceOnly              bool   `json:"reduceOnly"`
	Side                    string `json:"side"`
	PositionSide            string `json:"positionSide"`
	Status                  string `json:"status"`
	StopPrice               string `json:"stopPrice"`
	ClosePosition           bool   `json:"closePosition"`
	Symbol                  string `json:"symbol"`
	Time                    int64  `json:"time"`
	TimeInForce             string `json:"timeInForce"`
	Type                    string `json:"type"`
	UpdateTime              int64  `json:"updateTime"`
	WorkingType             string `json:"workingType"`
	PriceProtect            bool   `json:"priceProtect"`
	PriceMatch              string `json:"priceMatch"`
	SelfTradePreventionMode string `json:"selfTradePreventionMode"`
	GoodTillDate            int64  `json:"goodTillDate"`
}

// fixed8 prints an amount with 8 places, as totals and margins are shown.
func fixed8(d decimal.Decimal) string { return d.StringFixed(8) }

// fixedAtLeast prints d with at least places decimals and never drops a
// digit: an exact product keeps all of its places.
func fixedAtLeast(d decimal.Decimal, places int) string {
	return d.StringFixed(max(int32(places), -d.Exponent()))
}

func ptr[T any](v T) *T { return &v }

// accountView builds the account endpoint's answer. Aster's and Binance's
// v2 answers list every market's position, flat ones too; Binance's v3
// answer lists only positions that are open or have open orders, without
// leverage and entry price.
func (s *Server) accountView(a *privateAccount, now time.Time, binance, v3 bool) accountJSON {
	st := a.stateAt(now)
	posMargin, ordMargin := st.positionMargin(), st.orderMargin()
	unreal, wallet := st.unrealized(), st.wallet
	out := accountJSON{
		TotalInitialMargin:          fixed8(posMargin.Add(ordMargin)),
		TotalMaintMargin:            fixed8(st.maintMargin()),
		TotalWalletBalance:          fixed8(wallet),
		TotalUnrealizedProfit:       fixed8(unreal),
		TotalMarginBalance:          fixed8(st.marginBalance()),
		TotalPositionInitialMargin:  fixed8(posMargin),
		TotalOpenOrderInitialMargin: fixed8(ordMargin),
		TotalCrossWalletBalance:     fixed8(wallet),
		TotalCrossUnPnl:             fixed8(unreal),
		AvailableBalance:            fixed8(st.available()),
		MaxWithdrawAmount:           fixed8(st.maxWithdraw()),
		Assets:                      st.assets(!v3),
		Positions:                   []any{},
	}
	if !v3 {
		out.FeeTier, out.CanTrade, out.CanDeposit, out.CanWithdraw = ptr(0), ptr(true),
			ptr(true), ptr(true)
		out.UpdateTime = ptr(int64(0))
	}
	if binance && !v3 {
		out.TradeGroupID, out.MultiAssetsMargin = ptr(-1), ptr(false)
	}
	for _, p := range s.allPositions(st) {
		switch {
		case !v3:
			out.Positions = append(out.Positions, p.accountJSON())
		case !p.amt.IsZero() || p.order != nil:
			out.Positions = append(out.Positions, p.accountV3JSON())
		}
	}
	return out
}

// assets are the account's assets: USDT, which it holds, and USDC, which
// it does not, as real accounts list assets they never used.
func (st state) assets(withMarginAvailable bool) []assetJSON {
	zero := fixed8(decimal.Zero)
	usdt := assetJSON{
		Asset: marginAsset, WalletBalance: fixed8(st.wallet),
		UnrealizedProfit: fixed8(st.unrealized()), MarginBalance: fixed8(st.marginBalance()),
		MaintMargin:            fixed8(st.maintMargin()),
		InitialMargin:          fixed8(st.positionMargin().Add(st.orderMargin())),
		PositionInitialMargin:  fixed8(st.positionMargin()),
		OpenOrderInitialMargin: fixed8(st.orderMargin()),
		MaxWithdrawAmount:      fixed8(st.maxWithdraw()),
		CrossWalletBalance:     fixed8(st.wallet), CrossUnPnl: fixed8(st.unrealized()),
		AvailableBalance: fixed8(st.available()), UpdateTime: st.updated.UnixMilli(),
	}
	usdc := assetJSON{Asset: "USDC", WalletBalance: zero, UnrealizedProfit: zero,
		MarginBalance: zero, MaintMargin: zero, InitialMargin: zero,
		PositionInitialMargin: zero, OpenOrderInitialMargin: zero, MaxWithdrawAmount: zero,
		CrossWalletBalance: zero, CrossUnPnl: zero, AvailableBalance: zero}
	if st.updated.IsZero() {
		usdt.UpdateTime = 0
	}
	if withMarginAvailable {
		usdt.MarginAvailable, usdc.MarginAvailable = ptr(true), ptr(true)
	}
	return []assetJSON{usdt, usdc}
}

// allPositions is a position for every market of the server, in
// exchangeInfo order: the account's own where it trades the symbol, flat
// ones at leverage 20 elsewhere.
func (s *Server) allPositions(st state) []position {
	mine := map[*market]position{}
	for _, p := range st.positions {
		mine[p.b.m] = p
	}
	out := make([]position, 0, len(s.markets))
	for _, m := range s.markets {
		p, ok := mine[m]
		if !ok {
			p = position{b: &book{m: m, leverage: 20}, mark: m.markPrice(st.now)}
		}
		out = append(out, p)
	}
	return out
}

// maxNotional is the largest position allowed at a leverage: the
// exchange's bracket ceilings, roughly.
func maxNotional(leverage int) string {
	switch {
	case leverage >= 20:
		return "2500000"
	case leverage >= 10:
		return "20000000"
	}
	return "50000000"
}

func (p position) amtString() string { return p.amt.StringFixed(int32(p.b.m.QuantityPrecision)) }

// entryString is the average entry price; "0.0" when flat, as Aster
// prints it.
func (p position) entryString() string {
	if p.amt.IsZero() {
		return "0.0"
	}
	return p.entry().String()
}

// zeroOr prints v with 8 places, or "0" for a flat position.
func (p position) zeroOr(v decimal.Decimal) string {
	if p.amt.IsZero() {
		return "0"
	}
	return fixed8(v)
}

func (p position) updateMs() int64 {
	if p.updated.IsZero() {
		return 0
	}
	return p.updated.UnixMilli()
}

func (p position) orderMargin() decimal.Decimal {
	if o := p.order; o != nil && !o.reduceOnly {
		return o.price.Mul(o.qty).DivRound(decimal.NewFromInt(int64(p.b.leverage)), 8)
	}
	return decimal.Zero
}

func (p position) accountJSON() accountPositionJSON {
	return accountPositionJSON{
		Symbol:                 p.b.m.Symbol,
		InitialMargin:          p.zeroOr(p.initialMargin().Add(p.orderMargin())),
		MaintMargin:            p.zeroOr(p.maintMargin()),
		UnrealizedProfit:       fixed8(p.unrealized()),
		PositionInitialMargin:  p.zeroOr(p.initialMargin()),
		OpenOrderInitialMargin: p.zeroOr(p.orderMargin()),
		Leverage:               strconv.Itoa(p.b.leverage),
		EntryPrice:             p.entryString(),
		MaxNotional:            maxNotional(p.b.leverage),
		PositionSide:           "BOTH",
		PositionAmt:            p.amtString(),
		Notional:               p.zeroOr(p.notional()),
		IsolatedWallet:         "0",
		UpdateTime:             p.updateMs(),
	}
}

func (p position) accountV3JSON() accountPositionV3JSON {
	return accountPositionV3JSON{
		Symbol: p.b.m.Symbol, PositionSide: "BOTH", PositionAmt: p.amtString(),
		UnrealizedProfit: fixed8(p.unrealized()), IsolatedMargin: "0",
		Notional: p.zeroOr(p.notional()), IsolatedWallet: "0",
		InitialMargin: fixed8(p.initialMargin().Add(p.orderMargin())),
		MaintMargin:   fixed8(p.maintMargin()), UpdateTime: p.updateMs(),
	}
}

func (p position) riskJSON() positionRiskJSON {
	return positionRiskJSON{
		Symbol: p.b.m.Symbol, PositionAmt: p.amtString(), EntryPrice: p.entryString(),
		MarkPrice: fixed8(p.mark), UnRealizedProfit: fixed8(p.unrealized()),
		LiquidationPrice: p.zeroOr(p.liquidation()), Leverage: strconv.Itoa(p.b.leverage),
		MaxNotionalValue: maxNotional(p.b.leverage), MarginType: "cross",
		IsolatedMargin: fixed8(decimal.Zero), IsAutoAddMargin: "false",
		PositionSide: "BOTH", Notional: p.zeroOr(p.notional()), IsolatedWallet: "0",
		UpdateTime: p.updateMs(),
	}
}

// breakEven is the price at which closing pays back the entry and a
// taker's fee both ways, roughly: entry × (1 ± 0.0005).
func (p position) breakEven() string {
	if p.amt.IsZero() {
		return "0.0"
	}
	f := decimal.New(5, -4)
	if p.amt.Sign() < 0 {
		f = f.Neg()
	}
	return fixed8(p.entry().Mul(decimal.NewFromInt(1).Add(f)))
}

func (p position) riskV3JSON() positionRiskV3JSON {
	return positionRiskV3JSON{
		Symbol: p.b.m.Symbol, PositionSide: "BOTH", PositionAmt: p.amtString(),
		EntryPrice: p.entryString(), BreakEvenPrice: p.breakEven(),
		MarkPrice: fixed8(p.mark), UnRealizedProfit: fixed8(p.unrealized()),
		LiquidationPrice: p.zeroOr(p.liquidation()), IsolatedMargin: "0",
		Notional: p.zeroOr(p.notional()), MarginAsset: marginAsset, IsolatedWallet: "0",
		InitialMargin:          fixed8(p.initialMargin().Add(p.orderMargin())),
		MaintMargin:            fixed8(p.maintMargin()),
		PositionInitialMargin:  fixed8(p.initialMargin()),
		OpenOrderInitialMargin: fixed8(p.orderMargin()),
		Adl:                    1, BidNotional: "0", AskNotional: "0", UpdateTime: p.updateMs(),
	}
}

func (p position) orderJSON() orderJSON {
	o, m := p.order, p.b.m
	side := "SELL"
	if o.buy {
		side = "BUY"
	}
	return orderJSON{
		AvgPrice: "0", ClientOrderID: o.clientID, CumQuote: "0",
		ExecutedQty: decimal.Zero.StringFixed(int32(m.QuantityPrecision)),
		OrderID:     o.id, OrigQty: o.qty.StringFixed(int32(m.QuantityPrecision)),
		OrigType: "LIMIT", Price: o.price.StringFixed(int32(m.PricePrecision)),
		ReduceOnly: o.reduceOnly, Side: side, PositionSide: "BOTH", Status: "NEW",
		StopPrice: "0", Symbol: m.Symbol, Time: o.t.UnixMilli(), TimeInForce: "GTC",
		Type: "LIMIT", UpdateTime: o.t.UnixMilli(), WorkingType: "CONTRACT_PRICE",
		PriceMatch: "NONE", SelfTradePreventionMode: "NONE",
	}
}

func (b *book) tradeJSON(f fill) tradeJSON {
	side := "SELL"
	if f.buy {
		side = "BUY"
	}
	pnl := "0"
	if f.reduces {
		pnl = fixed8(f.pnl)
	}
	return tradeJSON{
		Symbol: b.m.Symbol, ID: f.id, OrderID: f.orderID, Side: side, Price: f.price,
		Qty:         f.qty.StringFixed(int32(b.m.QuantityPrecision)),
		RealizedPnl: pnl, MarginAsset: marginAsset,
		QuoteQty:   fixedAtLeast(f.quote, b.m.PricePrecision+b.m.QuantityPrecision),
		Commission: fixed8(f.fee), CommissionAsset: marginAsset,
		Time: f.t.UnixMilli(), PositionSide: "BOTH", Buyer: f.buy, Maker: f.maker,
	}
}

func (r incomeRow) json() incomeJSON {
	trade := ""
	if r.tradeID != 0 {
		trade = strconv.FormatInt(r.tradeID, 10)
	}
	return incomeJSON{Symbol: r.symbol, IncomeType: r.kind, Income: fixed8(r.amount),
		Asset: marginAsset, Time: r.t.UnixMilli(), Info: r.kind, TranID: r.tranID,
		TradeID: trade}
}

// The account endpoints' handlers.

func accountV2Aster(s *Server, a *privateAccount, _ url.Values, now time.Time) response {
	return jsonResponse(http.StatusOK, s.accountView(a, now, false, false))
}

func accountV2Binance(s *Server, a *privateAccount, _ url.Values, now time.Time) response {
	return jsonResponse(http.StatusOK, s.accountView(a, now, true, false))
}

func accountV3Binance(s *Server, a *privateAccount, _ url.Values, now time.Time) response {
	return jsonResponse(http.StatusOK, s.accountView(a, now, true, true))
}

func balance(_ *Server, a *privateAccount, _ url.Values, now time.Time) response {
	st := a.stateAt(now)
	out := []balanceJSON{}
	for _, as := range st.assets(true) {
		out = append(out, balanceJSON{
			AccountAlias: a.alias(), Asset: as.Asset, Balance: as.WalletBalance,
			CrossWalletBalance: as.CrossWalletBalance, CrossUnPnl: as.CrossUnPnl,
			AvailableBalance: as.AvailableBalance, MaxWithdrawAmount: as.MaxWithdrawAmount,
			MarginAvailable: true, UpdateTime: as.UpdateTime,
		})
	}
	return jsonResponse(http.StatusOK, out)
}

// alias is the account's accountAlias: letters drawn from its seed.
func (a *privateAccount) alias() string {
	const letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	h := hash(uint64(a.Seed), 50)
	out := make([]byte, 12)
	for i := range out {
		out[i] = letters[h%uint64(len(letters))]
		h = hash(h, int64(i))
	}
	return string(out)
}

// positionRiskV2 lists every market's position, or symbol's.
func positionRiskV2(s *Server, a *privateAccount, q url.Values, now time.Time) response {
	return s.positionRisk(a, q, now, false)
}

// positionRiskV3Binance lists the positions that are open or have open
// orders, as Binance's v3 does.
func positionRiskV3Binance(s *Server, a *privateAccount, q url.Values,
	now time.Time) response {
	return s.positionRisk(a, q, now, true)
}

func (s *Server) positionRisk(a *privateAccount, q url.Values, now time.Time,
	v3 bool) response {
	symbol := q.Get("symbol")
	if _, ok := s.bySymbol[symbol]; symbol != "" && !ok {
		return errorResponse(errBadSymbol)
	}
	var out []any
	for _, p := range s.allPositions(a.stateAt(now)) {
		if symbol != "" && p.b.m.Symbol != symbol {
			continue
		}
		switch {
		case !v3:
			out = append(out, p.riskJSON())
		case !p.amt.IsZero() || p.order != nil:
			out = append(out, p.riskV3JSON())
		}
	}
	if out == nil {
		out = []any{}
	}
	return jsonResponse(http.StatusOK, out)
}
