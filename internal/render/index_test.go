package render

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/status"
)

// testStatus is a busy moment: a rate-limit pause, one healthy job, one
// stale job with a non-ASCII symbol and no Page set, one disabled job and
// one job without a series.
func testStatus() status.Status {
	now := time.Date(2023, 11, 14, 22, 20, 5, 0, time.UTC)
	ago := func(d time.Duration) *time.Time { t := now.Add(-d); return &t }
	return status.Status{
		GeneratedAt: now, StartedAt: now.Add(-3 * time.Hour), Version: "v0.1.0",
		Budget: status.Budget{
			Limit: 2400, Share: 0.25, Allowed: 600, UsedByUs: 212, UsedByIP: 1630,
			Minute: now.Truncate(time.Minute),
		},
		Pause: &status.Pause{
			Kind: "rate_limit", Until: now.Add(90 * time.Second),
			Reason: "HTTP 429: Too many requests.",
		},
		Jobs: []status.Job{
			{
				Name: "klines BTCUSDT 1m", Symbol: "BTCUSDT", Interval: "1m",
				Page: PageURL("BTCUSDT", "1m"), Data: DataURL("BTCUSDT", "1m"),
				Candles: 400, LastRun: ago(5 * time.Second),
				LastSuccess: ago(5 * time.Second), NextRun: ago(-55 * time.Second),
			},
			{
				Name: "klines 币安人生USDT 1h", Symbol: "币安人生USDT", Interval: "1h",
				Candles: 300, LastRun: ago(time.Minute), LastSuccess: ago(2 * time.Hour),
				StaleSince: ago(time.Hour), LastError: "fetch klines: server answered 503",
				ErrorClass: "server", ConsecutiveFailures: 4, Skips: 1,
				NextRun: ago(-4 * time.Minute),
			},
			{
				Name: "klines OLDUSDT 1h", Symbol: "OLDUSDT", Interval: "1h",
				Disabled: "the exchange does not list OLDUSDT", LastRun: ago(time.Hour),
				LastError: "invalid symbol", ErrorClass: "rejected", ConsecutiveFailures: 1,
			},
			{
				Name: "account", LastRun: ago(10 * time.Second),
				LastSuccess: ago(10 * time.Second), NextRun: ago(-50 * time.Second),
			},
		},
	}
}

func TestStatus_WritesJSONThenIndex(t *testing.T) {
	r, dir := newRenderer(t, nil)
	st := testStatus()
	if err := r.Status(st); err != nil {
		t.Fatal(err)
	}

	var got status.Status
	raw := read(t, filepath.Join(dir, "data", "status.json"))
	if err := json.Unmarshal([]byte(raw), &got); err != nil {
		t.Fatalf("status.json: %v", err)
	}
	if !reflect.DeepEqual(got, st) {
		t.Errorf("status.json = %+v\nwant %+v", got, st)
	}
	if _, err := os.Stat(filepath.Join(dir, "index.html")); err != nil {
		t.Errorf("index.html: %v", err)
	}
}

