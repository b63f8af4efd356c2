package fetch

import (
	"context"
	"errors"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"snapshotter/internal/clock"
)

func newTestBudget(t *testing.T, now time.Time, path string) (*Budget, *clock.Fake) {
	t.Helper()
	fc := clock.NewFake(now)
	b, err := NewBudget(BudgetOptions{Clock: fc, Share: 0.2, IPMargin: 0.9, Limit: 2400,
		PausePath: path})
	if err != nil {
		t.Fatal(err)
	}
	return b, fc
}

func header(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Set(kv[i], kv[i+1])
	}
	return h
}

func TestBudget_SharedIPWaitsForNextMinute(t *testing.T) {
	// C03: our count is 40 but the header says the IP used 2300; ten
	// klines calls of weight 5 would pass 90% of 2400, so the batch waits.
	start := time.Date(2024, 1, 1, 12, 0, 10, 0, time.UTC)
	b, fc := newTestBudget(t, start, "")
	ctx := context.Background()
	for i := 0; i < 8; i++ {
		if err := b.Acquire(ctx, 5); err != nil {
			t.Fatal(err)
		}
	}
	b.observe(200, header("X-MBX-USED-WEIGHT-1M", "2300"), nil)
	if got, _ := b.Snapshot(); got.UsedByUs != 40 || got.UsedByIP != 2300 {
		t.Fatalf("used by us %d, by IP %d; want 40, 2300", got.UsedByUs, got.UsedByIP)
	}
	if err := b.Acquire(ctx, 50); err != nil {
		t.Fatal(err)
	}
	if now := fc.Now(); now.Before(start.Truncate(time.Minute).Add(time.Minute)) {
		t.Errorf("granted at %v, want after the next minute started", now)
	}
	got, _ := b.Snapshot()
	if got.UsedByUs != 50 || got.UsedByIP != 50 {
		t.Errorf("new minute: used by us %d, by IP %d; want 50, 50", got.UsedByUs, got.UsedByIP)
	}
}

func TestBudget_ShareCapsOurWeight(t *testing.T) {
	start := time.Date(2024, 1, 1, 12, 0, 10, 0, time.UTC)
	b, fc := newTestBudget(t, start, "")
	ctx := context.Background()
	for i := 0; i < 48; i++ { // 48 × 10 = 480 = 0.2 × 2400
		if err := b.Acquire(ctx, 10); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if !fc.Now().Equal(start) {
		t.Fatalf("waited within the share")
	}
	if err := b.Acquire(ctx, 1); err != nil {
		t.Fatal(err)
	}
	if fc.Now().Before(start.Truncate(time.Minute).Add(time.Minute)) {
		t.Error("the 481st unit of weight was granted in the same minute")
	}
	if err := b.Acquire(ctx, 481); !errors.Is(err, ErrOverBudget) {
		t.Errorf("weight above the share: err = %v, want ErrOverBudget", err)
	}
}

func TestBudget_429WithoutRetryAfterPausesToNextMinuteAndDoubles(t *testing.T) {
	// C02: Retry-After 0, then no header at all.
	for _, h := range []http.Header{header("Retry-After", "0"), header()} {
		start := time.Date(2024, 1, 1, 12, 0, 20, 0, time.UTC)
		b, fc := newTestBudget(t, start, "")
		b.Acquire(context.Background(), 1)
		b.observe(429, h, []byte(`{"code":-1003,"msg":"Too many requests"}`))
		_, p := b.Snapshot()
		want := start.Truncate(time.Minute).Add(time.Minute + settle)
		if p == nil || p.Kind != PauseRateLimit || !p.Until.Equal(want) {
			t.Fatalf("pause = %+v, want rate_limit until %v", p, want)
		}
		err := b.Acquire(context.Background(), 1)
		if !errors.Is(err, ErrPaused) || ClassOf(err) != ClassRateLimited {
			t.Errorf("during pause: err = %v, want ErrPaused (rate_limited)", err)
		}
		// A second 429 in a row doubles the pause.
		fc.Set(want)
		b.Acquire(context.Background(), 1)
		b.observe(429, h, nil)
		_, p = b.Snapshot()
		// At 12:01:00.5 the next minute is 59.5 s (+settle) away; doubled.
		if got, wantD := p.Until.Sub(want), 2*time.Minute; got != wantD {
			t.Errorf("second pause lasts %v, want %v", got, wantD)
		}
	}
}

func TestBudget_429RetryAfterHonoured(t *testing.T) {
	start := time.Date(2024, 1, 1, 12, 0, 20, 0, time.UTC)
	b, _ := newTestBudget(t, start, "")
	b.observe(429, header("Retry-After", "7"), nil)
	_, p := b.Snapshot()
	if p == nil || !p.Until.Equal(start.Add(7*time.Second)) {
		t.Errorf("pause = %+v, want until +7s", p)
	}
}

func TestBudget_418BanFromBodyAndSavedAcrossRestart(t *testing.T) {
	// C01: Retry-After 720 and "banned until 1700000123456" in the body;
	// the later one wins.
	path := filepath.Join(t.TempDir(), "pause.json")
	now := time.UnixMilli(1700000000000).UTC() // 22:13:20
	b, _ := newTestBudget(t, now, path)
	body := []byte(`{"code":-1003,"msg":"Way too much request weight used; IP banned ` +
		`until 1700000123456. Please use the websocket for live updates to avoid bans."}`)
	b.observe(418, header("Retry-After", "720"), body)
	_, p := b.Snapshot()
	want := now.Add(720 * time.Second) // 22:25:20 is later than 22:15:23.456
	if p == nil || p.Kind != PauseBan || !p.Until.Equal(want) {
		t.Fatalf("pause = %+v, want ban until %v", p, want)
	}
	b.observe(418, header("Retry-After", "1"), body)
	if _, p2 := b.Snapshot(); !p2.Until.Equal(want) {
		t.Errorf("a shorter later 418 shortened the ban to %v", p2.Until)
	}

	// Without Retry-After the body's time rules: 2023-11-14T22:15:23.456Z.
	b2, _ := newTestBudget(t, now, "")
	b2.observe(418, header(), body)
	_, p = b2.Snapshot()
	if got := p.Until.Format(time.RFC3339Nano); got != "2023-11-14T22:15:23.456Z" {
		t.Errorf("ban until %s, want 2023-11-14T22:15:23.456Z", got)
	}

	// A new process with the same state folder restores the ban.
	b3, fc := newTestBudget(t, now.Add(time.Minute), path)
	err := b3.Acquire(context.Background(), 1)
	var fe *Error
	if !errors.As(err, &fe) || !errors.Is(err, ErrPaused) || !fe.Until.Equal(want) {
		t.Fatalf("restarted: err = %v, want ErrPaused until %v", err, want)
	}
	fc.Set(want)
	if err := b3.Acquire(context.Background(), 1); err != nil {
		t.Errorf("after the ban: %v", err)
	}
	if !b3.needsProbe() {
		t.Error("after the ban the first request is not a probe")
	}
}

func TestBudget_DamagedPauseFileRefusesToStart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "pause.json")
	if err := writeFile(path, "{not json"); err != nil {
		t.Fatal(err)
	}
	_, err := NewBudget(BudgetOptions{Clock: clock.NewFake(time.Now()), Share: 0.2,
		IPMargin: 0.9, Limit: 2400, PausePath: path})
	if err == nil {
		t.Fatal("a damaged pause file was ignored; a ban could be lifted by accident")
	}
}

