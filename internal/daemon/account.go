package daemon

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"snapshotter/internal/account"
	"snapshotter/internal/config"
	"snapshotter/internal/fetch"
	"snapshotter/internal/render"
	"snapshotter/internal/status"
)

// accountJob keeps the account's published files up to date: balances and
// positions every run, income every IncomeEvery, and the trades of the
// symbols that show activity.
type accountJob struct {
	jobState
	cfg  config.Account
	priv *fetch.Private

	// Touched only by the job's own run, one at a time.
	book       account.Book
	loaded     bool
	lastIncome time.Time
	// details are the last positionRisk answer and open orders, read again
	// only when the open positions change or income is due: mark prices
	// follow from the account answer's notional meanwhile.
	risk      []account.Position
	orders    []account.Order
	openKey   string
	published string // the history last published, see historyKey
	// perf and trades are computed from the history published last;
	// they are worked out again only when historyKey changes.
	perf   account.Performance
	trades []account.Trade
}

// accountName is the account job's name in logs and status.
const accountName = "account"

// incomeOverlap is how far back each income call reaches before the time
// the previous one ended: rows are sometimes booked with a time slightly
// before they appear. Overlapping rows are dropped by the book.
const incomeOverlap = 5 * time.Minute

func (j *accountJob) name() string { return accountName }

func (j *accountJob) run(ctx context.Context, d *Daemon) (result, error) {
	return d.runAccount(ctx, j)
}

func (j *accountJob) succeeded(d *Daemon, st *status.Job, res result, took time.Duration) {
	st.Candles = 0
	d.log.Info("account run", "requests", res.requests, "weight", res.weight,
		"new_trades", res.added, "new_income", res.received, "took", took)
}

// counted wraps a private call, adding its request and weight to res when
// it was sent.
func counted(res *result, weight int, err error) error {
	if err == nil || !notSent(err) {
		res.requests++
		res.weight += weight
	}
	return err
}

// runAccount reads the account and publishes it. The book is saved after
// every step that added to it, so a failure part way loses nothing.
func (d *Daemon) runAccount(ctx context.Context, j *accountJob) (result, error) {
	var res result
	if !j.loaded {
		if err := d.store.LoadJSON("account.json", &j.book); err != nil {
			d.log.Error("load account cache; reading the history again", "err", err)
			j.book = account.Book{}
		}
		j.loaded = true
	}
	now := d.client.Now()
	snap, err := j.priv.Account(ctx)
	if err := counted(&res, 5, err); err != nil {
		return res, err
	}
	open := openPositions(snap.Positions)
	incomeDue := j.lastIncome.IsZero() || now.Sub(j.lastIncome) >= j.cfg.IncomeEvery.Duration
	details := incomeDue || positionsKey(open) != j.openKey
	if details && len(open) > 0 {
		risk, err := j.priv.PositionRisk(ctx)
		if err := counted(&res, 5, err); err != nil {
			return res, err
		}
		j.risk = risk
	}
	if len(open) == 0 {
		j.risk = nil
	}
	// A positionRisk answer read in an earlier run gives liquidation
	// prices; its mark prices are old, so the mark comes from this run's
	// notional instead.
	mergeRisk(open, j.risk, details)
	snap.Positions = open
	j.book.Snapshot, j.book.SnapshotAt = &snap, now.UTC()

	if incomeDue {
		n, err := d.syncIncome(ctx, j, now, &res)
		res.received += n
		d.saveBook(j)
		if err != nil {
			return res, err
		}
		j.lastIncome = now
	}
	for _, sym := range j.book.ActiveSymbols(open) {
		n, err := d.syncTrades(ctx, j, sym, now, &res)
		res.added += n
		d.saveBook(j)
		if err != nil {
			return res, err
		}
	}
	if details {
		orders, err := d.openOrders(ctx, j, open, &res)
		if err != nil {
			return res, err
		}
		j.orders = orders
		j.openKey = positionsKey(open)
	}
	j.book.Trim(now.Add(-j.cfg.History.Duration).UnixMilli())
	d.saveBook(j)
	d.setMarks(&j.book, open)
	key := historyKey(&j.book)
	v := d.accountView(j, j.orders, key == j.published)
	if err := d.pub.Account(v); err != nil {
		return res, &fetch.Error{Class: fetch.ClassInternal, Msg: "publish: " + err.Error()}
	}
	j.published = key
	return res, nil
}

