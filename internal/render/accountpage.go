package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html/template"
	"sync"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	ecrender "github.com/go-echarts/go-echarts/v2/render"

	"snapshotter/internal/account"
)

// accountTemplate is parsed once, on the first account page.
var accountTemplate = sync.OnceValues(func() (*template.Template, error) {
	return parsePage("account.html")
})

// accountRefresh is how often, in seconds, the account page reloads.
const accountRefresh = 30

// latestTrades is how many trades the page lists; trades.json has all.
const latestTrades = 50

type figure struct{ Label, Value, Class string }

type positionRow struct {
	Symbol, Chart, Side, SideClass, Size, Entry, Mark string
	Pnl, PnlClass, Leverage, Liquidation, Distance    string
}

type tradeRow struct {
	Time, Symbol, Side, SideClass, Price, Qty, Pnl, PnlClass, Fee string
}

type orderRow struct {
	Symbol, Side, Type, Price, OrigQty, ExecutedQty, Placed string
}

type accountPage struct {
	Title, Script, Zone, Profile, FetchedAt string
	// Refresh is how often, in seconds, the page reloads itself.
	Refresh                          int
	Version, Generated               string
	Privacy                          bool
	Summary, Performance             []figure
	Definitions                      string
	Positions                        []positionRow
	Orders                           []orderRow
	Trades                           []tradeRow
	TradeCount                       int
	EquityChart, DailyChart, Scripts template.HTML
}

// accountHTML builds account.html from the view, after privateCopy when
// privacy is on.
func (r *Renderer) accountHTML(v AccountView, f accountFile) ([]byte, error) {
	tpl, err := accountTemplate()
	if err != nil {
		return nil, err
	}
	p := accountPage{Title: "snapshotter account", Script: r.script, Zone: r.zone(),
		Profile: v.Profile, FetchedAt: r.clock(v.FetchedAt), Version: r.version,
		Generated: r.clock(v.FetchedAt), Privacy: v.Privacy, TradeCount: len(v.Trades),
		Refresh: accountRefresh}
	p.Summary = r.summaryFigures(f, v.Privacy)
	p.Performance, p.Definitions = performanceFigures(v.Performance, v.Privacy)
	for _, pos := range f.Positions {
		p.Positions = append(p.Positions, r.positionRow(pos, v.Privacy))
	}
	for _, o := range v.Orders {
		p.Orders = append(p.Orders, orderRow{o.Symbol, o.Side, o.Type, o.Price, o.OrigQty,
			o.ExecutedQty, r.label(o.Time)})
	}
	for i := len(v.Trades) - 1; i >= 0 && len(p.Trades) < latestTrades; i-- {
		t := v.Trades[i]
		p.Trades = append(p.Trades, tradeRow{Time: r.label(t.Time), Symbol: t.Symbol,
			Side: t.Side, SideClass: sideClass(t.Side), Price: t.Price, Qty: t.Qty,
			Pnl: t.RealizedPnl, PnlClass: signClass(t.RealizedPnl), Fee: t.Commission + " " +
				t.CommissionAsset})
	}
	if err := r.accountChartsOf(&p, v.Performance); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := tpl.Execute(&b, p); err != nil {
		return nil, fmt.Errorf("account page: %w", err)
	}
	return b.Bytes(), nil
}

func (r *Renderer) summaryFigures(f accountFile, private bool) []figure {
	if private {
		u := f.Summary["unrealized_profit_pct"]
		return []figure{{"unrealized PnL, % of equity", u, signClass(u)}}
	}
	s := f.Summary
	return []figure{
		{"margin balance", s["total_margin_balance"], ""},
		{"wallet balance", s["total_wallet_balance"], ""},
		{"unrealized PnL", s["total_unrealized_profit"], signClass(s["total_unrealized_profit"])},
		{"available", s["available_balance"], ""},
	}
}

func (r *Renderer) positionRow(p PositionView, private bool) positionRow {
	row := positionRow{Symbol: p.Symbol, Side: p.Side, Entry: p.EntryPrice,
		Mark: p.MarkPrice, Leverage: p.Leverage + "×", Liquidation: p.LiquidationPrice,
		Size: p.Amount, Pnl: p.UnrealizedProfit, Distance: "–"}
	row.SideClass = "pos"
	if p.Side == "SHORT" {
		row.SideClass = "neg"
	}
	if private {
		row.Size, row.Pnl = deref(p.NotionalPct), deref(p.UnrealizedProfitPct)
	}
	row.PnlClass = signClass(row.Pnl)
	if p.LiquidationDistance != nil {
		d := account.MustParse(*p.LiquidationDistance)
		row.Distance = account.Round(d.Mul(account.MustParse("100")), 2) + "%"
	}
	// The chart of the symbol at the first configured interval is unknown
	// here; the index lists every chart.
	row.Chart = "index.html"
	return row
}

