package kline

import (
	"fmt"
	"time"
)

// Interval is one of the candle lengths the exchange serves, such as "1m" or
// "1h". The zero value is not a valid interval.
type Interval string

// Intervals lists every interval the exchange documents, shortest first.
var Intervals = []Interval{
	"1m", "3m", "5m", "15m", "30m", "1h", "2h", "4h", "6h", "8h", "12h",
	"1d", "3d", "1w", "1M",
}

var fixedLength = map[Interval]time.Duration{
	"1m": time.Minute, "3m": 3 * time.Minute, "5m": 5 * time.Minute,
	"15m": 15 * time.Minute, "30m": 30 * time.Minute,
	"1h": time.Hour, "2h": 2 * time.Hour, "4h": 4 * time.Hour,
	"6h": 6 * time.Hour, "8h": 8 * time.Hour, "12h": 12 * time.Hour,
	"1d": 24 * time.Hour, "3d": 72 * time.Hour, "1w": 7 * 24 * time.Hour,
}

// weekOffset moves week boundaries from the epoch (a Thursday) to Monday, where
// the exchange starts its weekly candles.
const weekOffset = 3 * 24 * time.Hour

// ParseInterval returns the interval named s, or an error listing the valid
// names when the exchange does not serve it.
func ParseInterval(s string) (Interval, error) {
	iv := Interval(s)
	if iv.Valid() {
		return iv, nil
	}
	return "", fmt.Errorf("unsupported interval %q (the exchange serves %v)", s, Intervals)
}

// Valid reports whether the exchange serves candles of this interval.
func (iv Interval) Valid() bool {
	if iv == "1M" {
		return true
	}
	_, ok := fixedLength[iv]
	return ok
}

// String returns the exchange's name for the interval.
func (iv Interval) String() string { return string(iv) }

// Approx returns the interval's nominal length; a month counts as 30 days.
// It is meant for estimates such as schedules and budgets, not for
// computing open times.
func (iv Interval) Approx() time.Duration {
	if iv == "1M" {
		return 30 * 24 * time.Hour
	}
	return fixedLength[iv]
}

// OpenTime returns the open time of the candle that contains t.
func (iv Interval) OpenTime(t time.Time) time.Time {
	t = t.UTC()
	switch iv {
	case "1M":
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	// Candles are aligned to the Unix epoch (time.Truncate counts from
	// year 1, which would shift 3d candles).
	step := fixedLength[iv].Milliseconds()
	off := int64(0)
	if iv == "1w" {
		off = weekOffset.Milliseconds()
	}
	ms := t.UnixMilli() + off
	ms -= ((ms % step) + step) % step
	return time.UnixMilli(ms - off).UTC()
}

// Next returns the open time of the candle after the one that opens at open.
func (iv Interval) Next(open time.Time) time.Time {
	if iv == "1M" {
		return open.UTC().AddDate(0, 1, 0)
	}
	return open.Add(fixedLength[iv])
}

// Prev returns the open time of the candle before the one that opens at open.
func (iv Interval) Prev(open time.Time) time.Time {
	if iv == "1M" {
		return open.UTC().AddDate(0, -1, 0)
	}
	return open.Add(-fixedLength[iv])
}

// Add moves open by n candles, forwards for positive n.
func (iv Interval) Add(open time.Time, n int) time.Time {
	if iv == "1M" {
		return open.UTC().AddDate(0, n, 0)
	}
	return open.Add(time.Duration(n) * fixedLength[iv])
}

// Count returns how many candles open in [from, to], both being open times.
// It returns 0 when to is before from.
func (iv Interval) Count(from, to time.Time) int {
	if to.Before(from) {
		return 0
	}
	if iv == "1M" {
		f, t := from.UTC(), to.UTC()
		return (t.Year()-f.Year())*12 + int(t.Month()-f.Month()) + 1
	}
	return int(to.Sub(from)/fixedLength[iv]) + 1
}
