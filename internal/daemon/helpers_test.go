package daemon

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"snapshotter/internal/clock"
	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/fetch"
	"snapshotter/internal/kline"
	"snapshotter/internal/render"
	"snapshotter/internal/status"
	"snapshotter/internal/store"
)

// setup says how newEnv builds a daemon; the zero value is the built-in
// exchange's default markets and no charts.
type setup struct {
	markets     []exchange.Market
	weightLimit int
	charts      []config.Klines
	// wrap, when set, puts a Publisher around the real renderer.
	wrap func(Publisher) Publisher
	// handler, when set, serves the exchange's requests instead of the
	// exchange itself, for tests that script an answer by its order.
	handler func(*exchange.Server) http.Handler
	// accounts are the exchange's accounts; account, with signer, turns
	// on the daemon's account job.
	accounts []exchange.Account
	account  *config.Account
	signer   fetch.Signer
	// clientSkew puts the client's clock this far from the exchange's.
	clientSkew time.Duration
}

// env is one daemon wired as cmd/snapshotter wires it, against the
// built-in exchange on loopback. Client and exchange share one fake clock.
type env struct {
	t      *testing.T
	ctx    context.Context
	clock  *clock.Fake
	cfg    exchange.Config
	ex     *exchange.Server
	conf   config.Config
	wrap   func(Publisher) Publisher
	client *fetch.Client
	store  *store.Store
	out    string
	d      *Daemon
	logs   *logBook
	signer fetch.Signer
	skew   time.Duration
}

func newEnv(t *testing.T, now time.Time, s setup) *env {
	t.Helper()
	fc := clock.NewFake(now)
	xcfg := exchange.Config{Clock: fc, Markets: s.markets, WeightLimit: s.weightLimit,
		Accounts: s.accounts}
	ex := exchange.New(xcfg)
	var h http.Handler = ex
	if s.handler != nil {
		h = s.handler(ex)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	dir := t.TempDir()
	cfg := config.Default()
	cfg.Exchange.BaseURL = srv.URL
	cfg.Output.Dir = filepath.Join(dir, "public")
	cfg.Output.EChartsJS = filepath.Join(dir, "echarts.min.js")
	cfg.State.Dir = filepath.Join(dir, "state")
	cfg.Klines = s.charts
	cfg.Account = s.account
	if err := os.WriteFile(cfg.Output.EChartsJS, []byte("/* stub */"), 0o644); err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: context.Background(), clock: fc, cfg: xcfg, ex: ex, conf: cfg,
		wrap: s.wrap, out: cfg.Output.Dir, logs: &logBook{}, signer: s.signer,
		skew: s.clientSkew}
	e.start()
	return e
}

