package exchange

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"time"

	"snapshotter/internal/kline"
)

const (
	// defaultLimit is the number of candles sent when limit is absent.
	defaultLimit = 500
	// maxLimit is the largest limit the exchange accepts.
	maxLimit = kline.MaxLimit
)

// klinesQuery is a checked klines request.
type klinesQuery struct {
	market     *market
	iv         kline.Interval
	start, end time.Time
	hasStart   bool
	hasEnd     bool
	limit      int
}

// klines answers GET klines like the exchange: with startTime, the first
// limit candles opening at or after it; without, the newest limit candles
// opening at or before endTime, or now. endTime is inclusive and no candle
// opens after now; the candle containing now is sent as it stands.
func (s *Server) klines(q url.Values, now time.Time) response {
	kq, err := s.parseKlines(q)
	if err != nil {
		return errorResponse(err)
	}

	end := now
	if kq.hasEnd && kq.end.Before(end) {
		end = kq.end
	}
	var cs []kline.Candle
	if kq.hasStart {
		cs = kq.market.oldest(kq.iv, kq.start, end, kq.limit, now)
	} else {
		cs = kq.market.newest(kq.iv, end, kq.limit, now)
	}

	rows := make([][]any, len(cs))
	for i, c := range cs {
		rows[i] = c.Row()
	}
	return jsonResponse(http.StatusOK, rows)
}

// parseKlines checks the parameters in the exchange's order: mandatory
// ones present, numbers well formed, then symbol, interval, limit and the
// time range.
func (s *Server) parseKlines(q url.Values) (klinesQuery, error) {
	var kq klinesQuery
	for _, name := range []string{"symbol", "interval"} {
		if q.Get(name) == "" {
			return kq, errMandatory(name)
		}
	}
	start, hasStart, err := timeParam(q, "startTime")
	if err != nil {
		return kq, err
	}
	end, hasEnd, err := timeParam(q, "endTime")
	if err != nil {
		return kq, err
	}
	limit, err := limitParam(q)
	if err != nil {
		return kq, err
	}

	m, ok := s.bySymbol[q.Get("symbol")]
	if !ok {
		return kq, errBadSymbol
	}
	iv := kline.Interval(q.Get("interval"))
	if !iv.Valid() {
		return kq, errBadInterval
	}
	if limit < 1 || limit > maxLimit {
		return kq, errNotValid("limit")
	}
	if hasStart && hasEnd && start.After(end) {
		return kq, errStartAfter
	}
	return klinesQuery{m, iv, start, end, hasStart, hasEnd, limit}, nil
}

// legalTime is the exchange's pattern for millisecond time parameters.
var legalTime = regexp.MustCompile(`^[0-9]{1,20}$`)

// timeParam reads an optional epoch-millisecond parameter. A value that is
// not plain digits, such as 1.6566336e+12, is refused with -1100.
func timeParam(q url.Values, name string) (time.Time, bool, error) {
	if !q.Has(name) {
		return time.Time{}, false, nil
	}
	v := q.Get(name)
	if !legalTime.MatchString(v) {
		return time.Time{}, false, errIllegalChars(name)
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, false, errIllegalChars(name)
	}
	return time.UnixMilli(ms).UTC(), true, nil
}

// limitParam reads limit, defaulting to 500; its range is checked later.
func limitParam(q url.Values) (int, error) {
	if !q.Has("limit") {
		return defaultLimit, nil
	}
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil {
		return 0, errIllegalChars("limit")
	}
	return n, nil
}
