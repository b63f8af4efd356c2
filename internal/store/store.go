// Package store keeps each candle series on disk in the state folder, so a
// restarted daemon continues where it stopped instead of fetching the whole
// history again. Files are replaced atomically; a damaged file is set aside,
// never deleted, and the series starts over.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"snapshotter/internal/atomicfile"
	"snapshotter/internal/kline"
)

// Store is a folder of series files and other cached state. The zero value
// is not usable; use New.
type Store struct {
	root string // the state folder
	dir  string // its klines folder
}

// New returns a store in the state folder dir, creating dir/klines.
func New(dir string) (*Store, error) {
	d := filepath.Join(dir, "klines")
	if err := os.MkdirAll(d, 0o755); err != nil {
		return nil, fmt.Errorf("create cache folder: %w", err)
	}
	return &Store{root: dir, dir: d}, nil
}

// SaveJSON replaces the state file name with v as JSON.
func (s *Store) SaveJSON(name string, v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", name, err)
	}
	return atomicfile.Write(filepath.Join(s.root, name), data, 0o600)
}

// LoadJSON reads the state file name into v. A missing file leaves v as it
// is; a damaged one is set aside with a ".damaged" suffix and reported with
// ErrDamaged, and v may then hold part of it: the caller starts afresh.
func (s *Store) LoadJSON(name string, v any) error {
	p := filepath.Join(s.root, name)
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s: %w", p, err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		aside := p + ".damaged"
		if rerr := os.Rename(p, aside); rerr != nil {
			return fmt.Errorf("%s is damaged (%v) and could not be set aside: %w", p, err, rerr)
		}
		return fmt.Errorf("%w: %s (%v); kept as %s", ErrDamaged, p, err, aside)
	}
	return nil
}

// Entry is a stored series and the time of its last successful fetch.
type Entry struct {
	Series    kline.Series `json:"series"`
	FetchedAt time.Time    `json:"fetched_at"`
}

func (s *Store) path(symbol string, iv kline.Interval) string {
	return filepath.Join(s.dir, symbol+"_"+string(iv)+".json")
}

// ErrDamaged is returned with the entry's empty start when a cache file
// could not be read; the file was renamed aside with a ".damaged" suffix.
var ErrDamaged = errors.New("cache file damaged")

// Load returns the stored series, or an empty one when none is stored.
func (s *Store) Load(symbol string, iv kline.Interval) (Entry, error) {
	empty := Entry{Series: kline.Series{Symbol: symbol, Interval: iv}}
	p := s.path(symbol, iv)
	data, err := os.ReadFile(p)
	if errors.Is(err, os.ErrNotExist) {
		return empty, nil
	}
	if err != nil {
		return empty, fmt.Errorf("read cache %s: %w", p, err)
	}
	var e Entry
	err = json.Unmarshal(data, &e)
	if err == nil && (e.Series.Symbol != symbol || e.Series.Interval != iv) {
		err = fmt.Errorf("holds %s %s", e.Series.Symbol, e.Series.Interval)
	}
	if err != nil {
		aside := p + ".damaged"
		if rerr := os.Rename(p, aside); rerr != nil {
			return empty, fmt.Errorf("cache %s is damaged (%v) and could not be set aside: %w",
				p, err, rerr)
		}
		return empty, fmt.Errorf("%w: %s (%v); kept as %s, fetching afresh",
			ErrDamaged, p, err, aside)
	}
	e.Series.Candles = kline.Normalize(e.Series.Candles)
	return e, nil
}

// Save replaces the stored series.
func (s *Store) Save(e Entry) error {
	data, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("encode cache: %w", err)
	}
	return atomicfile.Write(s.path(e.Series.Symbol, e.Series.Interval), data, 0o644)
}
