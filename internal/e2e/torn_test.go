package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"snapshotter/internal/kline"
	"snapshotter/internal/render"
	"snapshotter/internal/status"
)

// Bounds of the hammering: whichever comes first.
const (
	hammerRequests = 4000
	hammerFor      = 6 * time.Second
	hammerReaders  = 4
)

// TestNginx_NoTornReads is case C19. While the renderer publishes version
// after version of a chart of 700 candles (a 200 KB snapshot) and of the
// status, four clients ask nginx for a page and then its JSON, plain and
// gzip by turns. Every answer must be whole and parse, be a version that
// was published while the request ran, and a JSON must never be older than
// the page fetched just before it: a page is switched only after its data.
func TestNginx_NoTornReads(t *testing.T) {
	nginxPath(t)
	public := filepath.Join(worldReadableTempDir(t), "public")
	js, _ := echartsScript(t)
	r, err := render.New(render.Options{Dir: public, EChartsJS: js, Version: "e2e"})
	if err != nil {
		t.Fatal(err)
	}
	w := &writer{r: r, pool: candles(700 + 5000)}
	if err := w.publish(0); err != nil {
		t.Fatal(err)
	}
	n := startNginx(t, public)

	ctx, cancel := context.WithTimeout(context.Background(), hammerFor)
	defer cancel()
	var versions int64
	var wg sync.WaitGroup
	wg.Go(func() { versions = w.run(ctx) })

	var sent atomic.Int64
	errs := make(chan error, hammerReaders)
	c := plainClient(hammerReaders)
	for i := range hammerReaders {
		wg.Go(func() {
			errs <- hammer(ctx, c, n, w, i, &sent)
			cancel() // one failure, or the count reached, ends the run
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}

	t.Logf("%d requests while %d versions were published", sent.Load(), versions)
	if sent.Load() < 1000 || versions < 10 {
		t.Errorf("only %d requests over %d versions: the hammering proved little",
			sent.Load(), versions)
	}
}

// writer publishes versions of one series and of the status; started and
// done are the versions being and last written.
type writer struct {
	r             *render.Renderer
	pool          []kline.Candle
	started, done atomic.Int64
}

// base is the fetch time of version 0; version v is v seconds later.
var base = time.Date(2026, 1, 2, 3, 4, 0, 0, time.UTC)

// publish writes version v: the series, then the status, each JSON before
// its page.
func (w *writer) publish(v int64) error {
	w.started.Store(v)
	at := base.Add(time.Duration(v) * time.Second)
	// Each version slides the 700-candle window by one.
	s := kline.Series{Symbol: "BTCUSDT", Interval: "1m",
		Candles: w.pool[v%5000 : v%5000+700]}
	if err := w.r.Series(s, render.SeriesMeta{FetchedAt: at}); err != nil {
		return err
	}
	st := status.Status{GeneratedAt: at, StartedAt: base, Version: "e2e",
		Jobs: []status.Job{{Name: "BTCUSDT 1m", Symbol: "BTCUSDT", Interval: "1m",
			Page: render.PageURL("BTCUSDT", "1m"), Data: render.DataURL("BTCUSDT", "1m"),
			Candles: 700, LastRun: &at, LastSuccess: &at}}}
	if err := w.r.Status(st); err != nil {
		return err
	}
	w.done.Store(v)
	return nil
}

// run publishes new versions until ctx ends and returns how many.
func (w *writer) run(ctx context.Context) int64 {
	v := int64(0)
	for ctx.Err() == nil {
		v++
		if err := w.publish(v); err != nil {
			panic(fmt.Sprintf("publish version %d: %v", v, err))
		}
	}
	return v
}

// pairs are the pages with their JSON, and how each names its version.
var pairs = []struct {
	page, data string
	pageTime   *regexp.Regexp
	dataKey    string
}{
	{"/BTCUSDT_1m.html", "/data/klines/BTCUSDT_1m.json",
		regexp.MustCompile(`data fetched at <span class="num">([^<]+)</span>`), "fetched_at"},
	{"/index.html", "/data/status.json",
		regexp.MustCompile(`status at <span class="num">([^<]+)</span>`), "generated_at"},
}

// hammer asks for page-then-JSON pairs until ctx ends or hammerRequests
// were sent by all readers together.
func hammer(ctx context.Context, c *http.Client, n *nginxServer, w *writer, id int,
	sent *atomic.Int64) error {
	for i := 0; ctx.Err() == nil; i++ {
		if sent.Add(2) > hammerRequests {
			return nil
		}
		p := pairs[(i+id)%len(pairs)]
		gz := (i/2+id)%2 == 1

		lo := w.done.Load()
		pv, err := readVersion(ctx, c, n, p.page, gz, func(b []byte) (time.Time, error) {
			return pageVersion(b, p.pageTime)
		})
		if err != nil {
			return err
		}
		dv, err := readVersion(ctx, c, n, p.data, gz, func(b []byte) (time.Time, error) {
			return dataVersion(b, p.dataKey)
		})
		if err != nil {
			return err
		}
		hi := w.started.Load()
		if ctx.Err() != nil {
			return nil // the run ended while a request was out
		}

		for _, got := range []struct {
			path string
			v    int64
		}{{p.page, pv}, {p.data, dv}} {
			if got.v < lo || got.v > hi {
				return fmt.Errorf("%s (gzip %v): version %d, but %d..%d were current",
					got.path, gz, got.v, lo, hi)
			}
		}
		if dv < pv {
			return fmt.Errorf("%s (gzip %v): version %d after its page's %d: the page "+
				"was switched before its JSON", p.data, gz, dv, pv)
		}
	}
	return nil
}

// readVersion fetches path, checks the answer is whole, and returns its
// version as the writer numbered it.
func readVersion(ctx context.Context, c *http.Client, n *nginxServer, path string, gz bool,
	version func([]byte) (time.Time, error)) (int64, error) {
	f, err := get(ctx, c, n, path, gz)
	if err != nil {
		if ctx.Err() != nil {
			return 0, nil
		}
		return 0, err
	}
	if f.status != http.StatusOK || len(f.body) == 0 {
		return 0, fmt.Errorf("%s: status %d, %d bytes", path, f.status, len(f.body))
	}
	body := f.body
	if gz {
		if f.header.Get("Content-Encoding") != "gzip" {
			return 0, fmt.Errorf("%s: not the .gz copy", path)
		}
		if body, err = gunzip(body); err != nil {
			return 0, fmt.Errorf("%s: torn gzip: %w", path, err)
		}
	}
	at, err := version(body)
	if err != nil {
		return 0, fmt.Errorf("%s (gzip %v): %w", path, gz, err)
	}
	return int64(at.Sub(base) / time.Second), nil
}

// pageVersion checks that a page is whole, with its JSON block intact, and
// returns the time it shows.
func pageVersion(b []byte, re *regexp.Regexp) (time.Time, error) {
	if !bytes.HasSuffix(b, []byte("</html>\n")) {
		return time.Time{}, fmt.Errorf("page of %d bytes is cut short", len(b))
	}
	if block, ok := jsonBlock(b); ok && !json.Valid(block) {
		return time.Time{}, fmt.Errorf("page's JSON block does not parse")
	}
	m := re.FindSubmatch(b)
	if m == nil {
		return time.Time{}, fmt.Errorf("page does not say its time")
	}
	return time.Parse("2006-01-02 15:04:05", string(m[1]))
}

// jsonBlock is the content of a chart page's JSON block.
func jsonBlock(b []byte) ([]byte, bool) {
	const open = `<script type="application/json" id="snapshot" data-live>`
	i := bytes.Index(b, []byte(open))
	if i < 0 {
		return nil, false
	}
	rest := b[i+len(open):]
	j := bytes.Index(rest, []byte("</script>"))
	if j < 0 {
		return rest, true
	}
	return rest[:j], true
}

// dataVersion checks that a snapshot parses and returns its time field.
func dataVersion(b []byte, key string) (time.Time, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return time.Time{}, fmt.Errorf("JSON of %d bytes does not parse: %w", len(b), err)
	}
	var at time.Time
	if err := json.Unmarshal(m[key], &at); err != nil {
		return time.Time{}, fmt.Errorf("%s: %w", key, err)
	}
	return at, nil
}

// candles makes n one-minute candles of a walk, as the exchange writes
// them: fixed decimals, the newest still open.
func candles(n int) []kline.Candle {
	out := make([]kline.Candle, n)
	start := base.Add(-time.Duration(n) * time.Minute).UnixMilli()
	cents := int64(9_400_000)
	for i := range out {
		open := cents
		cents += int64((i*7919)%4001) - 2000
		hi, lo := max(open, cents)+150, min(open, cents)-150
		ot := start + int64(i)*60000
		out[i] = kline.Candle{OpenTime: ot, CloseTime: ot + 59999,
			Open: cents2(open), High: cents2(hi), Low: cents2(lo), Close: cents2(cents),
			Volume: fmt.Sprintf("%d.%03d", i%97, i%1000), QuoteVolume: "1000.00",
			Trades: int64(i % 500), TakerBuyBase: "1.000", TakerBuyQuote: "500.00",
			Closed: true}
	}
	return out
}

func cents2(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }
