package daemon

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/fetch"
)

// stop is a window in which the exchange told the client to send nothing.
type stop struct {
	kind     string
	from, to time.Time
}

// TestChaos_HoursOfFaults drives the daemon through hours of simulated
// schedule while the exchange answers at random with every fault it can
// give, then checks the exchange's own log: nothing sent during a ban or a
// rate-limit pause, no minute over the process's share, a single light
// probe first after each pause, every published file always whole, and
// no goroutines or files leaking.
func TestChaos_HoursOfFaults(t *testing.T) {
	if testing.Short() {
		t.Skip("long simulated run")
	}
	// Thousands of publishes each sync to disk; on tmpfs those syncs cost
	// nothing. The test is about what reaches the exchange and what readers
	// see, which tmpfs does not change.
	if fi, err := os.Stat("/dev/shm"); err == nil && fi.IsDir() {
		if f, err := os.CreateTemp("/dev/shm", "probe"); err == nil {
			f.Close()
			os.Remove(f.Name())
			t.Setenv("TMPDIR", "/dev/shm")
		}
	}
	start := at("2025-03-01T00:00:02Z")
	charts := []config.Klines{
		chart("BTCUSDT", "1m", 2000), chart("ETHUSDT", "1m", 300),
		chart("币安人生USDT", "1m", 120), chart("ASTERUSDT", "5m", 500),
		chart("REZUSDT", "15m", 3500), chart("BTCUSDT", "1h", 200),
	}
	e := newEnv(t, start, setup{charts: charts})
	e.prepare()
	rng := rand.New(rand.NewPCG(7, 11))

	stopReader := startReader(t, e.out)
	baseG, baseFD := runtime.NumGoroutine(), openFiles()

	var stops []stop
	const hours = 6
	end := start.Add(hours * time.Hour)
	nextInfo := start.Add(time.Hour)
	faults := 0
	for now := e.clock.Now(); now.Before(end); now = e.clock.Now() {
		// The earliest firing of any job, as cron would schedule it.
		next := end
		for _, j := range e.d.jobs {
			s := closeSchedule{iv: j.cfg.Interval, delay: e.conf.Schedule.Delay.Duration,
				offset: func() time.Duration { return 0 }}
			if n := s.Next(now); n.Before(next) {
				next = n
			}
		}
		e.clock.Set(next)
		if rng.IntN(6) == 0 {
			stops = append(stops, injectFault(e, rng)...)
			faults++
		}
		for _, j := range e.d.jobs {
			s := closeSchedule{iv: j.cfg.Interval, delay: e.conf.Schedule.Delay.Duration,
				offset: func() time.Duration { return 0 }}
			if s.Next(next.Add(-time.Nanosecond)).Equal(next) {
				e.d.runJob(e.ctx, j)
			}
		}
		if !e.clock.Now().Before(nextInfo) {
			e.d.refreshInfo(e.ctx)
			nextInfo = nextInfo.Add(time.Hour)
		}
		e.ex.ClearFaults()
	}
	reads := stopReader()

	reqs := e.ex.Requests()
	t.Logf("%d simulated hours, %d requests, %d faults, %d pauses, %d file reads",
		hours, len(reqs), faults, len(stops), reads)
	if faults < 20 || len(stops) < 3 {
		t.Fatalf("only %d faults and %d pauses: the run proves little", faults, len(stops))
	}
	checkStops(t, reqs, stops)
	checkShare(t, reqs, int(e.conf.Budget.Share*2400))

	// Every chart is whole and fresh at the end, after all the faults.
	for _, c := range charts {
		s := e.snapshot(c.Symbol, c.Interval)
		if len(s.Candles) != c.Keep {
			t.Errorf("%s: %d candles, want %d", c.Name(), len(s.Candles), c.Keep)
		}
	}
	runtime.GC()
	if g := runtime.NumGoroutine(); g > baseG+4 {
		t.Errorf("goroutines grew from %d to %d", baseG, g)
	}
	if fd := openFiles(); fd > baseFD+4 {
		t.Errorf("open files grew from %d to %d", baseFD, fd)
	}
}

