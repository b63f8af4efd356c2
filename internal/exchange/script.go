package exchange

import (
	"time"

	"github.com/shopspring/decimal"

	"snapshotter/internal/kline"
)

// The script an Account follows. Each traded symbol has its own schedule:
// an order every 7 to 40 minutes from shortly after Start, except in a
// quiet spell from day 12 to day 21 of every 40 days after Start, which
// leaves whole weeks without trades as real accounts have. An order opens
// a position when flat, else adds to it, reduces it or closes it; it never
// flips the side in one go. A quarter of the orders fill in two parts at
// the same time and price. Prices are the market's minute candle opens, so
// the account's trades sit on the klines the server serves.
const (
	minGap        = 7  // minutes between orders, at least
	gapSpread     = 34 // minutes added to minGap, at most 33
	cycle         = 40 * 24 * time.Hour
	quietFrom     = 12 * 24 * time.Hour
	quietTo       = 21 * 24 * time.Hour
	fundingPeriod = 8 * time.Hour
	maxAdds       = 3
)

// Fees are charged on a fill's quote quantity; takers pay more.
var (
	takerRate = decimal.New(4, -4) // 0.0004
	makerRate = decimal.New(2, -4) // 0.0002
	minOrder  = decimal.NewFromInt(5)
)

// Bases of the ids the account's rows carry. Real tranIds reach past 2^53,
// so funding and transfer ids are kept there to catch clients that read
// them as floats.
const (
	tradeTranBase   = 9_689_322_392_000
	fundingTranBase = 427_980_082_597_228_605
	transferTran    = 8_082_457_372_019_390_060
)

// Income types the script produces.
const (
	incomeTransfer    = "TRANSFER"
	incomeRealizedPnl = "REALIZED_PNL"
	incomeCommission  = "COMMISSION"
	incomeFunding     = "FUNDING_FEE"
)

// fill is one of the account's trades.
type fill struct {
	id, orderID int64
	t           time.Time
	buy, maker  bool
	reduces     bool   // the fill made the position smaller
	price       string // the market's candle price, byte for byte
	qty         decimal.Decimal
	quote       decimal.Decimal // price × qty, exact
	pnl         decimal.Decimal // realized, rounded to 8 places
	fee         decimal.Decimal // rounded to 8 places
	amt, cost   decimal.Decimal // the position after the fill
}

// incomeRow is one row of the income history.
type incomeRow struct {
	symbol  string
	kind    string
	amount  decimal.Decimal
	t       time.Time
	tranID  int64
	tradeID int64           // 0 when the row has no trade
	wallet  decimal.Decimal // wallet balance after this row
}

// book plays one symbol of an account's script and keeps what it led to.
// amt is the signed position; cost is the signed sum of price × quantity
// still in it, so the entry price is cost/amt and the unrealized profit
// mark × amt − cost, exactly.
type book struct {
	m        *market
	idx      int // place in Account.Symbols
	seed     uint64
	start    time.Time
	deposit  decimal.Decimal
	leverage int

	nextTrade   time.Time // zero once the market stopped trading
	nextFunding time.Time
	orders      int64 // orders placed so far, the script's step counter
	amt, cost   decimal.Decimal
	adds        int
	tradeID     int64
	orderID     int64

	fills []fill // ascending by time and id
}

func newBook(a *privateAccount, m *market, idx int) *book {
	seed := hash(seedOf(m.Symbol), a.Seed, 7001)
	b := &book{
		m: m, idx: idx, seed: seed, start: a.Start, deposit: a.deposit,
		leverage:    []int{5, 10, 20}[hash(seed, 1)%3],
		tradeID:     100_000_000 + int64(hash(seed, 2)%900_000_000),
		orderID:     1_000_000_000 + int64(hash(seed, 3)%3_000_000_000),
		nextFunding: a.Start.Truncate(fundingPeriod).Add(fundingPeriod),
	}
	first := a.Start.Add(5*time.Minute + time.Duration(hash(seed, 4)%3_300_000)*time.Millisecond)
	b.nextTrade = b.tradable(first)
	return b
}

// advance plays the script up to and including to and returns the income
// rows it produced, oldest first.
func (b *book) advance(to time.Time) []incomeRow {
	var rows []incomeRow
	for {
		trade := !b.nextTrade.IsZero() && !b.nextTrade.After(to)
		fund := b.fundingLive() && !b.nextFunding.After(to)
		switch {
		case fund && (!trade || !b.nextFunding.After(b.nextTrade)):
			rows = append(rows, b.fund()...)
		case trade:
			rows = append(rows, b.order()...)
		default:
			return rows
		}
	}
}

