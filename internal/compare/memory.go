package compare

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/kline"
	"snapshotter/internal/render"
)

// MemoryOptions sets up RunMemory. Zero fields take the defaults named.
type MemoryOptions struct {
	// Snapshotter is the path of the snapshotter binary to run. Required.
	Snapshotter string
	// Time is GNU time, which reports the peak resident memory. Default
	// /usr/bin/time.
	Time string
	// For is how long the daemon runs. Default 10 minutes.
	For time.Duration
	// EChartsJS is the chart script the renderer copies. Required.
	EChartsJS string
	// Intervals are charted for each of the reference workload's ten
	// symbols, with Keep candles each. Default 1m, 5m, 15m, 1h and 4h:
	// 50 series of 288.
	Intervals []kline.Interval
	Keep      int
	// Progress gets a line now and then; nil means none.
	Progress io.Writer
}

func (o MemoryOptions) withDefaults() MemoryOptions {
	if o.Time == "" {
		o.Time = "/usr/bin/time"
	}
	if o.For <= 0 {
		o.For = 10 * time.Minute
	}
	if len(o.Intervals) == 0 {
		o.Intervals = []kline.Interval{"1m", "5m", "15m", "1h", "4h"}
	}
	if o.Keep <= 0 {
		o.Keep = 288
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	return o
}

// MemoryResult is what one real-time run of the daemon measured.
type MemoryResult struct {
	// Series is how many charts ran; Account whether the account did too.
	Series  int
	Account bool
	Ran     time.Duration
	// MaxRSS is GNU time's maximum resident set size of the daemon's
	// process; HWM is its VmHWM read from /proc just before it was
	// stopped. Both in bytes.
	MaxRSS, HWM int64
	// User and System are the daemon's CPU time over the whole run.
	User, System time.Duration
	// Started is how long after the start every chart's page first
	// existed, and StartCPU the CPU the daemon had used by then: the
	// first backfill of every chart and the whole site rendered.
	Started, StartCPU time.Duration
	// Pages are the replacements of each chart page, by interval, and
	// Closes the candle closes of each interval during the run.
	Pages  map[kline.Interval][]int
	Closes map[kline.Interval]int
	// Others are the replacements of the index and account pages.
	Others map[string]int
	// Requests and Weight reached the exchange.
	Requests, Weight int
}

// RunMemory measures the snapshotter binary's `run` in real time for o.For,
// twice at once, each against its own built-in exchange on loopback and
// under GNU time: charting every interval of o.Intervals for the reference
// workload's ten symbols, alone and with the account. It then stops each
// daemon with SIGINT and reports its peak memory, its CPU time and which
// pages it replaced.
func RunMemory(o MemoryOptions) ([]MemoryResult, error) {
	o = o.withDefaults()
	if o.Snapshotter == "" || o.EChartsJS == "" {
		return nil, errors.New("memory run: the snapshotter binary and the " +
			"chart script are required")
	}
	if _, err := os.Stat(o.Time); err != nil {
		return nil, fmt.Errorf("memory run needs GNU time: %w", err)
	}
	results := make([]MemoryResult, 2)
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i, account := range []bool{false, true} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], errs[i] = runMemory(o, account)
		}()
	}
	wg.Wait()
	return results, errors.Join(errs...)
}

// runMemory is one of RunMemory's runs.
func runMemory(o MemoryOptions, account bool) (MemoryResult, error) {
	dir, err := os.MkdirTemp("", "snapshotter-memory-")
	if err != nil {
		return MemoryResult{}, err
	}
	defer os.RemoveAll(dir)

	w := Reference()
	w.Start = time.Now().UTC()
	ex := exchange.New(w.exchangeConfig())
	base, err := ex.Start()
	if err != nil {
		return MemoryResult{}, fmt.Errorf("start exchange: %w", err)
	}
	defer ex.Close()

	var charts []config.Klines
	for _, iv := range o.Intervals {
		for _, sym := range w.Symbols {
			charts = append(charts, config.Klines{Symbol: sym, Interval: iv, Keep: o.Keep})
		}
	}
	cfg := configFile(base, dir, o.EChartsJS, charts, account, Tuning{})
	res, err := runDaemon(o, dir, cfg, charts)
	res.Account = account
	if err != nil {
		return res, err
	}
	for _, r := range ex.Requests() {
		res.Requests++
		res.Weight += r.Weight
	}
	return res, nil
}

