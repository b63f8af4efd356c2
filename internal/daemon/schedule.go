package daemon

import (
	"time"

	"snapshotter/internal/kline"
)

// closeSchedule fires delay after each close of a candle of iv, on the
// exchange's clock: local time plus offset.
type closeSchedule struct {
	iv     kline.Interval
	delay  time.Duration
	offset func() time.Duration
}

// Next returns the first firing strictly after t.
func (s closeSchedule) Next(t time.Time) time.Time {
	off := s.offset()
	server := t.Add(off)
	open := s.iv.OpenTime(server.Add(-s.delay))
	next := s.iv.Next(open).Add(s.delay)
	if !next.After(server) {
		next = s.iv.Next(s.iv.Next(open)).Add(s.delay)
	}
	return next.Add(-off).In(t.Location())
}
