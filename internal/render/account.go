package render

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"snapshotter/internal/account"
)

// AccountView is what the account's published files show.
type AccountView struct {
	FetchedAt time.Time
	Profile   string
	// Privacy publishes percentages of the account's equity instead of
	// amounts, for a dashboard others can see.
	Privacy     bool
	Snapshot    account.Snapshot
	Orders      []account.Order
	Trades      []account.Trade // every stored trade, oldest first
	Income      []account.Income
	Performance account.Performance
	// HistoryUnchanged says trades, income and performance are as last
	// published: their files are not built or written again.
	HistoryUnchanged bool
}

// PositionView is an open position as account.json shows it.
type PositionView struct {
	Symbol       string `json:"symbol"`
	PositionSide string `json:"position_side"`
	// Side is "LONG" or "SHORT", from the amount's sign in one-way mode.
	Side             string `json:"side"`
	Amount           string `json:"amount,omitempty"`
	EntryPrice       string `json:"entry_price"`
	MarkPrice        string `json:"mark_price"`
	UnrealizedProfit string `json:"unrealized_profit,omitempty"`
	Leverage         string `json:"leverage"`
	LiquidationPrice string `json:"liquidation_price"`
	// LiquidationDistance is how far the mark price may move against
	// the position before liquidation, as a fraction of the mark price;
	// null when there is no liquidation price (such as a fully covered
	// position, whose liquidation price the exchange gives as 0).
	LiquidationDistance *string `json:"liquidation_distance"`
	Notional            string  `json:"notional,omitempty"`
	// The *Pct fields replace amounts under [privacy]: percentages of the
	// account's margin balance.
	NotionalPct         *string `json:"notional_pct,omitempty"`
	UnrealizedProfitPct *string `json:"unrealized_profit_pct,omitempty"`
}

type accountFile struct {
	FetchedAt string `json:"fetched_at"`
	Profile   string `json:"profile"`
	Privacy   bool   `json:"privacy"`
	// Summary holds the account's totals, or under [privacy] only
	// unrealized_profit_pct.
	Summary   map[string]string `json:"summary"`
	Balances  []account.Balance `json:"balances"`
	Positions []PositionView    `json:"positions"`
	Orders    []account.Order   `json:"open_orders"`
}

// Account writes data/account.json, data/trades.json, data/income.json,
// data/performance.json and then account.html. Amounts stay the exchange's
// strings; under privacy they are replaced as PositionView and privateCopy
// say.
func (r *Renderer) Account(v AccountView) error {
	if v.Privacy {
		v = privateCopy(v)
	}
	files := map[string]any{
		"account.json": r.accountFile(v),
		"trades.json": struct {
			FetchedAt string          `json:"fetched_at"`
			Trades    []account.Trade `json:"trades"`
		}{rfc3339(v.FetchedAt), nonNil(v.Trades)},
		"income.json": struct {
			FetchedAt string           `json:"fetched_at"`
			Income    []account.Income `json:"income"`
		}{rfc3339(v.FetchedAt), nonNil(v.Income)},
		"performance.json": v.Performance,
	}
	page, err := r.accountHTML(v, files["account.json"].(accountFile))
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	names := []string{"account.json", "trades.json", "income.json", "performance.json"}
	if v.HistoryUnchanged && r.exists(filepath.Join("data", "performance.json")) {
		names = names[:1]
	}
	for _, name := range names {
		data, err := json.MarshalIndent(files[name], "", " ")
		if err != nil {
			return fmt.Errorf("encode %s: %w", name, err)
		}
		path := filepath.Join(r.dir, "data", name)
		if _, err := writePair(path, append(data, '\n')); err != nil {
			return fmt.Errorf("publish %s: %w", name, err)
		}
	}
	// The page after the JSON it shows.
	path := filepath.Join(r.dir, "account.html")
	if _, err := writePair(path, page); err != nil {
		return fmt.Errorf("publish account page: %w", err)
	}
	return nil
}

func (r *Renderer) accountFile(v AccountView) accountFile {
	s := v.Snapshot
	f := accountFile{FetchedAt: rfc3339(v.FetchedAt), Profile: v.Profile, Privacy: v.Privacy,
		Balances: []account.Balance{}, Positions: []PositionView{},
		Orders: nonNil(v.Orders)}
	f.Summary = map[string]string{
		"total_wallet_balance":    s.TotalWalletBalance,
		"total_unrealized_profit": s.TotalUnrealizedProfit,
		"total_margin_balance":    s.TotalMarginBalance,
		"available_balance":       s.AvailableBalance,
	}
	for _, b := range s.Assets {
		if d, err := account.Parse(b.WalletBalance); err == nil && !d.IsZero() {
			f.Balances = append(f.Balances, b)
		}
	}
	for _, p := range s.Positions {
		f.Positions = append(f.Positions, positionView(p))
	}
	if v.Privacy {
		f.Summary = map[string]string{"unrealized_profit_pct": pctOf(
			s.TotalUnrealizedProfit, s.TotalMarginBalance)}
		f.Balances = []account.Balance{}
		for i := range f.Positions {
			p := &f.Positions[i]
			p.NotionalPct = ptrIf(pctOf(abs(p.Notional), s.TotalMarginBalance))
			p.UnrealizedProfitPct = ptrIf(pctOf(p.UnrealizedProfit, s.TotalMarginBalance))
			p.Amount, p.Notional, p.UnrealizedProfit = "", "", ""
		}
	}
	return f
}

func positionView(p account.Position) PositionView {
	v := PositionView{Symbol: p.Symbol, PositionSide: p.PositionSide, Amount: p.PositionAmt,
		EntryPrice: p.EntryPrice, MarkPrice: p.MarkPrice, UnrealizedProfit: p.UnrealizedProfit,
		Leverage: p.Leverage, LiquidationPrice: p.LiquidationPrice, Notional: p.Notional}
	amt, _ := account.Parse(p.PositionAmt)
	v.Side = "LONG"
	if amt.Sign() < 0 || p.PositionSide == "SHORT" {
		v.Side = "SHORT"
	}
	if v.MarkPrice == "" && v.Notional != "" && !amt.IsZero() {
		// The account answer gives the notional, amount × mark.
		n, err := account.Parse(v.Notional)
		if err == nil {
			v.MarkPrice = n.Div(amt).Abs().Round(8).String()
		}
	}
	mark, err1 := account.Parse(v.MarkPrice)
	liq, err2 := account.Parse(v.LiquidationPrice)
	if err1 == nil && err2 == nil && !mark.IsZero() && liq.Sign() > 0 {
		dist := mark.Sub(liq).Abs().DivRound(mark, 6)
		s := account.Round(dist, 4)
		v.LiquidationDistance = &s
	}
	return v
}

func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// exists reports whether the published file rel is there.
func (r *Renderer) exists(rel string) bool {
	_, err := os.Stat(filepath.Join(r.dir, rel))
	return err == nil
}
