package account

import (
	"sort"
	"time"
)

// Book is the account's history as fetched so far: trades per symbol and
// income rows, each without duplicates, oldest first, and how far each has
// been read. It is what the daemon keeps in its state folder.
type Book struct {
	// Trades maps a symbol to its trades, ascending by id, ids unique.
	Trades map[string][]Trade `json:"trades"`
	// Income is every income row, ascending by time, unique by Key.
	Income []Income `json:"income"`
	// TradesRead maps a symbol to the time, in epoch ms, up to which its
	// trades have been read by time window; 0 means never.
	TradesRead map[string]int64 `json:"trades_read"`
	// IncomeFrom is the startTime of the next income call, epoch ms.
	IncomeFrom int64 `json:"income_from"`
	// Snapshot is the last account answer and when it came.
	Snapshot   *Snapshot `json:"snapshot,omitempty"`
	SnapshotAt time.Time `json:"snapshot_at"`
}

// AddTrades merges trades of one symbol, keyed by id, and reports how many
// were new. A trade seen again replaces the stored one.
func (b *Book) AddTrades(symbol string, ts []Trade) int {
	if b.Trades == nil {
		b.Trades = map[string][]Trade{}
	}
	byID := make(map[int64]int, len(b.Trades[symbol]))
	all := b.Trades[symbol]
	for i, t := range all {
		byID[t.ID] = i
	}
	added := 0
	for _, t := range ts {
		if i, ok := byID[t.ID]; ok {
			all[i] = t
			continue
		}
		byID[t.ID] = len(all)
		all = append(all, t)
		added++
	}
	sort.Slice(all, func(i, j int) bool { return all[i].ID < all[j].ID })
	b.Trades[symbol] = all
	return added
}

// LastTrade returns the symbol's newest trade, if any.
func (b *Book) LastTrade(symbol string) (Trade, bool) {
	ts := b.Trades[symbol]
	if len(ts) == 0 {
		return Trade{}, false
	}
	return ts[len(ts)-1], true
}

// AddIncome merges income rows, keyed by type and tranId, and reports how
// many were new. Pages with inclusive bounds overlap at their edges; the
// overlap is dropped here.
func (b *Book) AddIncome(rows []Income) int {
	seen := make(map[string]bool, len(b.Income))
	for _, r := range b.Income {
		seen[r.Key()] = true
	}
	added := 0
	for _, r := range rows {
		if seen[r.Key()] {
			continue
		}
		seen[r.Key()] = true
		b.Income = append(b.Income, r)
		added++
	}
	sort.SliceStable(b.Income, func(i, j int) bool { return b.Income[i].Time < b.Income[j].Time })
	return added
}

// ActiveSymbols returns the symbols whose trades must be read: those with a
// commission or realized PnL row newer than their newest stored trade, and
// those whose position changed after it. Symbols never read by time window
// are included when they have any such row.
func (b *Book) ActiveSymbols(positions []Position) []string {
	newest := func(sym string) int64 {
		if t, ok := b.LastTrade(sym); ok {
			return t.Time
		}
		return b.TradesRead[sym]
	}
	set := map[string]bool{}
	for _, r := range b.Income {
		if r.Symbol == "" || (r.IncomeType != "COMMISSION" && r.IncomeType != "REALIZED_PNL") {
			continue
		}
		if r.Time > newest(r.Symbol) {
			set[r.Symbol] = true
		}
	}
	for _, p := range positions {
		if p.UpdateTime > 0 && p.UpdateTime > newest(p.Symbol) && !IsFlat(p) {
			set[p.Symbol] = true
		}
	}
	out := make([]string, 0, len(set))
	for s := range set {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

// IsFlat reports whether a position holds nothing, comparing the amount as
// a number: "0", "0.000" and "-0.0" are all flat.
func IsFlat(p Position) bool {
	d, err := Parse(p.PositionAmt)
	return err == nil && d.IsZero()
}

// Trim drops trades and income older than from, epoch ms, keeping the
// book within the configured history.
func (b *Book) Trim(from int64) {
	for sym, ts := range b.Trades {
		i := sort.Search(len(ts), func(i int) bool { return ts[i].Time >= from })
		b.Trades[sym] = append([]Trade(nil), ts[i:]...)
	}
	i := sort.Search(len(b.Income), func(i int) bool { return b.Income[i].Time >= from })
	b.Income = append([]Income(nil), b.Income[i:]...)
}
