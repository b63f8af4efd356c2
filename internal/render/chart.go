package render

import (
	"fmt"

	"github.com/go-echarts/go-echarts/v2/charts"
	"github.com/go-echarts/go-echarts/v2/opts"
	ecrender "github.com/go-echarts/go-echarts/v2/render"
	"github.com/go-echarts/go-echarts/v2/types"

	"snapshotter/internal/kline"
)

// Chart colours. The canvas cannot read the page's CSS variables, so these
// are picked to read on both the light and the dark page background.
const (
	upColor   = "#0ea371"
	downColor = "#e0444c"
	axisColor = "#8a939d"
	gridColor = "rgba(138, 147, 157, 0.22)"

	// volumeOpacity keeps volume bars quieter than the candles; a bar
	// of a candle still open is fainter still.
	volumeOpacity = 0.75
	openOpacity   = 0.4
)

// chartID names the chart's element; a fixed ID keeps pages byte-stable
// where go-echarts would pick a random one.
const chartID = "kline"

// tooltipJS shows one candle from snapshotRows, which the page fills with
// the exchange's own strings: [label, open, high, low, close, volume,
// closed]. Reading them there rather than from the chart keeps "0.0100"
// from turning into 0.01 on screen; snapshotGroup (series.html) only puts
// thousands separators into the integer part.
const tooltipJS = `function (ps) {
	var p = Array.isArray(ps) ? ps[0] : ps;
	var r = p ? snapshotRows[p.dataIndex] : null;
	if (!r) { return ''; }
	var g = snapshotGroup;
	var s = '<b>' + r[0] + '</b> ' + snapshotZone;
	if (!r[6]) { s += ' &middot; <i>open, not closed</i>'; }
	return s + '<br>O ' + g(r[1]) + '<br>H ' + g(r[2]) + '<br>L ' + g(r[3]) +
		'<br>C ' + g(r[4]) + '<br>V ' + g(r[5]);
}`

// priceLabelJS writes the price axis with thousands separators and at most
// the exchange's decimals; see snapshotPrice in series.html.
const priceLabelJS = `function (v) { return snapshotPrice(v); }`

// volumeLabelJS shortens volume axis labels: 1234567 becomes 1.2M.
const volumeLabelJS = `function (v) {
	var a = Math.abs(v);
	if (a >= 1e9) { return (v / 1e9).toFixed(1) + 'B'; }
	if (a >= 1e6) { return (v / 1e6).toFixed(1) + 'M'; }
	if (a >= 1e3) { return (v / 1e3).toFixed(1) + 'K'; }
	return String(v);
}`

// Colours of the account's marks: fills and the entry line. They differ
// from the candles' own up and down colours so a mark stands out on them.
const (
	fillBuyColor  = "#1f6feb"
	fillSellColor = "#d29922"
	entryColor    = "#8250df"
)

// resizeJS lets the chart follow the window, such as a phone turning.
const resizeJS = `window.addEventListener('resize', function () {
	%MY_ECHARTS%.resize();
});`

// volumeColorJS colours each volume bar from snapshotChart; see pageData.
const volumeColorJS = `function (p) {
	var d = snapshotChart;
	return d.colors[d.bars[p.dataIndex]];
}`

// dataJS fills the chart go-echarts set up, whose axes and series are
// empty, from snapshotChart; see pageData and snapshotOption in
// series.html, which the page's refresh calls again with new data. It runs
// right after the first setOption, before the browser draws anything.
const dataJS = `%MY_ECHARTS%.setOption(snapshotOption(snapshotChart));`

