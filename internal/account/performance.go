package account

import (
	"fmt"
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// Sums are the parts of the result over some stretch, in the margin asset.
// Net is RealizedPnl + Fees + Funding + Other; transfers are money moved
// in or out, not a result, and are kept apart.
type Sums struct {
	RealizedPnl string `json:"realized_pnl"`
	Fees        string `json:"fees"`
	Funding     string `json:"funding"`
	Other       string `json:"other"`
	Net         string `json:"net"`
	Transfers   string `json:"transfers"`
}

// SymbolSums are one symbol's sums.
type SymbolSums struct {
	Symbol string `json:"symbol"`
	Sums
}

// DaySums are one day's sums; Day is a calendar date in Performance.Zone.
type DaySums struct {
	Day string `json:"day"`
	Sums
}

// Point is one step of a curve: a time in epoch ms and a value.
type Point struct {
	Time  int64  `json:"time"`
	Value string `json:"value"`
}

// Performance is what the account's history says about its results,
// computed from the stored income and trades with exact decimals.
type Performance struct {
	Asset string `json:"asset"`
	Zone  string `json:"zone"`
	From  int64  `json:"from"`
	To    int64  `json:"to"`
	Total Sums   `json:"total"`
	// BySymbol and ByDay split Total; symbol-less rows (transfers) have
	// no symbol entry.
	BySymbol []SymbolSums `json:"by_symbol"`
	ByDay    []DaySums    `json:"by_day"`
	// ClosedTrades counts fills that realized a profit or a loss (a
	// non-zero realizedPnl); Wins those with a profit.
	ClosedTrades int `json:"closed_trades"`
	Wins         int `json:"wins"`
	Losses       int `json:"losses"`
	// WinRate is Wins / ClosedTrades; null without closed trades.
	WinRate *string `json:"win_rate"`
	// ProfitFactor is the sum of profits over the sum of losses of the
	// closed trades; null without a loss.
	ProfitFactor *string `json:"profit_factor"`
	// StartEquity is the wallet balance before the first income row.
	StartEquity string `json:"start_equity"`
	// Equity is the wallet balance after each income row, transfers
	// included, starting from StartEquity.
	Equity []Point `json:"equity"`
	// MaxDrawdown is the largest fall of the result curve (the wallet
	// without transfers) from a previous high, as an amount and as a
	// fraction of that high.
	MaxDrawdown    string  `json:"max_drawdown"`
	MaxDrawdownPct *string `json:"max_drawdown_pct"`
}

// ratioPlaces is the precision of ratios, rounded half away from zero.
const ratioPlaces = 4

type sums struct{ realized, fees, funding, other, transfers decimal.Decimal }

func (s *sums) add(r Income) error {
	v, err := Parse(r.Income)
	if err != nil {
		return fmt.Errorf("income %s: %w", r.Key(), err)
	}
	switch r.IncomeType {
	case "REALIZED_PNL":
		s.realized = s.realized.Add(v)
	case "COMMISSION":
		s.fees = s.fees.Add(v)
	case "FUNDING_FEE":
		s.funding = s.funding.Add(v)
	case "TRANSFER":
		s.transfers = s.transfers.Add(v)
	default:
		s.other = s.other.Add(v)
	}
	return nil
}

func (s sums) net() decimal.Decimal { return s.realized.Add(s.fees).Add(s.funding).Add(s.other) }

func (s sums) out() Sums {
	return Sums{RealizedPnl: s.realized.String(), Fees: s.fees.String(),
		Funding: s.funding.String(), Other: s.other.String(), Net: s.net().String(),
		Transfers: s.transfers.String()}
}

// Compute works out the performance of the rows in b, all in asset, with
// days counted in loc. wallet is the current wallet balance, from which the
// equity curve is walked back.
func Compute(b *Book, asset, wallet string, loc *time.Location) (Performance, error) {
	p := Performance{Asset: asset, Zone: loc.String()}
	var total sums
	bySym := map[string]*sums{}
	byDay := map[string]*sums{}
	var rows []Income
	for _, r := range b.Income {
		if r.Asset != asset {
			continue
		}
		rows = append(rows, r)
		if err := total.add(r); err != nil {
			return p, err
		}
		if r.Symbol != "" {
			get(bySym, r.Symbol).add(r)
		}
		get(byDay, time.UnixMilli(r.Time).In(loc).Format(time.DateOnly)).add(r)
	}
	p.Total = total.out()
	for _, k := range sortedKeys(bySym) {
		p.BySymbol = append(p.BySymbol, SymbolSums{k, bySym[k].out()})
	}
	for _, k := range sortedKeys(byDay) {
		p.ByDay = append(p.ByDay, DaySums{k, byDay[k].out()})
	}
	if len(rows) > 0 {
		p.From, p.To = rows[0].Time, rows[len(rows)-1].Time
	}
	if err := p.closedTrades(b); err != nil {
		return p, err
	}
	return p, p.curves(rows, wallet)
}

// closedTrades counts the fills that realized something, and sums their
// profits and losses for the profit factor.
func (p *Performance) closedTrades(b *Book) error {
	profit, loss := decimal.Zero, decimal.Zero
	for _, ts := range b.Trades {
		for _, t := range ts {
			v, err := Parse(t.RealizedPnl)
			if err != nil {
				return fmt.Errorf("trade %d: %w", t.ID, err)
			}
			switch v.Sign() {
			case 1:
				p.Wins++
				profit = profit.Add(v)
			case -1:
				p.Losses++
				loss = loss.Add(v.Neg())
			}
		}
	}
	p.ClosedTrades = p.Wins + p.Losses
	if p.ClosedTrades > 0 {
		r := decimal.NewFromInt(int64(p.Wins)).DivRound(
			decimal.NewFromInt(int64(p.ClosedTrades)), ratioPlaces+2)
		p.WinRate = ptr(Round(r, ratioPlaces))
	}
	if loss.Sign() > 0 {
		p.ProfitFactor = ptr(Round(profit.DivRound(loss, ratioPlaces+2), ratioPlaces))
	}
	return nil
}

// curves walks the wallet back from its current balance to before the
// first row, then forward: the equity curve with transfers, and the
// drawdown of the result curve without them.
func (p *Performance) curves(rows []Income, wallet string) error {
	w, err := Parse(wallet)
	if err != nil {
		return fmt.Errorf("wallet balance: %w", err)
	}
	start := w
	for _, r := range rows {
		start = start.Sub(MustParse(r.Income))
	}
	p.StartEquity = start.String()
	equity, result := start, start
	peak, worst := start, decimal.Zero
	var worstPeak decimal.Decimal
	for _, r := range rows {
		v := MustParse(r.Income)
		equity = equity.Add(v)
		p.Equity = append(p.Equity, Point{r.Time, equity.String()})
		if r.IncomeType == "TRANSFER" {
			continue
		}
		result = result.Add(v)
		if result.GreaterThan(peak) {
			peak = result
		}
		if dd := peak.Sub(result); dd.GreaterThan(worst) {
			worst, worstPeak = dd, peak
		}
	}
	p.MaxDrawdown = worst.String()
	if worst.Sign() > 0 && worstPeak.Sign() > 0 {
		p.MaxDrawdownPct = ptr(Round(worst.DivRound(worstPeak, ratioPlaces+2), ratioPlaces))
	}
	return nil
}

func get(m map[string]*sums, k string) *sums {
	if m[k] == nil {
		m[k] = &sums{}
	}
	return m[k]
}

func sortedKeys(m map[string]*sums) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func ptr(s string) *string { return &s }