// runDaemon runs the binary with the configuration cfg under GNU time for
// o.For, watching the published pages.
func runDaemon(o MemoryOptions, dir, cfg string, charts []config.Klines) (MemoryResult,
	error) {
	res := MemoryResult{Series: len(charts)}
	cfgPath := filepath.Join(dir, "config.toml")
	timePath := filepath.Join(dir, "time.txt")
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return res, err
	}
	logFile, err := os.Create(filepath.Join(dir, "daemon.log"))
	if err != nil {
		return res, err
	}
	defer logFile.Close()

	cmd := exec.Command(o.Time, "-v", "-o", timePath, o.Snapshotter, "run",
		"-config", cfgPath)
	cmd.Env = append(os.Environ(), envAPIKey+"="+benchAPIKey, envSecret+"="+benchSecret)
	cmd.Stdout, cmd.Stderr = logFile, logFile
	// Its own process group, so that SIGINT reaches the daemon under time.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	started := time.Now()
	if err := cmd.Start(); err != nil {
		return res, fmt.Errorf("start %s: %w", o.Time, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	pid, err := childOf(cmd.Process.Pid)
	if err != nil {
		stop(cmd.Process.Pid, exited)
		return res, err
	}
	fmt.Fprintf(o.Progress, "daemon running as pid %d for %s with %d charts\n",
		pid, o.For, len(charts))
	watch := newPageWatch(filepath.Join(dir, "public"))
	res.Started, res.StartCPU = watch.follow(pid, charts, started, o.For, o.Progress)
	res.HWM = procStatusKB(pid, "VmHWM") * 1024
	res.Ran = time.Since(started)
	if err := stop(cmd.Process.Pid, exited); err != nil {
		return res, fmt.Errorf("daemon did not stop cleanly: %w (log in %s)", err,
			logFile.Name())
	}
	if err := readTime(timePath, &res); err != nil {
		return res, err
	}
	res.Pages, res.Others = watch.byInterval()
	res.Closes = closes(o.Intervals, started, started.Add(res.Ran))
	return res, nil
}

// childOf waits, up to 5 s, for the process pid to have started its
// child, and returns the child's pid.
func childOf(pid int) (int, error) {
	path := fmt.Sprintf("/proc/%d/task/%d/children", pid, pid)
	for range 100 {
		b, err := os.ReadFile(path)
		if err == nil {
			if f := strings.Fields(string(b)); len(f) > 0 {
				return strconv.Atoi(f[0])
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return 0, fmt.Errorf("no child of process %d after 5 s", pid)
}

// stop sends SIGINT to the process group led by pid, the time process and
// the daemon, and waits up to a minute for it to end; then SIGKILL.
func stop(pid int, exited <-chan error) error {
	syscall.Kill(-pid, syscall.SIGINT)
	select {
	case err := <-exited:
		return err
	case <-time.After(time.Minute):
		syscall.Kill(-pid, syscall.SIGKILL)
		<-exited
		return errors.New("still running a minute after SIGINT; killed")
	}
}

// readTime reads GNU time's -v report.
func readTime(path string, res *MemoryResult) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("read time's report: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(strings.TrimSpace(sc.Text()), ": ")
		if !ok {
			continue
		}
		switch key {
		case "Maximum resident set size (kbytes)":
			kb, _ := strconv.ParseInt(val, 10, 64)
			res.MaxRSS = kb * 1024
		case "User time (seconds)":
			res.User = seconds(val)
		case "System time (seconds)":
			res.System = seconds(val)
		}
	}
	if res.MaxRSS == 0 {
		return fmt.Errorf("time's report %s has no maximum resident set size", path)
	}
	return sc.Err()
}

func seconds(s string) time.Duration {
	f, _ := strconv.ParseFloat(s, 64)
	return time.Duration(f * float64(time.Second))
}

// procStatusKB reads a "kB" field of /proc/<pid>/status; 0 when absent.
func procStatusKB(pid int, field string) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// procCPU returns the user plus system CPU time of pid from
// /proc/<pid>/stat, counted in Linux's USER_HZ of 100 ticks a second.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, in parentheses, may hold spaces; fields follow it.
	_, rest, ok := strings.Cut(string(b), ") ")
	if !ok {
		return 0
	}
	f := strings.Fields(rest)
	if len(f) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * 10 * time.Millisecond
}

// closes counts, for each interval, the candle closes in (from, to].
func closes(ivs []kline.Interval, from, to time.Time) map[kline.Interval]int {
	out := map[kline.Interval]int{}
	for _, iv := range ivs {
		out[iv] = ticks(time.Unix(0, 0), from, to, iv.Approx())
	}
	return out
}

// pageWatch counts how often each published page is replaced, by polling:
// a page is replaced by renaming a new file over it, which changes its
// inode.
type pageWatch struct {
	out   string
	seen  map[string]os.FileInfo
	count map[string]int
}

func newPageWatch(out string) *pageWatch {
	return &pageWatch{out: out, seen: map[string]os.FileInfo{}, count: map[string]int{}}
}

// poll notes the pages replaced since the last poll.
func (p *pageWatch) poll() {
	paths, _ := filepath.Glob(filepath.Join(p.out, "*.html"))
	for _, path := range paths {
		if strings.HasPrefix(filepath.Base(path), ".") {
			continue // a file being written, not yet a page
		}
		info, err := os.Stat(path)
		if err != nil {
			continue
		}
		prev := p.seen[path]
		if prev == nil || !os.SameFile(prev, info) || !prev.ModTime().Equal(info.ModTime()) {
			p.count[filepath.Base(path)]++
			p.seen[path] = info
		}
	}
}

// follow polls the pages four times a second until d has passed since
// started, and returns when every chart's page first existed and the CPU
// the daemon pid had used by then.
func (p *pageWatch) follow(pid int, charts []config.Klines, started time.Time,
	d time.Duration, progress io.Writer) (time.Duration, time.Duration) {
	var ready, readyCPU time.Duration
	next := time.Minute
	for time.Since(started) < d {
		time.Sleep(250 * time.Millisecond)
		p.poll()
		if ready == 0 && p.hasAll(charts) {
			ready, readyCPU = time.Since(started), procCPU(pid)
			fmt.Fprintf(progress, "every page published after %s, %s of CPU\n",
				ready.Round(time.Millisecond), readyCPU)
		}
		if time.Since(started) >= next {
			fmt.Fprintf(progress, "%s: %d kB resident, %s of CPU\n", next,
				procStatusKB(pid, "VmRSS"), procCPU(pid))
			next += time.Minute
		}
	}
	return ready, readyCPU
}

func (p *pageWatch) hasAll(charts []config.Klines) bool {
	for _, k := range charts {
		if p.count[render.SeriesName(k.Symbol, k.Interval)+".html"] == 0 {
			return false
		}
	}
	return true
}

// byInterval returns the chart pages' replacement counts by interval, and
// the other pages' by name.
func (p *pageWatch) byInterval() (map[kline.Interval][]int, map[string]int) {
	pages := map[kline.Interval][]int{}
	others := map[string]int{}
	for name, n := range p.count {
		base := strings.TrimSuffix(name, ".html")
		i := strings.LastIndex(base, "_")
		if iv := kline.Interval(base[i+1:]); i > 0 && iv.Valid() {
			pages[iv] = append(pages[iv], n)
			continue
		}
		others[name] = n
	}
	return pages, others
}

// Write prints the memory run's figures as Markdown.
func (m MemoryResult) Write(out io.Writer) {
	what := fmt.Sprintf("%d series of 288", m.Series)
	if m.Account {
		what += " and the account"
	}
	fmt.Fprintf(out, "`snapshotter run`, %s, against the built-in exchange on "+
		"loopback, for %s:\n\n", what, m.Ran.Round(time.Second))
	fmt.Fprintf(out, "- peak resident memory: %.1f MB = %.1f MiB (GNU time's maximum "+
		"resident set size; VmHWM read just before the stop: %.1f MiB)\n",
		float64(m.MaxRSS)/1e6, mib(m.MaxRSS), mib(m.HWM))
	fmt.Fprintf(out, "- CPU: %.1f s user + %.1f s system over the run\n",
		m.User.Seconds(), m.System.Seconds())
	fmt.Fprintf(out, "- start: every page published %.1f s after the start, with %.2f s "+
		"of CPU (the first backfill of all %d series and the whole site)\n",
		m.Started.Seconds(), m.StartCPU.Seconds(), m.Series)
	fmt.Fprintf(out, "- upstream: %d requests, weight %d\n\n", m.Requests, m.Weight)
	line(out, "page", "pages", "replaced per page (min–max)", "candle closes in the run")
	fmt.Fprintln(out, "|---|---:|---:|---:|")
	for _, iv := range kline.Intervals {
		ns, ok := m.Pages[iv]
		if !ok {
			continue
		}
		lo, hi := ns[0], ns[0]
		for _, n := range ns {
			lo, hi = min(lo, n), max(hi, n)
		}
		line(out, string(iv)+" charts", strconv.Itoa(len(ns)), fmt.Sprintf("%d–%d", lo, hi),
			strconv.Itoa(m.Closes[iv]))
	}
	names := make([]string, 0, len(m.Others))
	for name := range m.Others {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		// Several runs may replace these within one poll: at least this.
		line(out, name, "1", fmt.Sprintf("≥ %d", m.Others[name]), "")
	}
	fmt.Fprintln(out)
}

func mib(b int64) float64 { return float64(b) / (1 << 20) }
