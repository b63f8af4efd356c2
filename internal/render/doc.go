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
// is left alone. Each file has a gzip copy beside it, <file>.gz, for a web
// server's gzip_static; publish.go says in which order the two are
// replaced and why.
//
// A chart page carries the newest maxInline candles of its snapshot, and a
// long view of coarser candles when there are more (overview.go). Every
// page keeps itself current in the browser without any request to the
// exchange: it shows the age of its data, a banner once the data is
// overdue, and re-reads itself from the web server to redraw in place
// (live.go and the script "live" in templates/layout.html).
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
