// Package render publishes what snapshotter knows as static files under one
// output folder that a web server hands out as they are:
//
//	assets/echarts-<hash>.min.js  the ECharts script, named by its content
//	data/klines/<SYMBOL>_<iv>.json  one series: candles, gaps, freshness
//	<SYMBOL>_<iv>.html  a candlestick chart of that series
//	data/status.json  the daemon's status.Status
//	index.html  every job and the process state
//
// Every file is replaced atomically (see package atomicfile), and a page is
// replaced only after the JSON it shows, so a reader never sees a page newer
// than its data or a half-written file. A file whose content did not change
// is left alone.
//
// The pages load nothing from another host: the chart script is copied from
// web/node_modules into assets/ when the Renderer is made, and go-echarts'
// default asset host is replaced by that relative path. Chart values are the
// exchange's decimal strings written into the page as number literals, never
// parsed into float64 on the way. go-echarts builds the chart's layout only;
// the candles are written by hand (see data.go), which keeps building a page
// of 10,000 candles to about 10 ms. Time labels are made in Go in the
// configured zone, because ECharts would follow each browser's zone.
package render
