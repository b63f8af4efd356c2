package kline

import (
	"testing"
	"time"
)

func ms(s string) int64 {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t.UnixMilli()
}

func at(s string) time.Time { return time.UnixMilli(ms(s)).UTC() }

// candle makes a 1h candle opening at open with close price c.
func candle(open int64, c string, closed bool) Candle {
	return Candle{OpenTime: open, CloseTime: open + 3600_000 - 1, Open: "1.0", High: "2.0",
		Low: "0.5", Close: c, Volume: "10", QuoteVolume: "10", Trades: 3,
		TakerBuyBase: "1", TakerBuyQuote: "1", Closed: closed}
}

func TestParseRows_KeepsStringsAndMarksOpenCandle(t *testing.T) {
	// C08: now 2024-01-01T12:34:10Z, interval 1h, last row still open.
	body := `[[1704106800000,"42000.10","42100.00","41990.5","42050.00","12.345",` +
		`1704110399999,"518000.1",100,"6.1","256000.0","0"],` +
		`[1704110400000,"42050.00","42060.00","42040.00","42055.10","1.000",` +
		`1704113999999,"42055.1",7,"0.5","21000.0","0"]]`
	got, err := ParseRows([]byte(body), at("2024-01-01T12:34:10Z"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d candles, want 2", len(got))
	}
	if !got[0].Closed || got[1].Closed {
		t.Errorf("closed = %v, %v; want true, false", got[0].Closed, got[1].Closed)
	}
	if got[0].Low != "41990.5" || got[0].Volume != "12.345" || got[1].Close != "42055.10" {
		t.Errorf("strings changed: %+v", got)
	}
	if got[0].Trades != 100 || got[1].OpenTime != 1704110400000 {
		t.Errorf("numbers wrong: %+v", got)
	}
}

func TestParseRows_Refuses(t *testing.T) {
	tests := map[string]string{
		"not json":  `<html>502</html>`,
		"object":    `{"code":-1121,"msg":"Invalid symbol."}`,
		"short row": `[[1704106800000,"1","2"]]`,
		"float price": `[[1704106800000,1.5,"2","1","1.5","1",1704110399999,` +
			`"1",1,"1","1","0"]]`,
		"exponent": `[[1704106800000,"1e3","2","1","1.5","1",1704110399999,` +
			`"1",1,"1","1","0"]]`,
		"close before open": `[[1704106800000,"1","2","1","1.5","1",1,"1",1,"1","1","0"]]`,
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			if got, err := ParseRows([]byte(body), time.Now()); err == nil {
				t.Errorf("parsed %+v, want an error", got)
			}
		})
	}
	got, err := ParseRows([]byte(`[]`), time.Now())
	if err != nil || len(got) != 0 {
		t.Errorf("[] gave %v, %v; want no candles and no error", got, err)
	}
}

func TestNormalize_DuplicatesNewestWins(t *testing.T) {
	// C09: the same open time twice in one page.
	const dup = 1521982800000
	in := []Candle{candle(dup+3600_000, "3", true), candle(dup, "1", true),
		candle(dup, "2", true)}
	got := Normalize(in)
	if len(got) != 2 || got[0].OpenTime != dup || got[0].Close != "2" {
		t.Fatalf("got %+v, want 2 candles with the later duplicate first", got)
	}
	if got[1].OpenTime <= got[0].OpenTime {
		t.Error("not strictly ascending")
	}
}

