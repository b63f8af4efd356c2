package render

import (
	"fmt"
	"hash/crc32"
	"strconv"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"snapshotter/internal/kline"
)

// The pages keep themselves current without any request to the exchange:
// the script "live" in layout.html counts the age of the data every second
// and, every few seconds, asks the web server for the page again, with a
// conditional request that costs a few hundred bytes while nothing changed.
// When the page's version (PageVersion) differs, it takes the new page's
// parts marked data-live and, on a chart page, the new candles, and redraws
// in place, keeping the zoom. It re-reads the page rather than the JSON
// snapshot because the page carries the newest maxInline candles while the
// snapshot carries all of them, up to 30 MB.
//
// The values below are what that script is told, computed here where the
// interval and the zone are known.

// overdueGrace is how late a refresh may come before the page calls its
// data stale: the configured delay after a candle's close (at most a
// minute) and half a minute for the run itself.
const overdueGrace = 90 * time.Second

// Bounds of the time between a page's checks for a new version.
const (
	minRefresh       = 10 * time.Second
	maxSeriesRefresh = 5 * time.Minute
	maxIndexRefresh  = time.Minute
)

// liveTimes are a page's attributes for the script "live".
type liveTimes struct {
	// Since is the time of the data, in epoch milliseconds; 0 for never.
	Since int64
	// StaleAt is when the data is overdue, in epoch milliseconds; 0 when
	// that cannot be known.
	StaleAt int64
	// Refresh is the time between checks for a new version, in seconds.
	Refresh int
}

// seriesLive is the liveTimes of a chart of interval iv fetched at t: the
// next fetch comes shortly after the candle open at t closes.
func seriesLive(iv kline.Interval, t time.Time) liveTimes {
	l := liveTimes{Refresh: refreshEvery(iv, maxSeriesRefresh)}
	if !t.IsZero() {
		l.Since = t.UnixMilli()
		l.StaleAt = dueBy(iv, t).UnixMilli()
	}
	return l
}

// dueBy is when data of interval iv written at t is overdue: the end of the
// candle open at t, when the next refresh is due, plus overdueGrace.
func dueBy(iv kline.Interval, t time.Time) time.Time {
	return iv.Next(iv.OpenTime(t)).Add(overdueGrace)
}

// refreshEvery is the time between a page's checks, in seconds: a quarter
// of the interval, so that new data shows within a quarter of a candle,
// from minRefresh to most.
func refreshEvery(iv kline.Interval, most time.Duration) int {
	d := min(max(iv.Approx()/4, minRefresh), most)
	return int(d / time.Second)
}

// contentVersion names a version of a page by its data: the CRC-32 and the
// length of the JSON it shows, which holds every value the page does.
func contentVersion(data []byte) string {
	return fmt.Sprintf("%08x-%x", crc32.ChecksumIEEE(data), len(data))
}

// groupDigits puts thousands separators into the integer part of a plain
// decimal string and leaves its fraction alone, so the exchange's
// precision shows: "94834.30" becomes "94,834.30".
func groupDigits(s string) string {
	sign, digits := "", s
	if strings.HasPrefix(s, "-") {
		sign, digits = "-", s[1:]
	}
	whole, frac, dot := strings.Cut(digits, ".")
	var b strings.Builder
	for i, r := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	if dot {
		return sign + b.String() + "." + frac
	}
	return sign + b.String()
}

// groupInt writes n with thousands separators.
func groupInt(n int) string { return groupDigits(strconv.Itoa(n)) }

// change is the move from open to close in percent, with two decimals and
// a sign, computed exactly; down reports a fall. It is "" when open is
// zero or either is not a decimal.
func change(open, close string) (pct string, down bool) {
	o, err1 := decimal.NewFromString(open)
	c, err2 := decimal.NewFromString(close)
	if err1 != nil || err2 != nil || o.IsZero() {
		return "", false
	}
	d := c.Sub(o).Mul(decimal.NewFromInt(100)).Div(o).Round(2)
	if d.IsNegative() {
		return d.StringFixed(2), true
	}
	return "+" + d.StringFixed(2), false
}

// offset is the page zone's offset from UTC at t, such as "UTC+08:00", or
// "" for the UTC zone itself or a zero t.
func (r *Renderer) offset(t time.Time) string {
	if t.IsZero() || r.loc == time.UTC {
		return ""
	}
	return "UTC" + t.In(r.loc).Format("-07:00")
}
