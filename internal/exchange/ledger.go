package exchange

import (
	"sort"
	"time"

	"github.com/shopspring/decimal"
)

// ledger is an account's history as far as it has been computed: every
// income row up to upTo, oldest first, each with the wallet balance after
// it. History before upTo never changes, so the ledger only grows; a
// query at an earlier time reads the rows up to that time.
type ledger struct {
	acct      *privateAccount
	upTo      time.Time
	deposited bool
	income    []incomeRow
}

func newLedger(a *privateAccount) *ledger { return &ledger{acct: a} }

// advance computes the history up to and including now. The deposit comes
// first: it is the account's first income row, so the wallet balance is
// exactly the sum of all rows.
func (l *ledger) advance(now time.Time) {
	if l.deposited && !now.After(l.upTo) {
		return
	}
	a := l.acct
	var rows []incomeRow
	if !l.deposited {
		if now.Before(a.Start) {
			return
		}
		l.deposited = true
		rows = append(rows, incomeRow{kind: incomeTransfer, amount: a.deposit,
			t: a.Start, tranID: transferTran - int64(hash(uint64(a.Seed), 30)%1_000_000)})
	}
	for _, b := range a.books {
		rows = append(rows, b.advance(now)...)
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].t.Before(rows[j].t) })

	wallet := l.walletAt(l.upTo)
	for i := range rows {
		wallet = wallet.Add(rows[i].amount)
		rows[i].wallet = wallet
	}
	l.income = append(l.income, rows...)
	l.upTo = now
}

// rowsUpTo is how many income rows are at or before now.
func (l *ledger) rowsUpTo(now time.Time) int {
	return sort.Search(len(l.income), func(i int) bool { return l.income[i].t.After(now) })
}

// walletAt is the wallet balance at now: the sum of the income so far.
func (l *ledger) walletAt(now time.Time) decimal.Decimal {
	n := l.rowsUpTo(now)
	if n == 0 {
		return decimal.Zero
	}
	return l.income[n-1].wallet
}

// lastIncome is the time of the newest income row at or before now.
func (l *ledger) lastIncome(now time.Time) time.Time {
	if n := l.rowsUpTo(now); n > 0 {
		return l.income[n-1].t
	}
	return time.Time{}
}

// fillsUpTo returns a book's fills at or before now.
func (b *book) fillsUpTo(now time.Time) []fill {
	n := sort.Search(len(b.fills), func(i int) bool { return b.fills[i].t.After(now) })
	return b.fills[:n]
}

// position is one symbol's position at a moment, with what follows from
// the market price then.
type position struct {
	b         *book
	amt, cost decimal.Decimal
	mark      decimal.Decimal
	updated   time.Time // last fill; zero when never traded
	order     *openOrder
}

// entry is the average entry price, cost/amt, to 8 places; zero when flat.
func (p position) entry() decimal.Decimal {
	if p.amt.IsZero() {
		return decimal.Zero
	}
	return p.cost.DivRound(p.amt, 8)
}

// notional is the signed value of the position at the mark price.
func (p position) notional() decimal.Decimal { return p.mark.Mul(p.amt) }

// unrealized is mark × amt − cost: what closing at the mark would realize.
func (p position) unrealized() decimal.Decimal { return p.notional().Sub(p.cost) }

// initialMargin is |notional| / leverage.
func (p position) initialMargin() decimal.Decimal {
	return p.notional().Abs().DivRound(decimal.NewFromInt(int64(p.b.leverage)), 8)
}

// maintRate is the maintenance margin rate every position is charged: the
// exchange's lowest bracket, roughly.
var maintRate = decimal.New(4, -3)

func (p position) maintMargin() decimal.Decimal {
	return p.notional().Abs().Mul(maintRate).Round(8)
}

// liquidation is a rough liquidation price: the entry moved against the
// position by the margin share left above maintenance. Zero when flat.
func (p position) liquidation() decimal.Decimal {
	if p.amt.IsZero() {
		return decimal.Zero
	}
	move := decimal.NewFromInt(1).DivRound(decimal.NewFromInt(int64(p.b.leverage)), 8).
		Sub(maintRate)
	if p.amt.Sign() > 0 {
		return p.entry().Mul(decimal.NewFromInt(1).Sub(move)).Round(8)
	}
	return p.entry().Mul(decimal.NewFromInt(1).Add(move)).Round(8)
}

