package render

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// gunzipFile reads a .gz file back.
func gunzipFile(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := gzip.NewReader(f)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return b
}

// TestOutput_EveryFileHasItsGzipCopy checks that every page, snapshot and
// the script have a .gz beside them holding exactly their bytes, for
// nginx's gzip_static.
func TestOutput_EveryFileHasItsGzipCopy(t *testing.T) {
	r, dir := newRenderer(t, nil)
	if err := r.Series(fakeSeries("BTCUSDT", 50), SeriesMeta{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Status(testStatus()); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"BTCUSDT_1m.html", "data/klines/BTCUSDT_1m.json",
		"index.html", "data/status.json", r.script} {
		plain := read(t, filepath.Join(dir, p))
		if got := gunzipFile(t, filepath.Join(dir, p)+".gz"); !bytes.Equal(got, []byte(plain)) {
			t.Errorf("%s.gz does not hold %s", p, p)
		}
	}
}

func TestWritePair_OnlyWhatChanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "x.json")
	old := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	age := func() {
		for _, p := range []string{path, path + ".gz"} {
			if err := os.Chtimes(p, old, old); err != nil {
				t.Fatal(err)
			}
		}
	}
	written := func(p string) bool {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		return !fi.ModTime().Equal(old)
	}

	steps := []struct {
		name        string
		before      func()
		data        string
		plain, gzip bool
	}{
		{"first", func() {}, `{"v":1}`, true, true},
		{"same", func() {}, `{"v":1}`, false, false},
		{"changed", func() {}, `{"v":2}`, true, true},
		// A copy that holds another version, as a crash between the two
		// renames could leave, is replaced though the file is current.
		{"stale copy", func() { mustWrite(t, path+".gz", gz(t, `{"v":1}`)) }, `{"v":2}`,
			false, true},
		{"missing copy", func() { os.Remove(path + ".gz") }, `{"v":2}`, false, true},
	}
	for _, s := range steps {
		s.before()
		if _, err := os.Stat(path); err == nil {
			if _, err := os.Stat(path + ".gz"); err == nil {
				age()
			}
		}
		if _, err := writePair(path, []byte(s.data)); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := written(path); got != s.plain {
			t.Errorf("%s: file written = %v, want %v", s.name, got, s.plain)
		}
		if got := written(path + ".gz"); got != s.gzip {
			t.Errorf("%s: .gz written = %v, want %v", s.name, got, s.gzip)
		}
		if got := gunzipFile(t, path+".gz"); string(got) != s.data {
			t.Errorf("%s: .gz holds %q, want %q", s.name, got, s.data)
		}
	}
}

// TestWritePair_CopyFirst checks the order: the .gz is in place before
// the file, which is what the next publish compares with.
func TestWritePair_CopyFirst(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.html")
	if _, err := writePair(path, []byte("<p>1</p>")); err != nil {
		t.Fatal(err)
	}
	plain, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	copy, err := os.Stat(path + ".gz")
	if err != nil {
		t.Fatal(err)
	}
	if copy.ModTime().After(plain.ModTime()) {
		t.Errorf(".gz written at %v, after the file at %v", copy.ModTime(), plain.ModTime())
	}
}

func TestCompress_Deterministic(t *testing.T) {
	a, err := compress([]byte("same bytes"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := compress([]byte("same bytes"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Error("the same data compressed to different bytes")
	}
}

func gz(t *testing.T, s string) []byte {
	t.Helper()
	b, err := compress([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustWrite(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
