package compare

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"snapshotter/internal/render"
)

// siteReader is the viewers of the product's dashboard: a view reads the
// published files of every chart and of the account, as a browser would
// from nginx, and nothing else. A file is read again only when it was
// replaced, as a browser's revalidation would find; all viewers share
// what was read.
type siteReader struct {
	w     Workload
	out   string
	files map[string]*siteFile
}

// siteFile is a published file as last read.
type siteFile struct {
	info os.FileInfo
	// newest is the open time of the newest closed candle in a chart's
	// snapshot; ok is false when it holds none or is not a snapshot.
	newest int64
	ok     bool
}

// accountFiles are the account's published files a view reads.
var accountFiles = []string{"account.json", "trades.json", "income.json"}

func newSiteReader(out string, w Workload) *siteReader {
	return &siteReader{w: w, out: out, files: map[string]*siteFile{}}
}

// view reads what one dashboard view shows and notes in seen the newest
// closed candle of each chart it found.
func (r *siteReader) view(seen *tracker) {
	now := time.Now()
	for _, sym := range r.w.Symbols {
		name := render.SeriesName(sym, r.w.Interval) + ".json"
		f := r.read(filepath.Join(r.out, "data", "klines", name), true)
		if f != nil && f.ok {
			seen.observe(sym, f.newest, now)
		}
	}
	for _, name := range accountFiles {
		r.read(filepath.Join(r.out, "data", name), false)
	}
}

// read returns the file at path as last read, reading it again when it
// was replaced since, and nil while it does not exist.
func (r *siteReader) read(path string, chart bool) *siteFile {
	info, err := os.Stat(path)
	if err != nil {
		return nil
	}
	f := r.files[path]
	if f != nil && os.SameFile(f.info, info) && f.info.ModTime().Equal(info.ModTime()) &&
		f.info.Size() == info.Size() {
		return f
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return nil
	}
	f = &siteFile{info: info}
	if chart {
		f.newest, f.ok = snapshotNewest(body)
	}
	r.files[path] = f
	return f
}

// snapshotNewest reads a chart's snapshot file and returns the open time
// of its newest closed candle.
func snapshotNewest(body []byte) (int64, bool) {
	var s struct {
		Candles []struct {
			OpenTime int64 `json:"open_time"`
			Closed   bool  `json:"closed"`
		} `json:"candles"`
	}
	if err := json.Unmarshal(body, &s); err != nil {
		return 0, false
	}
	for i := len(s.Candles) - 1; i >= 0; i-- {
		if s.Candles[i].Closed {
			return s.Candles[i].OpenTime, true
		}
	}
	return 0, false
}

// errorLog is a slog handler that keeps the daemon's Error lines, the
// sign of a run that went wrong, and drops the rest.
type errorLog struct {
	mu   sync.Mutex
	recs []string
}

func (l *errorLog) Enabled(_ context.Context, lv slog.Level) bool {
	return lv >= slog.LevelError
}

func (l *errorLog) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString(r.Message)
	r.Attrs(func(a slog.Attr) bool {
		fmt.Fprintf(&b, " %s=%v", a.Key, a.Value)
		return true
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	l.recs = append(l.recs, b.String())
	return nil
}

func (l *errorLog) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *errorLog) WithGroup(string) slog.Handler      { return l }

func (l *errorLog) lines() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]string(nil), l.recs...)
}
