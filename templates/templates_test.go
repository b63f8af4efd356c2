package templates

import (
	"html/template"
	"io/fs"
	"strings"
	"testing"
)

func TestFS_PagesParseWithLayout(t *testing.T) {
	for _, page := range []string{"series.html", "index.html", "account.html"} {
		t.Run(page, func(t *testing.T) {
			// render.pageFuncs; only their names matter to the parser.
			funcs := template.FuncMap{"group": func(int) string { return "" }}
			tpl, err := template.New(page).Funcs(funcs).ParseFS(FS, "layout.html", page)
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			for _, name := range []string{page, "head", "footer", "live"} {
				if tpl.Lookup(name) == nil {
					t.Errorf("template %q not defined", name)
				}
			}
		})
	}
}

// TestFS_NoExternalResources keeps the pages working offline (case C15):
// no template may name another host.
func TestFS_NoExternalResources(t *testing.T) {
	names, err := fs.Glob(FS, "*.html")
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 4 {
		t.Errorf("embedded %v, want layout, series, index and account", names)
	}
	for _, name := range names {
		b, err := fs.ReadFile(FS, name)
		if err != nil {
			t.Fatal(err)
		}
		for _, bad := range []string{"http://", "https://", "@import", "url("} {
			if strings.Contains(string(b), bad) {
				t.Errorf("%s contains %q", name, bad)
			}
		}
	}
}
