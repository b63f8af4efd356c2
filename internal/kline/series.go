package kline

import "time"

// Gap is a stretch of open times, both ends included, for which the
// exchange answered without candles. A gap is recorded once and never
// fetched again; candles are never invented to fill it.
type Gap struct {
	From int64 `json:"from"`
	To   int64 `json:"to"`
}

// Series is the stored history of one symbol at one interval: candles
// strictly ascending by open time, at most one per open time.
type Series struct {
	Symbol   string   `json:"symbol"`
	Interval Interval `json:"interval"`
	Candles  []Candle `json:"candles"`
	Gaps     []Gap    `json:"gaps"`
	// Covered is the newest open time, in epoch milliseconds, that the
	// exchange has answered for and whose candle had closed by then, with
	// or without a candle. Zero means nothing has been asked yet.
	Covered int64 `json:"covered"`
}

// Request is one klines call: the first open time and how many candles.
type Request struct {
	Start time.Time
	Limit int
}

// Epoch is 2017-01-01 UTC. No exchange has candles from before it, and the
// exchange reads smaller times as a mistake (seconds sent for milliseconds),
// so no request asks for earlier ones.
var Epoch = time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)

// MaxLimit is the most candles the exchange returns in one answer.
const MaxLimit = 1500

// Plan returns the calls that bring the series up to the candle open at now
// while holding keep candles: a backfill of keep candles when the series is
// empty, otherwise one call from the newest stored open time (re-reading an
// unfinished candle) with the smallest limit that covers the gap. Calls hold
// at most MaxLimit candles each and are ordered oldest first.
func (s *Series) Plan(now time.Time, keep int) []Request {
	current := s.Interval.OpenTime(now)
	start := s.Interval.Add(current, -(keep - 1))
	if start.Before(Epoch) {
		// 500 monthly candles reach back to 1984; ask from the first
		// candle any exchange can have instead.
		start = s.Interval.OpenTime(Epoch)
		if start.Before(Epoch) {
			start = s.Interval.Next(start)
		}
	}
	if n := len(s.Candles); n > 0 {
		last := s.Candles[n-1]
		next := last.OpenAt()
		if last.Closed {
			next = s.Interval.Next(next)
		}
		if s.Covered > 0 {
			if c := s.Interval.Next(time.UnixMilli(s.Covered).UTC()); c.After(next) {
				next = c
			}
		}
		if next.After(start) {
			start = next
		}
	}
	var reqs []Request
	for left := s.Interval.Count(start, current); left > 0; {
		n := min(left, MaxLimit)
		reqs = append(reqs, Request{Start: start, Limit: n})
		start = s.Interval.Add(start, n)
		left -= n
	}
	return reqs
}

// Merge folds the answer to req into the series: candles are keyed by open
// time and the answer's values win. Open times inside the request that the
// answer lacks, and whose candle had closed by now, become gaps, except
// before the oldest candle known, where history has simply not begun.
// The series is then cut to its newest keep candles.
func (s *Series) Merge(req Request, got []Candle, now time.Time, keep int) {
	s.Candles = Normalize(append(s.Candles, got...))
	s.recordGaps(req, got, now)
	if n := len(s.Candles); n > keep {
		s.Candles = append([]Candle(nil), s.Candles[n-keep:]...)
	}
	s.trimGaps()
}

func (s *Series) recordGaps(req Request, got []Candle, now time.Time) {
	have := make(map[int64]bool, len(got))
	for _, c := range got {
		have[c.OpenTime] = true
	}
	var oldest int64
	if len(s.Candles) > 0 {
		oldest = s.Candles[0].OpenTime
	}
	open := req.Start
	for i := 0; i < req.Limit; i++ {
		closeAt := s.Interval.Next(open)
		if closeAt.After(now) {
			break
		}
		ms := open.UnixMilli()
		if !have[ms] && oldest != 0 && ms > oldest && !s.inCandles(ms) {
			s.addGap(ms, s.Interval)
		}
		if ms > s.Covered {
			s.Covered = ms
		}
		open = closeAt
	}
}

func (s *Series) inCandles(ms int64) bool {
	lo, hi := 0, len(s.Candles)
	for lo < hi {
		mid := (lo + hi) / 2
		if s.Candles[mid].OpenTime < ms {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo < len(s.Candles) && s.Candles[lo].OpenTime == ms
}

// addGap extends the newest gap when ms directly follows it.
func (s *Series) addGap(ms int64, iv Interval) {
	if n := len(s.Gaps); n > 0 {
		last := &s.Gaps[n-1]
		if iv.Next(time.UnixMilli(last.To).UTC()).UnixMilli() == ms {
			last.To = ms
			return
		}
		if ms <= last.To {
			return
		}
	}
	s.Gaps = append(s.Gaps, Gap{From: ms, To: ms})
}

// trimGaps drops gaps that end before the oldest kept candle.
func (s *Series) trimGaps() {
	if len(s.Candles) == 0 {
		return
	}
	oldest := s.Candles[0].OpenTime
	kept := s.Gaps[:0]
	for _, g := range s.Gaps {
		if g.To >= oldest {
			kept = append(kept, g)
		}
	}
	s.Gaps = kept
}