func TestBannedUntil_Wordings(t *testing.T) {
	tests := map[string]int64{
		`{"code":-1003,"msg":"Way too many requests; IP(1.2.3.4) banned until 1615183669840. ` +
			`Please use the websocket for live updates to avoid bans."}`: 1615183669840,
		`{"code":-1003,"msg":"Way too much request weight used; IP banned until ` +
			`1660090423228. Please use WebSocket Streams for live updates to avoid ` +
			`bans."}`: 1660090423228,
	}
	for body, want := range tests {
		got, ok := bannedUntil([]byte(body))
		if !ok || got.UnixMilli() != want {
			t.Errorf("bannedUntil = %v %v, want %d", got, ok, want)
		}
	}
	if _, ok := bannedUntil([]byte(`<html>418</html>`)); ok {
		t.Error("found a ban time in HTML")
	}
}

func TestKlinesWeight_Bands(t *testing.T) {
	tests := map[int]int{1: 1, 99: 1, 100: 2, 499: 2, 500: 5, 1000: 5, 1001: 10, 1500: 10}
	for limit, want := range tests {
		if got := KlinesWeight(limit); got != want {
			t.Errorf("KlinesWeight(%d) = %d, want %d", limit, got, want)
		}
	}
}

func TestBudget_BackgroundDeferredBeforeUrgent(t *testing.T) {
	start := time.Date(2024, 1, 1, 12, 0, 10, 0, time.UTC)
	b, fc := newTestBudget(t, start, "")
	b.SetReserve(100) // of 480
	bg := Background(context.Background())
	for i := 0; i < 38; i++ { // 380 = 480 - 100
		if err := b.Acquire(bg, 10); err != nil {
			t.Fatalf("background call %d: %v", i, err)
		}
	}
	if !fc.Now().Equal(start) {
		t.Fatal("background work waited inside its part of the budget")
	}
	// Urgent work still gets the reserve in the same minute.
	for i := 0; i < 10; i++ {
		if err := b.Acquire(context.Background(), 10); err != nil {
			t.Fatalf("urgent call %d: %v", i, err)
		}
	}
	if !fc.Now().Equal(start) {
		t.Error("urgent work was deferred while background work had run")
	}
	// More background work waits for the next minute.
	if err := b.Acquire(bg, 10); err != nil {
		t.Fatal(err)
	}
	if fc.Now().Before(start.Truncate(time.Minute).Add(time.Minute)) {
		t.Error("background work ate into the reserve")
	}
}
