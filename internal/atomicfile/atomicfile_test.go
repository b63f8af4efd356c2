package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestWrite_ReplacesWholeAndLeavesNoTemporary(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "sub", "a.json")
	if err := Write(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := Write(p, []byte("new"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(p)
	fi, _ := os.Stat(p)
	if string(got) != "new" || fi.Mode().Perm() != 0o600 {
		t.Errorf("content %q mode %v, want new and 0600", got, fi.Mode().Perm())
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "sub", ".*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}
}

func TestWrite_FailureKeepsOldFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.json")
	if err := Write(p, []byte("good"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A folder where the file should be cannot be renamed over.
	blocked := filepath.Join(dir, "blocked")
	os.MkdirAll(filepath.Join(blocked, "x"), 0o755)
	if err := Write(blocked, []byte("new"), 0o644); err == nil {
		t.Error("replacing a non-empty folder succeeded")
	}
	if got, _ := os.ReadFile(p); string(got) != "good" {
		t.Errorf("old file now %q", got)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".*")); len(left) != 0 {
		t.Errorf("temporary files left after a failure: %v", left)
	}
}

func TestWriteIfChanged_SkipsSameBytes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "a")
	for i, tt := range []struct {
		data string
		want bool
	}{{"x", true}, {"x", false}, {"y", true}} {
		got, err := WriteIfChanged(p, []byte(tt.data), 0o644)
		if err != nil || got != tt.want {
			t.Errorf("write %d (%q): changed %v err %v, want %v", i, tt.data, got, err, tt.want)
		}
	}
}