// injectFault scripts the exchange's next klines answer with one of its
// faults and returns the stops it imposes.
func injectFault(e *env, rng *rand.Rand) []stop {
	now := e.clock.Now()
	f := exchange.Fault{Path: "/fapi/v1/klines", Times: 1 + rng.IntN(3)}
	var out []stop
	switch rng.IntN(9) {
	case 0: // C01: ban, until in the body and Retry-After
		until := now.Add(time.Duration(2+rng.IntN(20)) * time.Minute)
		ra := int(until.Sub(now).Seconds()) - rng.IntN(60)
		f.Status, f.Times = 418, 1
		f.Header = http.Header{"Retry-After": {strconv.Itoa(ra)}}
		f.Body = fmt.Sprintf(`{"code":-1003,"msg":"Way too much request weight used; `+
			`IP banned until %d. Please use the websocket for live updates to avoid bans."}`,
			until.UnixMilli())
		out = append(out, stop{"ban", now, until})
	case 1: // C02: 429 without a usable Retry-After
		f.Status, f.Times = 429, 1
		if rng.IntN(2) == 0 {
			f.Header = http.Header{"Retry-After": {"0"}}
		}
		f.Body = `{"code":-1003,"msg":"Too many requests; current limit of IP(X) is 2400."}`
		out = append(out, stop{"rate_limit", now, now.Truncate(time.Minute).Add(time.Minute)})
	case 2: // C05: firewall 403 page
		f.Status, f.Times = 403, 1
		f.Header = http.Header{"Content-Type": {"text/html"}}
		f.Body = `<HTML><BODY><H1>403 ERROR</H1>Request blocked. (CloudFront)</BODY></HTML>`
		out = append(out, stop{"blocked", now, now.Add(5 * time.Minute)})
	case 3: // C06: proxy 502 page
		f.Status = 502
		f.Body = `<html><head><title>502 Bad Gateway</title></head></html>`
	case 4:
		f.Status = 503
		f.Body = `{"code":-1007,"msg":"Timeout waiting for response from backend server."}`
	case 5: // truncated answer
		f.Status, f.Body = 200, `[[1740787200000,"94000.1","94100.0",`
	case 6: // not JSON at all
		f.Status, f.Body = 200, `<html>maintenance</html>`
	case 7: // C07/C10: [] where the current candle must be
		f.Status, f.Body = 200, `[]`
	case 8: // C03: another process on the IP used almost everything
		f.Status = 200
		f.Header = http.Header{"X-Mbx-Used-Weight-1m": {"2350"}}
		f.Body = `[]`
	}
	e.ex.Inject(f)
	return out
}

// checkStops asserts that nothing reached the exchange inside a stop, and
// that the first request after a ban or block is the light probe.
func checkStops(t *testing.T, reqs []exchange.Request, stops []stop) {
	t.Helper()
	for _, s := range stops {
		var trigger time.Time
		for _, r := range reqs {
			if !r.Time.Before(s.from) && r.Status >= 403 && r.Status <= 429 && r.Injected {
				trigger = r.Time
				break
			}
		}
		if trigger.IsZero() {
			continue // the fault was never reached: an earlier stop held it off
		}
		first := true
		for _, r := range reqs {
			if !r.Time.After(trigger) {
				continue
			}
			if r.Time.Before(s.to) {
				t.Errorf("%s from %v to %v: %s %s sent at %v", s.kind,
					trigger.Format(time.TimeOnly), s.to.Format(time.TimeOnly),
					r.Path, r.Query, r.Time.Format(time.TimeOnly))
			}
			if first && s.kind != "rate_limit" && r.Path != "/fapi/v1/ping" {
				t.Errorf("after the %s ending %v the first request was %s, not the probe",
					s.kind, s.to.Format(time.TimeOnly), r.Path)
			}
			first = false
		}
	}
}

// checkShare asserts that no calendar minute holds more of our weight
// than the share allows, counting weight as the exchange documents it.
func checkShare(t *testing.T, reqs []exchange.Request, allowed int) {
	t.Helper()
	perMinute := map[time.Time]int{}
	for _, r := range reqs {
		w := 1
		if r.Path == "/fapi/v1/klines" {
			limit, _ := strconv.Atoi(query(r).Get("limit"))
			w = fetch.KlinesWeight(limit)
		}
		perMinute[r.Time.Truncate(time.Minute)] += w
	}
	for m, w := range perMinute {
		if w > allowed {
			t.Errorf("minute %v: weight %d, share allows %d", m.Format(time.TimeOnly), w, allowed)
		}
	}
}

// startReader reads every published JSON file in a loop, as a busy static
// server would, until the returned function is called; each read must be
// a whole, parsable file. It returns how many reads were made.
func startReader(t *testing.T, out string) func() int {
	var done atomic.Bool
	var wg sync.WaitGroup
	var reads int
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; i < 200_000 && !done.Load(); i++ {
			// A short pause between rounds keeps the reader from taking a
			// whole core from the daemon it watches; it paces, it does not
			// wait for anything.
			if i > 0 {
				time.Sleep(2 * time.Millisecond)
			}
			files, _ := filepath.Glob(filepath.Join(out, "data", "klines", "*.json"))
			files = append(files, filepath.Join(out, "data", "status.json"))
			for _, f := range files {
				b, err := os.ReadFile(f)
				if os.IsNotExist(err) {
					continue
				}
				reads++
				if err != nil || len(b) == 0 || !json.Valid(b) {
					t.Errorf("%s: a reader saw a broken file (%d bytes, %v)", f, len(b), err)
					return
				}
			}
		}
	}()
	return func() int {
		done.Store(true)
		wg.Wait()
		return reads
	}
}

func openFiles() int {
	fds, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		return 0
	}
	return len(fds)
}