func TestStatus_IndexShowsState(t *testing.T) {
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Skipf("no zone data: %v", err)
	}
	tests := []struct {
		name string
		loc  *time.Location
		want []string
	}{
		{"UTC", nil, []string{
			"times in UTC",
			"status at <span class=\"num\">2023-11-14 22:20:05",
			"Rate limited by the exchange (HTTP 429)",
			"paused until\n  <span class=\"num\">2023-11-14 22:21:35</span> (in 1m)",
			"HTTP 429: Too many requests.",
			"<b class=\"num\">212</b> of\n      <span class=\"num\">600</span> allowed",
			"(25% of the limit)",
			`<meter min="0" max="2400" value="1630"`,
			"<b class=\"num\">1,630</b>\n      of <span class=\"num\">2,400</span>",
			// Links: given by the job, or made from symbol and interval.
			`href="BTCUSDT_1m.html"`,
			`href="%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT_1h.html"`,
			`href="data/klines/%E5%B8%81%E5%AE%89%E4%BA%BA%E7%94%9FUSDT_1h.json"`,
			"STALE since 2023-11-14 21:20:05",
			"2023-11-14 20:20:05 (<span data-since=\"1699993205000\">2h ago</span>)",
			"[server] fetch klines: server answered 503",
			"<dt>failures in a row</dt><dd class=\"num\">4</dd>",
			"<dt>skipped runs</dt><dd class=\"num\">1</dd>",
			"DISABLED", "the exchange does not list OLDUSDT",
			"<dt>next run</dt><dd class=\"num\">2023-11-14 22:24:05</dd>",
			"snapshotter v0.1.0",
			"<strong>Stale data</strong>: 1 chart could not be\n  refreshed",
			"klines 币安人生USDT 1h (since 2023-11-14 21:20:05).",
		}},
		{"Asia/Shanghai", shanghai, []string{
			"times in Asia/Shanghai",
			"status at <span class=\"num\">2023-11-15 06:20:05",
			"STALE since 2023-11-15 05:20:05",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, dir := newRenderer(t, tt.loc)
			if err := r.Status(testStatus()); err != nil {
				t.Fatal(err)
			}
			page := read(t, filepath.Join(dir, "index.html"))
			for _, w := range tt.want {
				if !strings.Contains(page, w) {
					t.Errorf("index lacks %q", w)
				}
			}
		})
	}
}

func TestStatus_NoBannerWithoutPause(t *testing.T) {
	r, dir := newRenderer(t, nil)
	st := testStatus()
	st.Pause = nil
	if err := r.Status(st); err != nil {
		t.Fatal(err)
	}
	page := read(t, filepath.Join(dir, "index.html"))
	if strings.Contains(page, `class="banner"`) {
		t.Error("index shows a pause banner without a pause")
	}
	for i := range st.Jobs {
		st.Jobs[i].StaleSince = nil
	}
	if err := r.Status(st); err != nil {
		t.Fatal(err)
	}
	if page := read(t, filepath.Join(dir, "index.html")); strings.Contains(page, "Stale data") {
		t.Error("index shows a stale banner with every chart fresh")
	}
}

func TestStatus_UnchangedFilesNotRewritten(t *testing.T) {
	r, dir := newRenderer(t, nil)
	if err := r.Status(testStatus()); err != nil {
		t.Fatal(err)
	}
	files := []string{filepath.Join(dir, "data", "status.json"),
		filepath.Join(dir, "index.html")}
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range files {
		if err := os.Chtimes(f, old, old); err != nil {
			t.Fatal(err)
		}
	}

	if err := r.Status(testStatus()); err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			t.Fatal(err)
		}
		if !fi.ModTime().Equal(old) {
			t.Errorf("%s rewritten with the same content", filepath.Base(f))
		}
	}
}

func TestStatus_IndexNotTouchedWhenJSONFails(t *testing.T) {
	r, dir := newRenderer(t, nil)
	if err := r.Status(testStatus()); err != nil {
		t.Fatal(err)
	}
	old := read(t, filepath.Join(dir, "index.html"))

	// A folder where status.json should be makes the JSON write fail.
	js := filepath.Join(dir, "data", "status.json")
	if err := os.Remove(js); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(js, "x"), 0o755); err != nil {
		t.Fatal(err)
	}
	st := testStatus()
	st.Pause = nil
	if err := r.Status(st); err == nil {
		t.Fatal("Status succeeded without its JSON")
	}
	if got := read(t, filepath.Join(dir, "index.html")); got != old {
		t.Error("index replaced although its JSON was not")
	}
}

func TestRelative_Rounds(t *testing.T) {
	now := time.Date(2024, 1, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		d    time.Duration
		want string
	}{
		{-45 * time.Second, "45s ago"},
		{-3*time.Minute - 10*time.Second, "3m ago"},
		{-2*time.Hour - 5*time.Minute, "2h5m ago"},
		{-2 * time.Hour, "2h ago"},
		{-50 * time.Hour, "2d ago"},
		{90 * time.Second, "in 1m"},
		{0, "in 0s"},
	}
	for _, tt := range tests {
		if got := relative(now, now.Add(tt.d)); got != tt.want {
			t.Errorf("relative(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	if got := relative(time.Time{}, now); got != "" {
		t.Errorf("relative from zero time = %q, want empty", got)
	}
}