func TestSeries_OpenCandleReplacedWhenClosed(t *testing.T) {
	// C08: the 13:05 run overwrites the 12:00 row instead of adding one.
	s := Series{Symbol: "BTCUSDT", Interval: "1h"}
	now := at("2024-01-01T12:34:10Z")
	reqs := s.Plan(now, 3)
	if len(reqs) != 1 || reqs[0].Limit != 3 || !reqs[0].Start.Equal(at("2024-01-01T10:00:00Z")) {
		t.Fatalf("backfill plan = %+v, want 3 candles from 10:00", reqs)
	}
	s.Merge(reqs[0], []Candle{candle(ms("2024-01-01T10:00:00Z"), "1", true),
		candle(ms("2024-01-01T11:00:00Z"), "2", true),
		candle(ms("2024-01-01T12:00:00Z"), "3", false)}, now, 3)

	later := at("2024-01-01T13:05:00Z")
	reqs = s.Plan(later, 3)
	if len(reqs) != 1 || reqs[0].Limit != 2 || !reqs[0].Start.Equal(at("2024-01-01T12:00:00Z")) {
		t.Fatalf("steady plan = %+v, want 2 candles from 12:00 (re-read the open one)", reqs)
	}
	s.Merge(reqs[0], []Candle{candle(ms("2024-01-01T12:00:00Z"), "3.5", true),
		candle(ms("2024-01-01T13:00:00Z"), "4", false)}, later, 3)

	var opens []int64
	for _, c := range s.Candles {
		opens = append(opens, c.OpenTime)
	}
	want := []int64{ms("2024-01-01T11:00:00Z"), ms("2024-01-01T12:00:00Z"),
		ms("2024-01-01T13:00:00Z")}
	if len(opens) != 3 || opens[0] != want[0] || opens[1] != want[1] || opens[2] != want[2] {
		t.Fatalf("open times %v, want %v (kept 3, no duplicate)", opens, want)
	}
	if s.Candles[1].Close != "3.5" || !s.Candles[1].Closed {
		t.Errorf("12:00 candle = %+v, want the closed version", s.Candles[1])
	}
	if len(s.Gaps) != 0 {
		t.Errorf("gaps = %v, want none", s.Gaps)
	}
}

func TestSeries_GapRecordedOnceNotRefetched(t *testing.T) {
	s := Series{Symbol: "X", Interval: "1h"}
	now := at("2024-01-01T05:30:00Z")
	req := s.Plan(now, 6)[0]
	// The exchange has nothing for 02:00 and 03:00.
	s.Merge(req, []Candle{candle(ms("2024-01-01T00:00:00Z"), "1", true),
		candle(ms("2024-01-01T01:00:00Z"), "1", true),
		candle(ms("2024-01-01T04:00:00Z"), "1", true),
		candle(ms("2024-01-01T05:00:00Z"), "1", false)}, now, 6)
	want := Gap{From: ms("2024-01-01T02:00:00Z"), To: ms("2024-01-01T03:00:00Z")}
	if len(s.Gaps) != 1 || s.Gaps[0] != want {
		t.Fatalf("gaps = %+v, want [%+v]", s.Gaps, want)
	}
	if len(s.Candles) != 4 {
		t.Errorf("%d candles, want 4: no invented candles", len(s.Candles))
	}
	// The next plan starts at the open candle, not at the gap.
	next := s.Plan(at("2024-01-01T06:00:03Z"), 6)
	if len(next) != 1 || !next[0].Start.Equal(at("2024-01-01T05:00:00Z")) || next[0].Limit != 2 {
		t.Errorf("plan = %+v, want 2 from 05:00", next)
	}
}

func TestSeries_EmptyTailNotRefetchedInALoop(t *testing.T) {
	// Trading halted after 01:00: every later answer is empty. The plan must
	// not keep growing from 01:00.
	s := Series{Symbol: "X", Interval: "1h"}
	s.Merge(Request{Start: at("2024-01-01T00:00:00Z"), Limit: 2},
		[]Candle{candle(ms("2024-01-01T00:00:00Z"), "1", true),
			candle(ms("2024-01-01T01:00:00Z"), "1", true)}, at("2024-01-01T02:00:05Z"), 100)
	now := at("2024-01-01T05:00:05Z")
	req := s.Plan(now, 100)[0]
	s.Merge(req, nil, now, 100)
	next := s.Plan(at("2024-01-01T06:00:05Z"), 100)
	if len(next) != 1 || !next[0].Start.Equal(at("2024-01-01T05:00:00Z")) || next[0].Limit != 2 {
		t.Errorf("plan after empty answer = %+v, want 2 from 05:00", next)
	}
	if len(s.Gaps) != 1 || s.Gaps[0].From != ms("2024-01-01T02:00:00Z") ||
		s.Gaps[0].To != ms("2024-01-01T04:00:00Z") {
		t.Errorf("gaps = %+v, want 02:00..04:00", s.Gaps)
	}
}