// optionJS defines the page functions the chart's data goes through:
// snapshotOption turns snapshotChart into the option that sets the data,
// with a pin over a candle still open; snapshotGroup puts thousands
// separators into a decimal string without touching its digits;
// snapshotPrice writes an axis value with at most the exchange's
// decimals; snapshotStyle colours candles up and down.
const optionJS = `var snapshotStyle = {color: '` + upColor + `', color0: '` + downColor +
	`', borderColor: '` + upColor + `', borderColor0: '` + downColor + `'};
function snapshotOption(d) {
	var mark = [];
	if (d.open >= 0) {
		mark.push({name: 'open', coord: [d.open, d.candles[d.open][3]],
			symbol: 'pin', symbolSize: 38,
			label: {show: true, formatter: 'open', fontSize: 10, color: '#fff'},
			itemStyle: {color: '` + axisColor + `'}});
	}
	(d.fills || []).forEach(function (f) {
		var buy = f[2] === 1;
		mark.push({name: buy ? 'buy' : 'sell', coord: [f[0], f[1]],
			symbol: 'triangle', symbolSize: 9, symbolRotate: buy ? 0 : 180,
			symbolOffset: [0, buy ? 9 : -9], label: {show: false},
			itemStyle: {color: buy ? '` + fillBuyColor + `' : '` + fillSellColor + `',
				borderColor: '#fff', borderWidth: 1}});
	});
	var line = [];
	if (d.entry !== null && d.entry !== undefined) {
		line.push({name: 'entry', yAxis: d.entry,
			label: {formatter: 'entry ' + snapshotGroup(d.entryText), position: 'insideEndTop'},
			lineStyle: {color: '` + entryColor + `', type: 'dashed'}});
	}
	return {
		xAxis: [{data: d.labels}, {data: d.labels}],
		series: [{data: d.candles, markPoint: {data: mark},
			markLine: {symbol: 'none', silent: true, data: line}}, {data: d.volumes}]
	};
}
function snapshotGroup(s) {
	var m = /^(-?)(\d+)(\.\d+)?$/.exec(String(s));
	if (!m) { return String(s); }
	return m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (m[3] || '');
}
function snapshotPrice(v) {
	return v.toLocaleString('en-US', {maximumFractionDigits: snapshotChart.prec});
}`

// builtChart is a rendered chart and what the page around it needs.
type builtChart struct {
	element, script string
	pageData
}

// chart renders s as a go-echarts snippet, candles over a volume panel,
// and the data the snippet's script fills it with.
func (r *Renderer) chart(s kline.Series, m SeriesMeta) (builtChart, error) {
	d, err := r.pageData(s, m)
	if err != nil {
		return builtChart{}, err
	}
	snip, err := snippet(r.newChart(d.shown))
	if err != nil {
		return builtChart{}, err
	}
	return builtChart{element: snip.Element, script: snip.Script, pageData: d}, nil
}

// snippet turns go-echarts' panic on a template failure into an error.
func snippet(k *charts.Kline) (snip ecrender.ChartSnippet, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("render chart: %v", p)
		}
	}()
	return k.RenderSnippet(), nil
}

// newChart builds the chart option for n candles: the candles in grid 0,
// the volume in grid 1 under them, both zoomed and panned together. It
// holds no candle data: the page sets that (see dataJS), with the marker
// of a candle still open.
func (r *Renderer) newChart(n int) *charts.Kline {
	k := charts.NewKLine()
	k.SetGlobalOptions(r.globalOpts(n)...)
	k.ExtendXAxis(categoryAxis(1, true))
	k.ExtendYAxis(opts.YAxis{
		GridIndex: 1, Position: "right", SplitNumber: 2,
		AxisLabel: &opts.AxisLabel{
			Color: axisColor, Formatter: opts.FuncOpts(volumeLabelJS),
		},
		SplitLine: &opts.SplitLine{Show: opts.Bool(false)},
	})

	// Only the local script is listed; go-echarts would otherwise name
	// its default host, which an offline browser cannot reach.
	k.JSAssets.Clear()
	k.JSAssets.Add(r.script)
	k.AddJSFuncStrs(types.FuncStr(dataJS), types.FuncStr(resizeJS))
	k.Accept(extraOptions{})

	k.AddSeries("price", []opts.KlineData{}, charts.WithItemStyleOpts(opts.ItemStyle{
		Color: upColor, Color0: downColor,
		BorderColor: upColor, BorderColor0: downColor,
	}))
	bar := charts.NewBar()
	bar.AddSeries("volume", []opts.BarData{},
		charts.WithSeriesOpts(func(s *charts.SingleSeries) {
			s.XAxisIndex, s.YAxisIndex = 1, 1
		}),
		charts.WithItemStyleOpts(opts.ItemStyle{
			Color: string(opts.FuncOpts(volumeColorJS)),
		}))
	k.Overlap(bar)
	return k
}

