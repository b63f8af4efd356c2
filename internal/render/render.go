package render

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"snapshotter/templates"
)

// assetsHost is the folder of static assets, relative to the output folder
// and to every page in it.
const assetsHost = "assets/"

// filePerm is the mode of every published file: the web server only reads.
const filePerm = 0o644

// Options configures a Renderer.
type Options struct {
	// Dir is the output folder the web server serves, such as "public".
	// It is created when missing. Required.
	Dir string

	// Location is the zone every time on a page is shown in, and is named
	// on the page. Nil means UTC. JSON files always hold UTC.
	Location *time.Location

	// EChartsJS is the path of echarts.min.js, normally
	// web/node_modules/echarts/dist/echarts.min.js after `make assets`.
	// Required.
	EChartsJS string

	// Version is shown in the footer of every page; empty shows none.
	Version string
}

// Renderer writes snapshots and pages into one output folder. It is safe
// for concurrent use; calls are serialized so that each page is written
// after its own JSON.
type Renderer struct {
	dir     string
	loc     *time.Location
	version string
	// script is the chart script's URL relative to dir.
	script string

	seriesTpl *template.Template
	indexTpl  *template.Template

	mu sync.Mutex

	// accountCharts keeps the account page's charts between runs.
	accountCharts chartCache
}

// New checks the options, parses the page templates and copies the ECharts
// script into Dir/assets under a name made from its content, so the web
// server may let browsers cache it for good. Earlier copies are left in
// place for pages still cached that name them.
func New(o Options) (*Renderer, error) {
	if o.Dir == "" {
		return nil, errors.New("render: no output folder given")
	}
	loc := o.Location
	if loc == nil {
		loc = time.UTC
	}

	seriesTpl, err := parsePage("series.html")
	if err != nil {
		return nil, err
	}
	indexTpl, err := parsePage("index.html")
	if err != nil {
		return nil, err
	}

	script, err := installScript(o.Dir, o.EChartsJS)
	if err != nil {
		return nil, err
	}
	return &Renderer{
		dir:       o.Dir,
		loc:       loc,
		version:   o.Version,
		script:    script,
		seriesTpl: seriesTpl,
		indexTpl:  indexTpl,
	}, nil
}

func parsePage(name string) (*template.Template, error) {
	t, err := template.New(name).Funcs(pageFuncs).ParseFS(templates.FS, "layout.html", name)
	if err != nil {
		return nil, fmt.Errorf("parse template %s: %w", name, err)
	}
	return t.Lookup(name), nil
}

// installScript copies the ECharts script, and its gzip copy, to
// dir/assets/echarts-<hash>.min.js and returns that path relative to dir,
// with forward slashes for URLs.
func installScript(dir, src string) (string, error) {
	if src == "" {
		return "", errors.New("render: no path to echarts.min.js given; " +
			"run `make assets` (npm ci in web/) and point to " +
			"web/node_modules/echarts/dist/echarts.min.js")
	}
	js, err := os.ReadFile(src)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("echarts script %s is missing; run `make assets` "+
			"(npm ci in web/) to install it: %w", src, err)
	}
	if err != nil {
		return "", fmt.Errorf("read echarts script: %w", err)
	}

	sum := sha256.Sum256(js)
	rel := assetsHost + "echarts-" + hex.EncodeToString(sum[:])[:12] + ".min.js"
	dst := filepath.Join(dir, filepath.FromSlash(rel))
	if _, err := writePair(dst, js); err != nil {
		return "", fmt.Errorf("install echarts script: %w", err)
	}
	return rel, nil
}

// pageFuncs are the functions the templates may call: "group" writes a
// count with thousands separators, 100000 as 100,000.
var pageFuncs = template.FuncMap{"group": groupInt}

// Time formats shown on pages, always in the Renderer's zone.
const (
	labelLayout = "2006-01-02 15:04"
	clockLayout = "2006-01-02 15:04:05"
)

// clock formats t to the second in the page zone, or "" for the zero time.
func (r *Renderer) clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(r.loc).Format(clockLayout)
}

// zone names the page zone as the page shows it, such as "UTC" or
// "Asia/Shanghai".
func (r *Renderer) zone() string { return r.loc.String() }
