package render

import (
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"snapshotter/internal/kline"
)

// SeriesName returns "<SYMBOL>_<interval>", the base name of a series' page
// and JSON file. The symbol is kept as it is, UTF-8 included, so the file
// on disk carries the exchange's own name.
func SeriesName(symbol string, iv kline.Interval) string {
	return symbol + "_" + string(iv)
}

// PageURL returns the URL of a series' chart page relative to the output
// folder, percent-encoded so that a browser opens it whatever the symbol,
// such as "BTCUSDT_1h.html". It suits status.Job.Page.
func PageURL(symbol string, iv kline.Interval) string {
	return url.PathEscape(SeriesName(symbol, iv)) + ".html"
}

// DataURL returns the URL of a series' JSON snapshot relative to the output
// folder, percent-encoded like PageURL, such as
// "data/klines/BTCUSDT_1h.json". It suits status.Job.Data.
func DataURL(symbol string, iv kline.Interval) string {
	return "data/klines/" + url.PathEscape(SeriesName(symbol, iv)) + ".json"
}

// statusURL is the status snapshot relative to the output folder.
const statusURL = "data/status.json"

// checkSeries refuses a symbol or interval that would not make a plain file
// name inside the output folder, such as "../x" or an empty symbol.
func checkSeries(symbol string, iv kline.Interval) error {
	if !iv.Valid() {
		return fmt.Errorf("interval %q is not one the exchange serves", iv)
	}
	if symbol == "" {
		return fmt.Errorf("empty symbol")
	}
	if strings.HasPrefix(symbol, ".") {
		return fmt.Errorf("symbol %q starts with a dot", symbol)
	}
	bad := strings.IndexFunc(symbol, func(r rune) bool {
		return r == '/' || r == '\\' || r == unicode.ReplacementChar ||
			unicode.IsControl(r) || unicode.IsSpace(r)
	})
	if bad >= 0 {
		return fmt.Errorf("symbol %q cannot be a file name", symbol)
	}
	return nil
}