// globalOpts lays out two grids sharing one zoom, showing the newest 150
// candles at first.
func (r *Renderer) globalOpts(n int) []charts.GlobalOpts {
	start := float32(0)
	if n > 150 {
		start = 100 - float32(150*100)/float32(n)
	}
	both := []int{0, 1}
	return []charts.GlobalOpts{
		charts.WithInitializationOpts(opts.Initialization{
			ChartID: chartID, Width: "100%", Height: "72vh",
			// An empty host would get go-echarts' default one.
			AssetsHost: assetsHost, PageTitle: "snapshotter",
		}),
		charts.WithAnimation(false),
		charts.WithLegendOpts(opts.Legend{Show: opts.Bool(false)}),
		charts.WithTooltipOpts(opts.Tooltip{
			Show: opts.Bool(true), Trigger: "axis",
			AxisPointer: &opts.AxisPointer{Type: "cross"},
			Formatter:   opts.FuncOpts(tooltipJS),
		}),
		charts.WithAxisPointerOpts(&opts.AxisPointer{
			Link: []opts.AxisPointerLink{{XAxisIndex: both}},
		}),
		charts.WithGridOpts(
			opts.Grid{Left: "8", Right: "64", Top: "12", Bottom: "34%"},
			opts.Grid{Left: "8", Right: "64", Top: "70%", Bottom: "76"},
		),
		charts.WithXAxisOpts(categoryAxis(0, false)),
		charts.WithYAxisOpts(opts.YAxis{
			Scale: opts.Bool(true), Position: "right",
			AxisLabel: &opts.AxisLabel{
				Color: axisColor, Formatter: opts.FuncOpts(priceLabelJS),
			},
			SplitLine: &opts.SplitLine{
				Show: opts.Bool(true), LineStyle: &opts.LineStyle{Color: gridColor},
			},
		}),
		charts.WithDataZoomOpts(
			opts.DataZoom{Type: "inside", XAxisIndex: both, Start: start, End: 100},
			opts.DataZoom{Type: "slider", XAxisIndex: both, Start: start, End: 100},
		),
	}
}

// categoryAxis is the time axis of one grid; its labels, made in Go, come
// with the data (see dataJS). An ECharts time axis would show each
// browser's own zone. Only the lower grid prints them.
func categoryAxis(grid int, showLabels bool) opts.XAxis {
	ax := opts.XAxis{
		Type: "category", GridIndex: grid,
		AxisLine:  &opts.AxisLine{LineStyle: &opts.LineStyle{Color: axisColor}},
		AxisTick:  &opts.AxisTick{Show: opts.Bool(showLabels)},
		AxisLabel: &opts.AxisLabel{Show: opts.Bool(showLabels), Color: axisColor},
	}
	if !showLabels {
		// The lower axis labels the crosshair; a second label would
		// cover the volume scale.
		ax.AxisPointer = &opts.AxisPointer{Label: &opts.Label{Show: opts.Bool(false)}}
	}
	return ax
}

// extraOptions adds the ECharts options go-echarts v2.6.7 has no field for:
// a tooltip kept inside the chart, which matters on a narrow phone, and a
// slim zoom slider at the very bottom.
type extraOptions struct {
	charts.BaseConfigurationVisitor
}

func (extraOptions) VisitTooltipOpt(t opts.Tooltip) any {
	return struct {
		opts.Tooltip
		Confine bool `json:"confine"`
	}{t, true}
}

func (extraOptions) VisitDataZooms(dz []opts.DataZoom) any {
	type slider struct {
		opts.DataZoom
		Height int `json:"height,omitempty"`
		Bottom int `json:"bottom,omitempty"`
	}
	out := make([]slider, len(dz))
	for i, z := range dz {
		out[i] = slider{DataZoom: z}
		if z.Type == "slider" {
			out[i].Height, out[i].Bottom = 22, 8
		}
	}
	return out
}
