package clock

import (
	"context"
	"testing"
	"time"
)

func TestFake_SleepAdvances(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	f := NewFake(t0)
	if err := f.Sleep(context.Background(), 90*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := f.Now(); !got.Equal(t0.Add(90 * time.Second)) {
		t.Errorf("after Sleep: %v", got)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := f.Sleep(ctx, time.Hour); err == nil || !f.Now().Equal(t0.Add(90*time.Second)) {
		t.Errorf("Sleep on a done context: err %v, now %v", err, f.Now())
	}
	f.Set(t0)
	f.Advance(time.Minute)
	if !f.Now().Equal(t0.Add(time.Minute)) {
		t.Errorf("Set then Advance: %v", f.Now())
	}
}

func TestReal_SleepStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := (Real{}).Sleep(ctx, time.Hour); err == nil {
		t.Error("Sleep on a done context returned nil")
	}
}