func performanceFigures(p account.Performance, private bool) ([]figure, string) {
	unit := " " + p.Asset
	if private {
		unit = "%"
	}
	out := []figure{
		{"net PnL", p.Total.Net + unit, signClass(p.Total.Net)},
		{"realized PnL", p.Total.RealizedPnl + unit, signClass(p.Total.RealizedPnl)},
		{"fees", p.Total.Fees + unit, signClass(p.Total.Fees)},
		{"funding", p.Total.Funding + unit, signClass(p.Total.Funding)},
	}
	ratio := func(s *string, pct bool) string {
		if s == nil {
			return "–"
		}
		if pct {
			return account.Round(account.MustParse(*s).Mul(account.MustParse("100")), 2) + "%"
		}
		return *s
	}
	out = append(out,
		figure{"win rate", ratio(p.WinRate, true), ""},
		figure{"profit factor", ratio(p.ProfitFactor, false), ""},
		figure{"max drawdown", p.MaxDrawdown + unit + " (" + ratio(p.MaxDrawdownPct, true) + ")",
			"neg"},
		figure{"closed trades", fmt.Sprint(p.ClosedTrades), ""})
	defs := "Net PnL is realized PnL plus fees plus funding (plus other income such as " +
		"insurance clearance), transfers excluded. A closed trade is a fill that realized " +
		"a profit or a loss; the win rate is the share of them with a profit, the profit " +
		"factor their profits over their losses. The drawdown is the largest fall of the " +
		"wallet, transfers excluded, from an earlier high."
	return out, defs
}

// chartCache keeps the account page's charts while the history they draw
// does not change: the page is rebuilt every run for its positions, but
// the equity curve of a month of income need not be.
type chartCache struct {
	mu                  sync.Mutex
	key                 string
	equity, daily, tail template.HTML
}

// accountChartsOf renders the equity curve and the daily net PnL bars, or
// takes them from the cache when the performance they show is unchanged.
func (r *Renderer) accountChartsOf(p *accountPage, perf account.Performance) error {
	key := fmt.Sprintf("%s|%d|%s|%v", perf.StartEquity, len(perf.Equity),
		lastPoint(perf.Equity), perf.ByDay)
	c := &r.accountCharts
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.key == key {
		p.EquityChart, p.DailyChart, p.Scripts = c.equity, c.daily, c.tail
		return nil
	}
	if err := r.buildAccountCharts(p, perf); err != nil {
		return err
	}
	c.key, c.equity, c.daily, c.tail = key, p.EquityChart, p.DailyChart, p.Scripts
	return nil
}

func lastPoint(ps []account.Point) string {
	if len(ps) == 0 {
		return ""
	}
	return fmt.Sprintf("%d/%s", ps[len(ps)-1].Time, ps[len(ps)-1].Value)
}

// buildAccountCharts renders the equity curve and the daily net PnL bars.
// The values go in as json.Number: the exact decimal strings.
func (r *Renderer) buildAccountCharts(p *accountPage, perf account.Performance) error {
	var labels []string
	var equity []opts.LineData
	for _, pt := range perf.Equity {
		labels = append(labels, r.label(pt.Time))
		equity = append(equity, opts.LineData{Value: json.Number(orZero(pt.Value))})
	}
	line := charts.NewLine()
	line.SetGlobalOptions(smallChart("equity")...)
	line.SetXAxis(labels).AddSeries("equity", equity,
		charts.WithLineChartOpts(opts.LineChart{Step: "end"}))

	var days []string
	var net []opts.BarData
	for _, d := range perf.ByDay {
		days = append(days, d.Day)
		style := &opts.ItemStyle{Color: upColor}
		if account.MustParse(orZero(d.Net)).Sign() < 0 {
			style.Color = downColor
		}
		net = append(net, opts.BarData{Value: json.Number(orZero(d.Net)), ItemStyle: style})
	}
	bar := charts.NewBar()
	bar.SetGlobalOptions(smallChart("daily")...)
	bar.SetXAxis(days).AddSeries("net PnL", net)

	var scripts bytes.Buffer
	eq, err := snippetOf(line)
	if err != nil {
		return err
	}
	dl, err := snippetOf(bar)
	if err != nil {
		return err
	}
	p.EquityChart, p.DailyChart = template.HTML(eq.Element), template.HTML(dl.Element)
	scripts.WriteString(eq.Script)
	scripts.WriteString(dl.Script)
	p.Scripts = template.HTML(scripts.String())
	return nil
}

// snippetOf renders a go-echarts chart's element and script, turning its
// panic on a template failure into an error.
func snippetOf(c interface{ RenderSnippet() ecrender.ChartSnippet }) (
	snip ecrender.ChartSnippet, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("render chart: %v", p)
		}
	}()
	return c.RenderSnippet(), nil
}

func smallChart(id string) []charts.GlobalOpts {
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{ChartID: id, Width: "100%",
			Height: "280px", AssetsHost: assetsHost}),
		charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithTooltipOpts(opts.Tooltip{Show: opts.Bool(true), Trigger: "axis"}),
		charts.WithYAxisOpts(opts.YAxis{Scale: opts.Bool(true),
			AxisLabel: &opts.AxisLabel{Color: axisColor},
			SplitLine: &opts.SplitLine{Show: opts.Bool(true),
				LineStyle: &opts.LineStyle{Color: gridColor}}}),
		charts.WithXAxisOpts(opts.XAxis{AxisLabel: &opts.AxisLabel{Color: axisColor}}),
		charts.WithGridOpts(opts.Grid{Left: "60", Right: "16", Top: "16", Bottom: "40"}),
	}
}

func signClass(s string) string {
	d, err := account.Parse(s)
	switch {
	case s == "" || err != nil:
		return ""
	case d.Sign() > 0:
		return "pos"
	case d.Sign() < 0:
		return "neg"
	}
	return ""
}

func sideClass(side string) string {
	if side == "SELL" {
		return "neg"
	}
	return "pos"
}

func orZero(s string) string {
	if s == "" {
		return "0"
	}
	return s
}

func deref(s *string) string {
	if s == nil {
		return "–"
	}
	return *s
}
