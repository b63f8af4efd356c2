package account

import "encoding/json"

// Balance is one asset of the account, from the account endpoint's
// "assets" array.
type Balance struct {
	Asset            string `json:"asset"`
	WalletBalance    string `json:"walletBalance"`
	UnrealizedProfit string `json:"unrealizedProfit"`
	MarginBalance    string `json:"marginBalance"`
	AvailableBalance string `json:"availableBalance"`
	MaxWithdraw      string `json:"maxWithdrawAmount,omitempty"`
	UpdateTime       int64  `json:"updateTime"`
}

// Position is one position entry of the account endpoint (or of
// positionRisk): one per symbol in one-way mode ("BOTH"), two in hedge mode
// ("LONG" and "SHORT"). Most entries of a real account are flat.
type Position struct {
	Symbol           string `json:"symbol"`
	PositionSide     string `json:"positionSide"`
	PositionAmt      string `json:"positionAmt"`
	EntryPrice       string `json:"entryPrice"`
	MarkPrice        string `json:"markPrice,omitempty"`
	UnrealizedProfit string `json:"unrealizedProfit"`
	Leverage         string `json:"leverage"`
	LiquidationPrice string `json:"liquidationPrice,omitempty"`
	Isolated         bool   `json:"isolated"`
	Notional         string `json:"notional,omitempty"`
	UpdateTime       int64  `json:"updateTime"`
}

// Trade is one of the user's fills, from userTrades. ID is unique per
// symbol and rises with time.
type Trade struct {
	ID              int64  `json:"id"`
	OrderID         int64  `json:"orderId"`
	Symbol          string `json:"symbol"`
	Side            string `json:"side"` // BUY or SELL
	PositionSide    string `json:"positionSide"`
	Price           string `json:"price"`
	Qty             string `json:"qty"`
	QuoteQty        string `json:"quoteQty"`
	RealizedPnl     string `json:"realizedPnl"`
	Commission      string `json:"commission"`
	CommissionAsset string `json:"commissionAsset"`
	Buyer           bool   `json:"buyer"`
	Maker           bool   `json:"maker"`
	Time            int64  `json:"time"`
}

// Income is one row of the income history. TranID is unique within one
// IncomeType and may exceed 2^53, so it is never a float.
type Income struct {
	Symbol     string `json:"symbol"`
	IncomeType string `json:"incomeType"` // REALIZED_PNL, COMMISSION, FUNDING_FEE, TRANSFER, ...
	Income     string `json:"income"`
	Asset      string `json:"asset"`
	Info       string `json:"info"`
	Time       int64  `json:"time"`
	TranID     int64  `json:"tranId"`
	// TradeID is a string on the wire, often empty.
	TradeID json.RawMessage `json:"tradeId,omitempty"`
}

// Key identifies an income row: the exchange makes TranID unique only
// within one income type.
func (i Income) Key() string { return i.IncomeType + "/" + jsonInt(i.TranID) }

// Order is one open order, with the exchange's field names.
type Order struct {
	OrderID       int64  `json:"orderId"`
	ClientOrderID string `json:"clientOrderId"`
	Symbol        string `json:"symbol"`
	Status        string `json:"status"`
	Type          string `json:"type"`
	Side          string `json:"side"`
	PositionSide  string `json:"positionSide"`
	Price         string `json:"price"`
	StopPrice     string `json:"stopPrice,omitempty"`
	OrigQty       string `json:"origQty"`
	ExecutedQty   string `json:"executedQty"`
	AvgPrice      string `json:"avgPrice,omitempty"`
	ReduceOnly    bool   `json:"reduceOnly"`
	Time          int64  `json:"time"`
	UpdateTime    int64  `json:"updateTime"`
}

// Snapshot is the account endpoint's answer, reduced to what the product
// shows. Totals are in the account's margin asset (USDT, usually).
type Snapshot struct {
	TotalWalletBalance    string     `json:"totalWalletBalance"`
	TotalUnrealizedProfit string     `json:"totalUnrealizedProfit"`
	TotalMarginBalance    string     `json:"totalMarginBalance"`
	AvailableBalance      string     `json:"availableBalance"`
	MaxWithdrawAmount     string     `json:"maxWithdrawAmount"`
	Assets                []Balance  `json:"assets"`
	Positions             []Position `json:"positions"`
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