func TestSeries_PlanPagesOldestFirst(t *testing.T) {
	s := Series{Symbol: "X", Interval: "1m"}
	now := at("2024-01-01T12:00:30Z")
	reqs := s.Plan(now, 4000)
	if len(reqs) != 3 {
		t.Fatalf("%d pages, want 3", len(reqs))
	}
	limits := []int{reqs[0].Limit, reqs[1].Limit, reqs[2].Limit}
	if limits[0] != 1500 || limits[1] != 1500 || limits[2] != 1000 {
		t.Errorf("limits %v, want [1500 1500 1000]", limits)
	}
	if !reqs[0].Start.Equal(at("2024-01-01T12:00:00Z").Add(-3999 * time.Minute)) {
		t.Errorf("first page starts %v", reqs[0].Start)
	}
	if !reqs[1].Start.Equal(reqs[0].Start.Add(1500 * time.Minute)) {
		t.Errorf("second page starts %v", reqs[1].Start)
	}
}

func TestInterval_OpenTime(t *testing.T) {
	tests := []struct {
		iv   Interval
		t    string
		want string
	}{
		{"1m", "2024-01-01T12:34:10Z", "2024-01-01T12:34:00Z"},
		{"15m", "2024-01-01T12:34:10Z", "2024-01-01T12:30:00Z"},
		{"4h", "2024-01-01T12:34:10Z", "2024-01-01T12:00:00Z"},
		{"1d", "2024-01-01T12:34:10Z", "2024-01-01T00:00:00Z"},
		{"1w", "2024-01-03T12:00:00Z", "2024-01-01T00:00:00Z"}, // Monday
		{"1M", "2024-02-29T12:00:00Z", "2024-02-01T00:00:00Z"},
	}
	for _, tt := range tests {
		if got := tt.iv.OpenTime(at(tt.t)); !got.Equal(at(tt.want)) {
			t.Errorf("%s.OpenTime(%s) = %s, want %s", tt.iv, tt.t, got, tt.want)
		}
	}
	if n := Interval("1M").Count(at("2023-11-01T00:00:00Z"), at("2024-02-01T00:00:00Z")); n != 4 {
		t.Errorf("1M count = %d, want 4", n)
	}
	if _, err := ParseInterval("2m"); err == nil {
		t.Error("2m accepted")
	}
}

func TestCandle_RowRoundTrip(t *testing.T) {
	c := candle(1700000000000, "105.0", true)
	c.CloseTime = 1700000059999
	row := c.Row()
	if len(row) != 12 {
		t.Fatalf("row has %d fields", len(row))
	}
	if row[4] != "105.0" || row[0] != int64(1700000000000) {
		t.Errorf("row = %v", row)
	}
}

func TestSeries_PlanNeverAsksBeforeEpoch(t *testing.T) {
	// 500 monthly candles would start in 1984: before any exchange.
	for _, tt := range []struct {
		iv   Interval
		keep int
	}{{"1M", 500}, {"1w", 2000}, {"1d", 10000}, {"3d", 5000}} {
		s := Series{Symbol: "X", Interval: tt.iv}
		reqs := s.Plan(at("2026-12-04T16:00:00Z"), tt.keep)
		if len(reqs) == 0 {
			t.Fatalf("%s: no request", tt.iv)
		}
		if reqs[0].Start.Before(Epoch) {
			t.Errorf("%s keep %d starts at %v, before %v", tt.iv, tt.keep, reqs[0].Start, Epoch)
		}
		last := reqs[len(reqs)-1]
		end := tt.iv.Add(last.Start, last.Limit-1)
		if !end.Equal(tt.iv.OpenTime(at("2026-12-04T16:00:00Z"))) {
			t.Errorf("%s: plan ends at %v, want the current candle", tt.iv, end)
		}
	}
}