// fundingLive reports whether the next funding time is one the market
// still trades at.
func (b *book) fundingLive() bool {
	d := b.m.Delisted
	return d.IsZero() || b.nextFunding.Before(d)
}

// tradable moves t out of the quiet spell and into the market's life; zero
// means the market will not trade again.
func (b *book) tradable(t time.Time) time.Time {
	if l := b.m.Listed; t.Before(l) {
		t = l.Add(time.Duration(hash(b.seed, 5, b.orders)%600_000) * time.Millisecond)
	}
	into := t.Sub(b.start) % cycle
	if into >= quietFrom && into < quietTo {
		t = t.Add(quietTo - into + time.Duration(hash(b.seed, 6, b.orders)%3_600_000)*
			time.Millisecond)
	}
	if d := b.m.Delisted; !d.IsZero() && !t.Before(d) {
		return time.Time{}
	}
	return t
}

// order places the scheduled order, if the market has a price then, and
// schedules the next one.
func (b *book) order() []incomeRow {
	t := b.nextTrade
	h := hash(b.seed, 10, b.orders)
	b.orders++
	gap := time.Duration(minGap+int64(h%gapSpread))*time.Minute +
		time.Duration(hash(h, 1)%60_000)*time.Millisecond
	b.nextTrade = b.tradable(t.Add(gap))

	price, ok := b.m.tradePrice(t)
	if !ok {
		return nil
	}
	buy, qty := b.decide(h, price)
	if qty.Sign() <= 0 {
		return nil
	}

	b.orderID += 1 + int64(hash(h, 2)%40_000)
	maker := unit(hash(h, 3)) < 0.3
	var rows []incomeRow
	for _, q := range b.split(h, qty) {
		b.tradeID += 1 + int64(hash(h, 4, b.tradeID)%3_000)
		f := b.fill(t, buy, maker, price, q)
		rows = append(rows, b.fillRows(f)...)
	}
	return rows
}

// decide picks the order's side and quantity from the position: open when
// flat; otherwise add (at most maxAdds times), reduce or close.
func (b *book) decide(h uint64, priceStr string) (buy bool, qty decimal.Decimal) {
	price := decimal.RequireFromString(priceStr)
	if b.amt.IsZero() {
		b.adds = 0
		return hash(h, 5)%2 == 0, b.size(h, price)
	}
	long := b.amt.Sign() > 0
	held := b.amt.Abs()
	r := unit(hash(h, 6))
	switch {
	case r < 0.35 && b.adds < maxAdds:
		b.adds++
		return long, b.size(h, price)
	case r < 0.75:
		part := decimal.New(25+int64(hash(h, 7)%51), -2) // 0.25 to 0.75
		q := held.Mul(part).Truncate(int32(b.m.QuantityPrecision))
		if q.Sign() > 0 && q.LessThan(held) {
			return !long, q
		}
	}
	return !long, held
}

// size is a new order's quantity: 4% to 20% of the deposit at price, in
// whole quantity steps, and worth at least the minimum order of 5 USDT.
func (b *book) size(h uint64, price decimal.Decimal) decimal.Decimal {
	qp := int32(b.m.QuantityPrecision)
	share := decimal.New(400+int64(hash(h, 8)%1_601), -4)
	q := b.deposit.Mul(share).DivRound(price, qp+2).Truncate(qp)
	least := minOrder.DivRound(price, qp+8).RoundCeil(qp)
	if step := decimal.New(1, -qp); least.LessThan(step) {
		least = step
	}
	if q.LessThan(least) {
		q = least
	}
	return q
}

// split cuts a quarter of the orders into two fills.
func (b *book) split(h uint64, qty decimal.Decimal) []decimal.Decimal {
	qp := int32(b.m.QuantityPrecision)
	if unit(hash(h, 9)) >= 0.25 {
		return []decimal.Decimal{qty}
	}
	first := qty.Mul(decimal.New(30+int64(hash(h, 10)%41), -2)).Truncate(qp)
	if first.Sign() <= 0 || !first.LessThan(qty) {
		return []decimal.Decimal{qty}
	}
	return []decimal.Decimal{first, qty.Sub(first)}
}

