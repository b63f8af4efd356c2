package exchange

import (
	"net/http"
	"net/url"
	"strings"
	"time"
)

// exchangeInfo is the answer of GET exchangeInfo, with Aster's field order.
type exchangeInfo struct {
	Timezone        string       `json:"timezone"`
	ServerTime      int64        `json:"serverTime"`
	FuturesType     string       `json:"futuresType"`
	RateLimits      []rateLimit  `json:"rateLimits"`
	ExchangeFilters []any        `json:"exchangeFilters"`
	Assets          []assetInfo  `json:"assets"`
	Symbols         []symbolInfo `json:"symbols"`
}

type rateLimit struct {
	RateLimitType string `json:"rateLimitType"`
	Interval      string `json:"interval"`
	IntervalNum   int    `json:"intervalNum"`
	Limit         int    `json:"limit"`
}

type assetInfo struct {
	Asset             string `json:"asset"`
	MarginAvailable   bool   `json:"marginAvailable"`
	AutoAssetExchange string `json:"autoAssetExchange"`
}

type symbolInfo struct {
	Symbol                string   `json:"symbol"`
	Pair                  string   `json:"pair"`
	ContractType          string   `json:"contractType"`
	DeliveryDate          int64    `json:"deliveryDate"`
	OnboardDate           int64    `json:"onboardDate"`
	Status                string   `json:"status"`
	MaintMarginPercent    string   `json:"maintMarginPercent"`
	RequiredMarginPercent string   `json:"requiredMarginPercent"`
	BaseAsset             string   `json:"baseAsset"`
	QuoteAsset            string   `json:"quoteAsset"`
	MarginAsset           string   `json:"marginAsset"`
	PricePrecision        int      `json:"pricePrecision"`
	QuantityPrecision     int      `json:"quantityPrecision"`
	BaseAssetPrecision    int      `json:"baseAssetPrecision"`
	QuotePrecision        int      `json:"quotePrecision"`
	UnderlyingType        string   `json:"underlyingType"`
	UnderlyingSubType     []string `json:"underlyingSubType"`
	TriggerProtect        string   `json:"triggerProtect"`
	LiquidationFee        string   `json:"liquidationFee"`
	MarketTakeBound       string   `json:"marketTakeBound"`
	Filters               []any    `json:"filters"`
	OrderTypes            []string `json:"orderTypes"`
	TimeInForce           []string `json:"timeInForce"`
}

type priceFilter struct {
	MinPrice   string `json:"minPrice"`
	MaxPrice   string `json:"maxPrice"`
	FilterType string `json:"filterType"`
	TickSize   string `json:"tickSize"`
}

type lotSizeFilter struct {
	StepSize   string `json:"stepSize"`
	FilterType string `json:"filterType"`
	MaxQty     string `json:"maxQty"`
	MinQty     string `json:"minQty"`
}

type notionalFilter struct {
	Notional   string `json:"notional"`
	FilterType string `json:"filterType"`
}

// Dates the exchange shows for every perpetual: delivery in 2100, and an
// onboard date for markets without a listing time.
const (
	perpetualDelivery = 4133404800000
	defaultOnboard    = 1569398400000
)

func (s *Server) exchangeInfo(_ url.Values, now time.Time) response {
	info := exchangeInfo{
		Timezone:    "UTC",
		ServerTime:  now.UnixMilli(),
		FuturesType: "U_MARGINED",
		RateLimits: []rateLimit{
			{"REQUEST_WEIGHT", "MINUTE", 1, s.limit},
			{"ORDERS", "MINUTE", 1, 1200},
			{"ORDERS", "SECOND", 10, 300},
		},
		ExchangeFilters: []any{},
	}
	quotes := map[string]bool{}
	for _, m := range s.markets {
		si := m.info()
		if !quotes[si.QuoteAsset] {
			quotes[si.QuoteAsset] = true
			info.Assets = append(info.Assets, assetInfo{si.QuoteAsset, true, "-10000"})
		}
		info.Symbols = append(info.Symbols, si)
	}
	return jsonResponse(http.StatusOK, info)
}

// info describes the market as exchangeInfo lists it.
func (m *market) info() symbolInfo {
	base, quote := splitSymbol(m.Symbol)
	onboard := int64(defaultOnboard)
	if !m.Listed.IsZero() {
		onboard = m.Listed.UnixMilli()
	}
	tick, step := decimalStep(m.PricePrecision), decimalStep(m.QuantityPrecision)
	return symbolInfo{
		Symbol: m.Symbol, Pair: m.Symbol, ContractType: "PERPETUAL",
		DeliveryDate: perpetualDelivery, OnboardDate: onboard, Status: m.Status,
		MaintMarginPercent: "2.5000", RequiredMarginPercent: "5.0000",
		BaseAsset: base, QuoteAsset: quote, MarginAsset: quote,
		PricePrecision: m.PricePrecision, QuantityPrecision: m.QuantityPrecision,
		BaseAssetPrecision: 8, QuotePrecision: 8,
		UnderlyingType: "COIN", UnderlyingSubType: []string{},
		TriggerProtect: "0.0500", LiquidationFee: "0.025000", MarketTakeBound: "0.05",
		Filters: []any{
			priceFilter{tick, "1000000", "PRICE_FILTER", tick},
			lotSizeFilter{step, "LOT_SIZE", "1000000", step},
			lotSizeFilter{step, "MARKET_LOT_SIZE", "100000", step},
			notionalFilter{"5", "MIN_NOTIONAL"},
		},
		OrderTypes: []string{"LIMIT", "MARKET", "STOP", "STOP_MARKET", "TAKE_PROFIT",
			"TAKE_PROFIT_MARKET", "TRAILING_STOP_MARKET"},
		TimeInForce: []string{"GTC", "IOC", "FOK", "GTX"},
	}
}

// splitSymbol separates base and quote asset; the quote is USDT unless the
// symbol ends in another stablecoin.
func splitSymbol(symbol string) (base, quote string) {
	for _, q := range []string{"USDT", "USDC"} {
		if b, ok := strings.CutSuffix(symbol, q); ok && b != "" {
			return b, q
		}
	}
	return symbol, "USDT"
}

// decimalStep is the smallest step with the given number of decimals:
// "1" for 0, "0.01" for 2.
func decimalStep(decimals int) string {
	if decimals <= 0 {
		return "1"
	}
	return "0." + strings.Repeat("0", decimals-1) + "1"
}