// syncIncome reads income rows from where the last call ended (minus an
// overlap) to now, page by page: the bounds are inclusive, so each page
// starts at the previous page's last time and the book drops the repeat.
func (d *Daemon) syncIncome(ctx context.Context, j *accountJob, now time.Time,
	res *result) (int, error) {
	start := time.UnixMilli(j.book.IncomeFrom)
	backfill := j.book.IncomeFrom == 0
	if backfill {
		start = now.Add(-j.cfg.History.Duration)
	}
	rctx := ctx
	if backfill {
		rctx = fetch.Background(ctx)
	}
	added := 0
	for page := 0; ; page++ {
		rows, err := j.priv.Income(rctx, start, now)
		if err := counted(res, 30, err); err != nil {
			return added, err
		}
		added += j.book.AddIncome(rows)
		if len(rows) < fetch.MaxIncomePage {
			next := now.Add(-incomeOverlap)
			if n := len(rows); n > 0 && time.UnixMilli(rows[n-1].Time).After(next) {
				next = time.UnixMilli(rows[n-1].Time)
			}
			if next.After(start) {
				start = next
			}
			break
		}
		last := time.UnixMilli(rows[len(rows)-1].Time)
		if !last.After(start) {
			// A whole page in one millisecond: step past it rather than
			// asking for the same page for ever.
			last = start.Add(time.Millisecond)
		}
		start = last
		if page > 1000 {
			return added, errors.New("income paging did not end after 1000 pages")
		}
	}
	j.book.IncomeFrom = start.UnixMilli()
	return added, nil
}

// syncTrades reads a symbol's new trades: by id after its newest stored
// trade, or, when none is stored, by windows of at most 7 days from where
// the last walk ended (or the start of the history) to now. A full page is
// followed by id without time bounds, which the exchange forbids to mix;
// an empty window does not end the walk.
func (d *Daemon) syncTrades(ctx context.Context, j *accountJob, sym string, now time.Time,
	res *result) (int, error) {
	if j.book.TradesRead == nil {
		j.book.TradesRead = map[string]int64{}
	}
	added := 0
	if last, ok := j.book.LastTrade(sym); ok {
		n, err := d.tradesFrom(ctx, j, sym, last.ID+1, res)
		return n, err
	}
	from := now.Add(-j.cfg.History.Duration)
	if t := j.book.TradesRead[sym]; t > 0 {
		from = time.UnixMilli(t)
	}
	bg := fetch.Background(ctx)
	for start := from; start.Before(now); {
		end := start.Add(fetch.TradesWindow - time.Millisecond)
		if end.After(now) {
			end = now
		}
		ts, err := j.priv.TradesBetween(bg, sym, start, end)
		if err := counted(res, 5, err); err != nil {
			return added, err
		}
		added += j.book.AddTrades(sym, ts)
		if len(ts) == fetch.MaxTradesPage {
			n, err := d.tradesFrom(bg, j, sym, ts[len(ts)-1].ID+1, res)
			added += n
			if err != nil {
				return added, err
			}
		}
		j.book.TradesRead[sym] = end.UnixMilli()
		start = end.Add(time.Millisecond)
	}
	return added, nil
}

// tradesFrom pages a symbol's trades by id until a page is not full.
func (d *Daemon) tradesFrom(ctx context.Context, j *accountJob, sym string, from int64,
	res *result) (int, error) {
	added := 0
	for page := 0; page < 1000; page++ {
		ts, err := j.priv.TradesFrom(ctx, sym, from)
		if err := counted(res, 5, err); err != nil {
			return added, err
		}
		added += j.book.AddTrades(sym, ts)
		if len(ts) < fetch.MaxTradesPage {
			return added, nil
		}
		from = ts[len(ts)-1].ID + 1
	}
	return added, fmt.Errorf("trades of %s: paging did not end after 1000 pages", sym)
}

// openOrders reads the open orders of the symbols with a position: weight
// 1 each, where asking for every symbol at once would cost 40.
func (d *Daemon) openOrders(ctx context.Context, j *accountJob, open []account.Position,
	res *result) ([]account.Order, error) {
	var out []account.Order
	seen := map[string]bool{}
	for _, p := range open {
		if seen[p.Symbol] {
			continue
		}
		seen[p.Symbol] = true
		os, err := j.priv.OpenOrders(ctx, p.Symbol)
		if err := counted(res, 1, err); err != nil {
			return nil, err
		}
		out = append(out, os...)
	}
	return out, nil
}

func (d *Daemon) saveBook(j *accountJob) {
	if err := d.store.SaveJSON("account.json", &j.book); err != nil {
		d.log.Error("save account cache; the next run reads again", "err", err)
	}
}

// positionsKey identifies the open positions: their symbols, sides and
// amounts. A change means a fill, so the details are read again.
func positionsKey(open []account.Position) string {
	var b strings.Builder
	for _, p := range open {
		fmt.Fprintf(&b, "%s/%s/%s;", p.Symbol, p.PositionSide, p.PositionAmt)
	}
	return b.String()
}

