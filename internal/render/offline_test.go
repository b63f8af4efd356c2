package render

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/go-echarts/go-echarts/v2/opts"
)

// TestOutput_LoadsNothingFromAnotherHost is case C15: a browser without
// internet must still draw the chart, so no published page or snapshot
// names another host, and every script comes from assets/.
func TestOutput_LoadsNothingFromAnotherHost(t *testing.T) {
	r, dir := newRenderer(t, nil)
	if err := r.Series(fakeSeries("BTCUSDT", 300), SeriesMeta{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Series(fakeSeries("币安人生USDT", 3), SeriesMeta{}); err != nil {
		t.Fatal(err)
	}
	if err := r.Status(testStatus()); err != nil {
		t.Fatal(err)
	}

	src := regexp.MustCompile(`(?i)<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]*)"`)
	pages := 0
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(path, filepath.Join(dir, "assets")) ||
			strings.HasSuffix(path, ".gz") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		for _, bad := range []string{"http://", "https://", "//cdn", opts.EchartsJS + "\""} {
			if strings.Contains(text, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
		if strings.HasSuffix(path, ".html") {
			pages++
			for _, m := range src.FindAllStringSubmatch(text, -1) {
				// The empty data: icon stops the browser asking for
				// /favicon.ico.
				if !strings.HasPrefix(m[1], "assets/") && m[1] != "data:," {
					t.Errorf("%s loads %q, not from assets/", path, m[1])
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages != 3 {
		t.Errorf("checked %d pages, want 3", pages)
	}

	page := read(t, filepath.Join(dir, "BTCUSDT_1m.html"))
	if want := `<script src="` + r.script + `"></script>`; !strings.Contains(page, want) {
		t.Errorf("chart page lacks %s", want)
	}
	if _, err := os.Stat(filepath.Join(dir, r.script)); err != nil {
		t.Errorf("the script the page loads is not published: %v", err)
	}
}

// TestChart_AssetListIsLocal checks go-echarts' own asset list, in case a
// page is ever built with its header template: it must name only the
// published script.
func TestChart_AssetListIsLocal(t *testing.T) {
	r, _ := newRenderer(t, nil)
	k := r.newChart(3)
	k.Validate()
	if got := k.JSAssets.Values; len(got) != 1 || got[0] != r.script {
		t.Errorf("JSAssets = %q, want [%q]", got, r.script)
	}
	if k.AssetsHost != "assets/" {
		t.Errorf("AssetsHost = %q, want assets/", k.AssetsHost)
	}
}
