package daemon

import (
	"testing"
	"time"

	"snapshotter/internal/kline"
)

func TestCloseSchedule_NextIsDelayAfterNextClose(t *testing.T) {
	t.Parallel()
	const delay = 3 * time.Second
	tests := []struct {
		iv     kline.Interval
		offset time.Duration // exchange clock minus local clock
		t      string
		want   string
	}{
		{"1m", 0, "2024-01-01T12:34:10Z", "2024-01-01T12:35:03Z"},
		{"1m", 0, "2024-01-01T12:35:02.999Z", "2024-01-01T12:35:03Z"},
		{"1m", 0, "2024-01-01T12:35:03Z", "2024-01-01T12:36:03Z"}, // at a firing
		{"1m", 0, "2024-01-01T12:35:00Z", "2024-01-01T12:35:03Z"}, // at a close
		{"1h", 0, "2024-01-01T12:34:10Z", "2024-01-01T13:00:03Z"},
		{"1h", 0, "2024-01-01T13:00:03Z", "2024-01-01T14:00:03Z"},
		{"1h", 0, "2024-01-01T23:59:59Z", "2024-01-02T00:00:03Z"},
		{"1d", 0, "2024-01-01T12:34:10Z", "2024-01-02T00:00:03Z"},
		{"1d", 0, "2024-01-02T00:00:03Z", "2024-01-03T00:00:03Z"},
		{"1d", 0, "2024-02-28T23:00:00Z", "2024-02-29T00:00:03Z"},
		// Weekly candles open on Mondays; 2024-01-01 is one.
		{"1w", 0, "2024-01-03T12:00:00Z", "2024-01-08T00:00:03Z"},
		{"1w", 0, "2024-01-08T00:00:03Z", "2024-01-15T00:00:03Z"},
		{"1w", 0, "2024-01-08T00:00:02Z", "2024-01-08T00:00:03Z"},
		// 3d candles count from the epoch; one opened 2023-12-31.
		{"3d", 0, "2024-01-01T12:00:00Z", "2024-01-03T00:00:03Z"},
		{"1M", 0, "2024-01-31T12:00:00Z", "2024-02-01T00:00:03Z"},
		{"1M", 0, "2024-02-01T00:00:03Z", "2024-03-01T00:00:03Z"},
		// The exchange is 7s ahead: its 12:35:03 is our 12:34:56.
		{"1m", 7 * time.Second, "2024-01-01T12:34:10Z", "2024-01-01T12:34:56Z"},
		{"1m", 7 * time.Second, "2024-01-01T12:34:56Z", "2024-01-01T12:35:56Z"},
		// The exchange is 2s behind: its 13:00:03 is our 13:00:05.
		{"1h", -2 * time.Second, "2024-01-01T13:00:04Z", "2024-01-01T13:00:05Z"},
	}
	for _, tt := range tests {
		t.Run(string(tt.iv)+" "+tt.t, func(t *testing.T) {
			s := closeSchedule{iv: tt.iv, delay: delay,
				offset: func() time.Duration { return tt.offset }}
			got := s.Next(at(tt.t))
			if want := at(tt.want); !got.Equal(want) {
				t.Errorf("Next(%s) = %s, want %s", tt.t, got.Format(time.RFC3339Nano),
					want.Format(time.RFC3339Nano))
			}
		})
	}
}

func TestCloseSchedule_KeepsLocation(t *testing.T) {
	t.Parallel()
	loc := time.FixedZone("UTC+8", 8*3600)
	s := closeSchedule{iv: "1h", delay: 3 * time.Second,
		offset: func() time.Duration { return 0 }}
	got := s.Next(at("2024-01-01T12:34:10Z").In(loc))
	if got.Location() != loc || !got.Equal(at("2024-01-01T13:00:03Z")) {
		t.Errorf("Next = %s, want 13:00:03 UTC in the caller's zone", got)
	}
}