// historyKey identifies the stored history: the number of trades and
// income rows and the newest of each. While it stays the same, the history
// files need not be built again.
func historyKey(b *account.Book) string {
	var trades int
	var newest int64
	for _, ts := range b.Trades {
		trades += len(ts)
		if n := len(ts); n > 0 && ts[n-1].Time > newest {
			newest = ts[n-1].Time
		}
	}
	var last int64
	if n := len(b.Income); n > 0 {
		last = b.Income[n-1].Time
	}
	return fmt.Sprintf("%d/%d/%d/%d", trades, newest, len(b.Income), last)
}

// openPositions keeps the positions that hold something.
func openPositions(ps []account.Position) []account.Position {
	var out []account.Position
	for _, p := range ps {
		if !account.IsFlat(p) {
			out = append(out, p)
		}
	}
	return out
}

// mergeRisk fills mark and liquidation prices, and whatever else the
// account answer lacked, from positionRisk.
func mergeRisk(open []account.Position, risk []account.Position, withMark bool) {
	for i := range open {
		p := &open[i]
		for _, r := range risk {
			if r.Symbol != p.Symbol || r.PositionSide != p.PositionSide {
				continue
			}
			fill := func(dst *string, v string) {
				if *dst == "" {
					*dst = v
				}
			}
			if withMark {
				fill(&p.MarkPrice, r.MarkPrice)
			}
			fill(&p.LiquidationPrice, r.LiquidationPrice)
			fill(&p.EntryPrice, r.EntryPrice)
			fill(&p.Leverage, r.Leverage)
			fill(&p.Notional, r.Notional)
			fill(&p.UnrealizedProfit, r.UnrealizedProfit)
		}
	}
}

// accountView gathers what the account's files show. Performance is in
// the margin asset: the asset with the largest wallet balance. With the
// history unchanged since the last publish, the performance and the trade
// list are the ones computed then: the wallet moves only with income rows.
func (d *Daemon) accountView(j *accountJob, orders []account.Order,
	unchanged bool) render.AccountView {
	snap := j.book.Snapshot
	v := render.AccountView{FetchedAt: j.book.SnapshotAt, Profile: j.cfg.Profile,
		Privacy: d.cfg.Privacy.Percentages, Snapshot: *snap, Orders: orders,
		Income: j.book.Income, HistoryUnchanged: unchanged}
	if !unchanged || j.trades == nil {
		j.perf, j.trades = d.history(j)
	}
	v.Performance, v.Trades = j.perf, j.trades
	return v
}

// history computes the performance and the time-ordered trade list.
func (d *Daemon) history(j *accountJob) (account.Performance, []account.Trade) {
	asset, wallet := marginAsset(j.book.Snapshot.Assets)
	loc, err := time.LoadLocation(d.cfg.Output.Timezone)
	if err != nil {
		loc = time.UTC
	}
	perf, err := account.Compute(&j.book, asset, wallet, loc)
	if err != nil {
		d.log.Error("compute performance", "err", err)
	}
	trades := []account.Trade{}
	for _, ts := range j.book.Trades {
		trades = append(trades, ts...)
	}
	sort.Slice(trades, func(a, b int) bool {
		if trades[a].Time != trades[b].Time {
			return trades[a].Time < trades[b].Time
		}
		return trades[a].ID < trades[b].ID
	})
	return perf, trades
}

// marginAsset returns the asset with the largest wallet balance, USDT when
// every balance is zero.
func marginAsset(assets []account.Balance) (asset, wallet string) {
	asset, wallet = "USDT", "0"
	best := account.MustParse("0")
	for _, b := range assets {
		w, err := account.Parse(b.WalletBalance)
		if err == nil && w.GreaterThan(best) {
			best, asset, wallet = w, b.Asset, b.WalletBalance
		}
	}
	return asset, wallet
}

// setMarks keeps the account's fills and entry prices for the charts; a
// chart picks them up the next time it is published.
func (d *Daemon) setMarks(b *account.Book, open []account.Position) {
	fills := make(map[string][]render.Fill, len(b.Trades))
	for sym, ts := range b.Trades {
		fs := make([]render.Fill, len(ts))
		for i, t := range ts {
			fs[i] = render.Fill{Time: t.Time, Side: t.Side, Price: t.Price}
		}
		fills[sym] = fs
	}
	entries := map[string]string{}
	for _, p := range open {
		if e, err := account.Parse(p.EntryPrice); err == nil && e.Sign() > 0 {
			entries[p.Symbol] = p.EntryPrice
		}
	}
	d.marksMu.Lock()
	defer d.marksMu.Unlock()
	d.fills, d.entries = fills, entries
}

// marksFor returns a symbol's fills and the entry price of its open
// position, "" without one.
func (d *Daemon) marksFor(symbol string) ([]render.Fill, string) {
	d.marksMu.Lock()
	defer d.marksMu.Unlock()
	return d.fills[symbol], d.entries[symbol]
}