// fill applies one fill to the position. Reducing releases the matching
// share of the cost, rounded to 8 places; closing releases all of it, so
// a flat position holds no cost and realized profits add up exactly.
func (b *book) fill(t time.Time, buy, maker bool, priceStr string,
	qty decimal.Decimal) fill {
	price := decimal.RequireFromString(priceStr)
	signed := qty
	if !buy {
		signed = qty.Neg()
	}
	f := fill{
		id: b.tradeID, orderID: b.orderID, t: t, buy: buy, maker: maker,
		price: priceStr, qty: qty, quote: price.Mul(qty),
	}
	rate := takerRate
	if maker {
		rate = makerRate
	}
	f.fee = f.quote.Mul(rate).Round(8)

	if b.amt.IsZero() || b.amt.Sign() == signed.Sign() {
		b.cost = b.cost.Add(price.Mul(signed))
	} else {
		held := b.amt.Abs()
		released := b.cost
		if qty.LessThan(held) {
			released = b.cost.Mul(qty).DivRound(held, 8)
		}
		// A long sells: qty × price − cost; a short buys: cost − qty × price.
		f.pnl = price.Mul(signed).Neg().Sub(released).Round(8)
		f.reduces = true
		b.cost = b.cost.Sub(released)
	}
	b.amt = b.amt.Add(signed)
	f.amt, f.cost = b.amt, b.cost
	b.fills = append(b.fills, f)
	return f
}

// fillRows are a fill's income rows: its realized profit, when it reduced
// the position by a non-zero amount, and its commission.
func (b *book) fillRows(f fill) []incomeRow {
	tran := tradeTranBase + f.id*1000 + int64(b.idx)
	var rows []incomeRow
	if f.reduces && !f.pnl.IsZero() {
		rows = append(rows, incomeRow{symbol: b.m.Symbol, kind: incomeRealizedPnl,
			amount: f.pnl, t: f.t, tranID: tran, tradeID: f.id})
	}
	if !f.fee.IsZero() {
		rows = append(rows, incomeRow{symbol: b.m.Symbol, kind: incomeCommission,
			amount: f.fee.Neg(), t: f.t, tranID: tran, tradeID: f.id})
	}
	return rows
}

// fund settles the funding at the next funding time: the position pays
// notional × rate at the market's price then (longs pay a positive rate).
// The rate is drawn per symbol and time between -0.005% and 0.025%.
func (b *book) fund() []incomeRow {
	t := b.nextFunding
	b.nextFunding = t.Add(fundingPeriod)
	if b.amt.IsZero() {
		return nil
	}
	p, ok := b.m.tradePrice(t)
	if !ok {
		return nil
	}
	rate := decimal.New(int64(hash(b.seed, 20, t.Unix())%30_001)-5_000, -8)
	amount := decimal.RequireFromString(p).Mul(b.amt).Mul(rate).Neg().Round(8)
	if amount.IsZero() {
		return nil
	}
	tran := fundingTranBase + t.Unix()/int64(fundingPeriod/time.Second)*1000 + int64(b.idx)
	return []incomeRow{{symbol: b.m.Symbol, kind: incomeFunding, amount: amount, t: t,
		tranID: tran}}
}

// tradePrice is the market's price at t as its klines show it: the open
// of the minute candle containing t. False when the market has no candle
// there (before listing, after delisting, in a gap or a recording's hole).
func (m *market) tradePrice(t time.Time) (string, bool) {
	open := t.Truncate(time.Minute)
	if open.Before(m.earliest(kline.Interval("1m"))) || open.After(m.latest(t)) {
		return "", false
	}
	if _, gap := m.gapAt(open); gap {
		return "", false
	}
	c, ok := m.candle("1m", open, t)
	if !ok || !validPrice(c.Open) {
		return "", false
	}
	return c.Open, true
}

// markPrice is the market's current price at now: the close of the open
// minute candle, or of the last one before the market stopped.
func (m *market) markPrice(now time.Time) decimal.Decimal {
	t := m.latest(now)
	c, ok := m.candle("1m", t.Truncate(time.Minute), t)
	if !ok || !validPrice(c.Close) {
		c = m.gen.candle("1m", t.Truncate(time.Minute), t)
	}
	p, err := decimal.NewFromString(c.Close)
	if err != nil {
		return decimal.Zero
	}
	return p
}

func validPrice(s string) bool {
	d, err := decimal.NewFromString(s)
	return err == nil && d.Sign() > 0
}