// state is the account at one moment: wallet, positions and open orders.
type state struct {
	now       time.Time
	wallet    decimal.Decimal
	updated   time.Time // newest income row
	positions []position
}

// stateAt computes the account at now. The caller must hold a.mu.
func (a *privateAccount) stateAt(now time.Time) state {
	l := a.history(now)
	st := state{now: now, wallet: l.walletAt(now), updated: l.lastIncome(now)}
	for _, b := range a.books {
		p := position{b: b, amt: decimal.Zero, cost: decimal.Zero}
		if fs := b.fillsUpTo(now); len(fs) > 0 {
			last := fs[len(fs)-1]
			p.amt, p.cost, p.updated = last.amt, last.cost, last.t
			p.order = b.restingOrder(last, now)
		}
		p.mark = b.m.markPrice(now)
		st.positions = append(st.positions, p)
	}
	return st
}

// sum adds one figure over the positions.
func (st state) sum(of func(position) decimal.Decimal) decimal.Decimal {
	total := decimal.Zero
	for _, p := range st.positions {
		total = total.Add(of(p))
	}
	return total
}

// unrealized is the sum of the positions' unrealized profits.
func (st state) unrealized() decimal.Decimal { return st.sum(position.unrealized) }

// positionMargin is the initial margin the positions hold.
func (st state) positionMargin() decimal.Decimal { return st.sum(position.initialMargin) }

// orderMargin is the initial margin the open orders hold; reduce-only
// orders hold none.
func (st state) orderMargin() decimal.Decimal { return st.sum(position.orderMargin) }

// maintMargin is the maintenance margin the positions need.
func (st state) maintMargin() decimal.Decimal { return st.sum(position.maintMargin) }

// marginBalance is the wallet plus the unrealized profit.
func (st state) marginBalance() decimal.Decimal { return st.wallet.Add(st.unrealized()) }

// available is the margin balance less the margin in use, never below
// zero.
func (st state) available() decimal.Decimal {
	v := st.marginBalance().Sub(st.positionMargin()).Sub(st.orderMargin())
	if v.Sign() < 0 {
		return decimal.Zero
	}
	return v
}

// maxWithdraw is what may leave the account: the available balance, but
// no unrealized profit.
func (st state) maxWithdraw() decimal.Decimal {
	return decimal.Min(st.available(), decimal.Max(st.wallet, decimal.Zero))
}

// openOrder is a limit order resting on the book.
type openOrder struct {
	id         int64
	clientID   string
	buy        bool
	reduceOnly bool
	price, qty decimal.Decimal
	t          time.Time
}

// restingOrder is the limit order the account leaves after its last fill
// on a symbol, placed 5 to 60 seconds later: a take-profit 1.5% away for
// an open position, or a buy 2% under the price when flat. Nil before it
// is placed. It never fills; the next order of the script replaces it.
func (b *book) restingOrder(last fill, now time.Time) *openOrder {
	h := hash(b.seed, 40, last.id)
	t := last.t.Add(5*time.Second + time.Duration(h%55_000)*time.Millisecond)
	if t.After(now) {
		return nil
	}
	pp := int32(b.m.PricePrecision)
	price := decimal.RequireFromString(last.price)
	o := &openOrder{id: last.orderID + 1 + int64(hash(h, 1)%500), t: t,
		clientID: "web_" + base36(hash(h, 2))}
	switch {
	case last.amt.Sign() > 0:
		o.price = price.Mul(decimal.New(1015, -3)).Round(pp)
		o.qty, o.reduceOnly = last.amt, true
	case last.amt.Sign() < 0:
		o.price = price.Mul(decimal.New(985, -3)).Round(pp)
		o.qty, o.reduceOnly, o.buy = last.amt.Abs(), true, true
	default:
		o.price = price.Mul(decimal.New(98, -2)).Round(pp)
		o.qty, o.buy = b.size(h, o.price), true
	}
	if o.price.Sign() <= 0 {
		return nil
	}
	return o
}

// base36 spells h in lower-case letters and digits, as client order ids
// look.
func base36(h uint64) string {
	const digits = "0123456789abcdefghijklmnopqrstuvwxyz"
	var out [13]byte
	for i := range out {
		out[i] = digits[h%36]
		h /= 36
	}
	return string(out[:])
}
