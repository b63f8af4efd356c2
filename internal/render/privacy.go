package render

import (
	"snapshotter/internal/account"
)

// pctOf returns part as a percentage of whole, at 2 places, half away from
// zero; "" when either is not a number or whole is zero.
func pctOf(part, whole string) string {
	p, err1 := account.Parse(part)
	w, err2 := account.Parse(whole)
	if part == "" || err1 != nil || err2 != nil || w.IsZero() {
		return ""
	}
	return account.Round(p.Mul(account.MustParse("100")).DivRound(w, 6), 2)
}

func abs(s string) string {
	d, err := account.Parse(s)
	if err != nil || s == "" {
		return s
	}
	return d.Abs().String()
}

func ptrIf(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// privateCopy replaces every amount in v by a percentage of the account's
// equity: trades keep price, side and time but lose quantities, fees and
// PnL; income and performance become percentages of the equity before
// the history starts; balances go. Market prices are not private.
func privateCopy(v AccountView) AccountView {
	base := baseEquity(v)
	trades := make([]account.Trade, len(v.Trades))
	for i, t := range v.Trades {
		t.Qty, t.QuoteQty, t.Commission, t.RealizedPnl = "", "", "", ""
		trades[i] = t
	}
	v.Trades = trades
	income := make([]account.Income, len(v.Income))
	for i, r := range v.Income {
		r.Income = pctOf(r.Income, base)
		income[i] = r
	}
	v.Income = income
	v.Performance = privatePerformance(v.Performance, base)
	return v
}

// baseEquity is the equity the percentages are of: the wallet before the
// history's first row, or the margin balance when that is not positive.
func baseEquity(v AccountView) string {
	if d, err := account.Parse(v.Performance.StartEquity); err == nil && d.Sign() > 0 {
		return v.Performance.StartEquity
	}
	return v.Snapshot.TotalMarginBalance
}

func privatePerformance(p account.Performance, base string) account.Performance {
	pct := func(s account.Sums) account.Sums {
		return account.Sums{RealizedPnl: pctOf(s.RealizedPnl, base), Fees: pctOf(s.Fees, base),
			Funding: pctOf(s.Funding, base), Other: pctOf(s.Other, base),
			Net: pctOf(s.Net, base), Transfers: pctOf(s.Transfers, base)}
	}
	p.Asset = "% of equity"
	p.StartEquity = "100"
	p.Total = pct(p.Total)
	bySym := make([]account.SymbolSums, len(p.BySymbol))
	for i, s := range p.BySymbol {
		bySym[i] = account.SymbolSums{Symbol: s.Symbol, Sums: pct(s.Sums)}
	}
	p.BySymbol = bySym
	byDay := make([]account.DaySums, len(p.ByDay))
	for i, d := range p.ByDay {
		byDay[i] = account.DaySums{Day: d.Day, Sums: pct(d.Sums)}
	}
	p.ByDay = byDay
	eq := make([]account.Point, len(p.Equity))
	for i, pt := range p.Equity {
		eq[i] = account.Point{Time: pt.Time, Value: pctOf(pt.Value, base)}
	}
	p.Equity = eq
	p.MaxDrawdown = pctOf(p.MaxDrawdown, base)
	return p
}