// start builds the client, cache, renderer and daemon, as a process
// starting on the same folders would.
func (e *env) start() {
	t := e.t
	t.Helper()
	log := slog.New(e.logs)
	httpClient := fetch.NewHTTPClient(5*time.Second, "test")
	t.Cleanup(httpClient.CloseIdleConnections)
	var clk clock.Clock = e.clock
	if e.skew != 0 {
		clk = skewed{e.clock, e.skew}
	}
	client, err := fetch.New(fetch.Options{BaseURL: e.conf.Exchange.BaseURL, HTTP: httpClient,
		Clock: clk, Share: e.conf.Budget.Share, IPMargin: e.conf.Budget.IPMargin,
		PausePath: filepath.Join(e.conf.State.Dir, "pause.json"), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	st, err := store.New(e.conf.State.Dir)
	if err != nil {
		t.Fatal(err)
	}
	r, err := render.New(render.Options{Dir: e.conf.Output.Dir,
		EChartsJS: e.conf.Output.EChartsJS, Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	var pub Publisher = r
	if e.wrap != nil {
		pub = e.wrap(r)
	}
	e.client, e.store = client, st
	var priv *fetch.Private
	if e.conf.Account != nil {
		priv = client.NewPrivate(fetch.Profiles[e.conf.Account.Profile], e.signer)
	}
	e.d = New(Options{Config: e.conf, Client: client, Store: st, Publisher: pub,
		Private: priv, Logger: log, Version: "test"})
}

// chart is a [[klines]] entry.
func chart(symbol string, iv kline.Interval, keep int) config.Klines {
	return config.Klines{Symbol: symbol, Interval: iv, Keep: keep}
}

// at parses an RFC 3339 time.
func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		panic(err)
	}
	return t.UTC()
}

func (e *env) job(symbol string, iv kline.Interval) *klinesJob {
	e.t.Helper()
	for _, j := range e.d.jobs {
		if j.cfg.Symbol == symbol && j.cfg.Interval == iv {
			return j
		}
	}
	e.t.Fatalf("no job %s %s", symbol, iv)
	return nil
}

// once runs Daemon.Once and fails the test when it could not start.
func (e *env) once() int {
	e.t.Helper()
	failed, err := e.d.Once(e.ctx)
	if err != nil {
		e.t.Fatalf("Once: %v", err)
	}
	return failed
}

func (e *env) prepare() {
	e.t.Helper()
	if err := e.d.Prepare(e.ctx); err != nil {
		e.t.Fatalf("Prepare: %v", err)
	}
}

// run runs one tick of a job, as cron would.
func (e *env) run(symbol string, iv kline.Interval) error {
	e.t.Helper()
	return e.d.runJob(e.ctx, e.job(symbol, iv))
}

// tick sets the clock and runs every job once, in order, as cron would
// at a minute's firing.
func (e *env) tick(now time.Time) {
	e.t.Helper()
	e.clock.Set(now)
	for _, j := range e.d.jobs {
		e.d.runJob(e.ctx, j)
	}
}

// mark returns how many requests reached the exchange so far, for since.
func (e *env) mark() int { return len(e.ex.Requests()) }

// since returns the requests that reached the exchange after mark n.
func (e *env) since(n int) []exchange.Request { return e.ex.Requests()[n:] }

// status reads the published data/status.json.
func (e *env) status() status.Status {
	e.t.Helper()
	var st status.Status
	e.readJSON(filepath.Join(e.out, "data", "status.json"), &st)
	return st
}

func (e *env) jobStatus(symbol string, iv kline.Interval) status.Job {
	e.t.Helper()
	name := symbol + " " + string(iv)
	for _, j := range e.status().Jobs {
		if j.Name == name {
			return j
		}
	}
	e.t.Fatalf("status.json has no job %q", name)
	return status.Job{}
}

// published is a chart's two files as they are on disk.
type published struct{ json, html []byte }

func (e *env) files(symbol string, iv kline.Interval) published {
	e.t.Helper()
	name := render.SeriesName(symbol, iv)
	j, err := os.ReadFile(filepath.Join(e.out, "data", "klines", name+".json"))
	if err != nil {
		e.t.Fatal(err)
	}
	h, err := os.ReadFile(filepath.Join(e.out, name+".html"))
	if err != nil {
		e.t.Fatal(err)
	}
	return published{j, h}
}

func (p published) equal(q published) bool {
	return string(p.json) == string(q.json) && string(p.html) == string(q.html)
}

// snapshot is a chart's JSON file.
type snapshot struct {
	Symbol     string         `json:"symbol"`
	Interval   string         `json:"interval"`
	FetchedAt  *time.Time     `json:"fetched_at"`
	Stale      bool           `json:"stale"`
	StaleSince *time.Time     `json:"stale_since"`
	Count      int            `json:"count"`
	Gaps       []kline.Gap    `json:"gaps"`
	Candles    []kline.Candle `json:"candles"`
}

func (e *env) snapshot(symbol string, iv kline.Interval) snapshot {
	e.t.Helper()
	var s snapshot
	name := render.SeriesName(symbol, iv)
	e.readJSON(filepath.Join(e.out, "data", "klines", name+".json"), &s)
	return s
}

func (e *env) readJSON(path string, v any) {
	e.t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		e.t.Fatalf("%s: %v", path, err)
	}
}

// truth returns what the exchange answers for a klines request at the
// clock's time, read from a twin of the exchange so that the real one
// neither charges it nor logs it.
func (e *env) truth(symbol string, iv kline.Interval, start time.Time, limit int) []byte {
	e.t.Helper()
	twin := exchange.New(e.cfg)
	q := url.Values{"symbol": {symbol}, "interval": {string(iv)},
		"startTime": {strconv.FormatInt(start.UnixMilli(), 10)},
		"limit":     {strconv.Itoa(limit)}}
	rec := httptest.NewRecorder()
	twin.ServeHTTP(rec, httptest.NewRequest(http.MethodGet,
		"/fapi/v1/klines?"+q.Encode(), nil))
	if rec.Code != http.StatusOK {
		e.t.Fatalf("twin exchange: HTTP %d %s", rec.Code, rec.Body)
	}
	return rec.Body.Bytes()
}

// rows encodes candles as the exchange's klines answer.
func rows(t *testing.T, cs []kline.Candle) string {
	t.Helper()
	rs := make([][]any, len(cs))
	for i, c := range cs {
		rs[i] = c.Row()
	}
	b, err := json.Marshal(rs)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// klinesTo returns the klines requests for symbol among reqs.
func klinesTo(reqs []exchange.Request, symbol string) []exchange.Request {
	var out []exchange.Request
	for _, r := range reqs {
		if strings.HasSuffix(r.Path, "/klines") && query(r).Get("symbol") == symbol {
			out = append(out, r)
		}
	}
	return out
}

func query(r exchange.Request) url.Values {
	q, _ := url.ParseQuery(r.Query)
	return q
}

func describe(reqs []exchange.Request) []string {
	var out []string
	for _, r := range reqs {
		out = append(out, fmt.Sprintf("%s %s?%s -> %d", r.Time.Format("15:04:05.000"),
			r.Path, r.Query, r.Status))
	}
	return out
}

// logBook is a slog handler that keeps every record, for tests that count
// what the daemon said.
type logBook struct {
	mu   sync.Mutex
	recs []logLine
}

type logLine struct {
	level slog.Level
	text  string // message and attributes
}

func (l *logBook) Enabled(context.Context, slog.Level) bool { return true }

func (l *logBook) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, logLine{r.Level, b.String()})
	return nil
}

func (l *logBook) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logBook) WithGroup(string) slog.Handler      { return l }

// mark returns how many records were kept so far, for since.
func (l *logBook) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recs)
}

// since returns the records at level or above after mark n.
func (l *logBook) since(n int, level slog.Level) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, r := range l.recs[n:] {
		if r.level >= level {
			out = append(out, r.level.String()+" "+r.text)
		}
	}
	return out
}

// skewed is a clock off from another by a fixed amount, as a host clock
// off from the exchange's.
type skewed struct {
	base *clock.Fake
	by   time.Duration
}

func (s skewed) Now() time.Time { return s.base.Now().Add(s.by) }

func (s skewed) Sleep(ctx context.Context, d time.Duration) error {
	return s.base.Sleep(ctx, d)
}
