package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium; the test is skipped without it. The
// browser itself is started, not Debian's /usr/bin/chromium launcher: the
// launcher sources /etc/chromium.d, which turns on extensions from the
// web store and Google's API keys, and with them calls to Google that no
// flag turns off.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium", "chromium"} {
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("chromium is not installed (apt-get install chromium; .ci/run does): " +
		"skipping the browser tests")
	return ""
}

// browser is one headless Chromium with a fresh profile. It may reach the
// loopback addresses directly; everything else goes to refuser as its
// proxy, which records and refuses it, so the test can tell that nothing
// tried to leave.
//
// Chromium 156 still calls Google at start with every background flag
// given: an on-demand component download and a check of Google accounts.
// Those two are pointed at refuser too (--component-updater=url-source,
// --gaia-url), which refuses them on loopback; the test logs them.
type browser struct {
	ctx     context.Context
	refused *refuser
	output  *syncBuffer
}

// newBrowser starts Chromium with the flags that keep it quiet: no
// background networking, component updates or sync, and no GPU.
func newBrowser(t *testing.T) *browser {
	t.Helper()
	path := chromiumPath(t)
	ref := startRefuser(t)
	out := &syncBuffer{}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-breakpad", true),
		chromedp.Flag("disable-client-side-phishing-detection", true),
		chromedp.Flag("disable-domain-reliability", true),
		chromedp.Flag("safebrowsing-disable-auto-update", true),
		chromedp.Flag("metrics-recording-only", true),
		chromedp.Flag("no-pings", true),
		chromedp.Flag("dns-prefetch-disable", true),
		chromedp.Flag("disable-features",
			"Translate,OptimizationHints,MediaRouter,DialMediaRouteProvider,"+
				"CertificateTransparencyComponentUpdater,AutofillServerCommunication,"+
				"NetworkTimeServiceQuerying"),
		// Timers and frames of tabs in the background run as in front.
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-backgrounding-occluded-windows", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("force-color-profile", "srgb"),
		chromedp.Flag("proxy-server", "http://"+ref.addr),
		chromedp.Flag("gaia-url", "http://"+ref.addr),
		chromedp.Flag("component-updater", "url-source=http://"+ref.addr+"/update"),
		chromedp.WindowSize(1280, 800),
		chromedp.CombinedOutput(out),
	}
	actx, cancel := chromedp.NewExecAllocator(context.Background(), opts...)
	t.Cleanup(cancel)
	ctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(cancelTab)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v\n%s", err, out)
	}
	b := &browser{ctx: ctx, refused: ref, output: out}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("chromium's output:\n%s", out)
		}
	})
	return b
}

// refuser is an HTTP server on loopback that answers 403 to everything.
// As the browser's proxy it records in proxied what the browser tried to
// reach beyond loopback; asked directly, in chatter, the browser's own
// calls that the flags point here.
type refuser struct {
	addr    string
	mu      sync.Mutex
	proxied []string
	chatter []string
}

func startRefuser(t *testing.T) *refuser {
	ref := &refuser{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ref.mu.Lock()
		if r.Method == http.MethodConnect || r.URL.IsAbs() {
			ref.proxied = append(ref.proxied, r.Method+" "+r.Host+r.URL.Path)
		} else {
			ref.chatter = append(ref.chatter, r.Method+" "+r.URL.Path)
		}
		ref.mu.Unlock()
		http.Error(w, "snapshotter e2e: no traffic leaves this machine", http.StatusForbidden)
	}))
	t.Cleanup(srv.Close)
	ref.addr = srv.Listener.Addr().String()
	return ref
}

// attempts is what the browser tried to reach beyond loopback.
func (r *refuser) attempts() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.proxied)
}

// refused is the browser's own calls that were kept on loopback.
func (r *refuser) refused() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.chatter)
}

// syncBuffer collects Chromium's output from its own goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// tab is one page in its own window, with what it logged and requested.
type tab struct {
	ctx      context.Context
	mu       sync.Mutex
	problems []string // console errors, exceptions, browser log errors
	urls     []string // every request the page made
}

// open makes a new tab in a window of its own, so that it counts as
// visible and its page keeps refreshing itself.
func (b *browser) open(t *testing.T) *tab {
	t.Helper()
	tb := &tab{}
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewWindow(true),
		chromedp.WithListener(tb.listen))
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx); err != nil {
		t.Fatal(err)
	}
	tb.ctx = ctx
	return tb
}

// listen runs in the tab's event loop: it only records.
func (tb *tab) listen(ev any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type == runtime.ConsoleAPICalledTypeError ||
			ev.Type == runtime.ConsoleAPICalledTypeAssert {
			var args []string
			for _, a := range ev.Args {
				args = append(args, string(a.Value)+a.Description)
			}
			tb.problems = append(tb.problems, "console."+string(ev.Type)+": "+
				strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		msg := d.Text
		if d.Exception != nil {
			msg += " " + d.Exception.Description
		}
		tb.problems = append(tb.problems, fmt.Sprintf("exception at %s:%d: %s", d.URL,
			d.LineNumber+1, msg))
	case *cdplog.EventEntryAdded:
		if ev.Entry.Level == cdplog.EntryLevelError {
			tb.problems = append(tb.problems, "log: "+ev.Entry.Text+" "+ev.Entry.URL)
		}
	case *network.EventRequestWillBeSent:
		tb.urls = append(tb.urls, ev.Request.URL)
	}
}

// check fails the test for any problem the page logged and any request to
// a host other than nginx's.
func (tb *tab) check(t *testing.T, n *nginxServer) {
	t.Helper()
	tb.mu.Lock()
	defer tb.mu.Unlock()
	for _, p := range tb.problems {
		t.Errorf("console: %s", p)
	}
	for _, u := range tb.urls {
		pu, err := url.Parse(u)
		if err != nil || pu.Scheme != "http" || pu.Host != n.host {
			t.Errorf("the page asked for %s, not from the loopback server %s", u, n.host)
		}
	}
	if len(tb.urls) == 0 {
		t.Error("no request recorded: is the network listener working?")
	}
}

// requested counts the page's requests for path.
func (tb *tab) requested(path string) int {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	c := 0
	for _, u := range tb.urls {
		if pu, err := url.Parse(u); err == nil && pu.EscapedPath() == path {
			c++
		}
	}
	return c
}

// eval runs a JavaScript expression in the tab and decodes its value.
func eval[T any](t *testing.T, tb *tab, expr string) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor polls expr until it is truthy, at most limit.
func waitFor[T any](t *testing.T, tb *tab, expr string, limit time.Duration) T {
	t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Poll[T](expr,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(limit)))
	if err != nil {
		t.Fatalf("wait for %s: %v", expr, err)
	}
	return v
}

// navigate opens u in the tab and waits for its load event.
func (tb *tab) navigate(t *testing.T, u string) {
	t.Helper()
	if err := chromedp.Do(tb.ctx, chromedp.Navigate(u)); err != nil {
		t.Fatalf("open %s: %v", u, err)
	}
}

// scheme emulates a light or dark system theme for the tab.
func (tb *tab) scheme(t *testing.T, s string) {
	t.Helper()
	_, err := chromedp.Call(tb.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: s}},
	})
	if err != nil {
		t.Fatal(err)
	}
}

// screenshot saves what the tab shows as name.png in every folder given.
func (tb *tab) screenshot(t *testing.T, name string, full bool, dirs ...string) {
	t.Helper()
	shot := chromedp.CaptureScreenshot()
	if full {
		shot = chromedp.FullScreenshot(100)
	}
	png, err := chromedp.Run(tb.ctx, shot)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	for _, d := range dirs {
		if d == "" {
			continue
		}
		if err := os.WriteFile(filepath.Join(d, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// artifacts is where screenshots are kept: $SNAPSHOTTER_ARTIFACTS, which
// .ci/run sets, or a temporary folder.
func artifacts(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("SNAPSHOTTER_ARTIFACTS")
	if dir == "" {
		dir = t.TempDir()
		t.Logf("screenshots in %s (removed after the test; set SNAPSHOTTER_ARTIFACTS "+
			"to keep them)", dir)
		return dir
	}
	dir = filepath.Join(dir, "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return dir
}

// docShots is where the README's screenshots go, when asked for with
// SNAPSHOTTER_SCREENSHOTS (make screenshots).
func docShots(t *testing.T) string {
	dir := os.Getenv("SNAPSHOTTER_SCREENSHOTS")
	if dir != "" {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// chartJS reads back what the ECharts instance of the element with the
// given id holds: the candles of its first series, or -1 before it has
// any.
func chartJS(id string) string {
	return fmt.Sprintf(`(function () {
		var el = document.getElementById(%q);
		var c = el && window.echarts && echarts.getInstanceByDom(el);
		if (!c) { return -1; }
		var s = c.getOption().series;
		return s && s[0] && s[0].data ? s[0].data.length : -1;
	})()`, id)
}

// inkJS is the share of the chart canvas's pixels that are not blank:
// zero for a chart that drew nothing.
const inkJS = `(function () {
	var cv = document.querySelector('#kline canvas');
	if (!cv || !cv.width) { return 0; }
	var d = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
	var ink = 0;
	for (var i = 3; i < d.length; i += 16) { if (d[i] > 0) { ink++; } }
	return ink / (d.length / 16);
})()`

// mustCDP is a cdp.Call helper for the tab.
func mustCDP[P, R any](t *testing.T, tb *tab, cmd cdp.Command[P, R], p P) R {
	t.Helper()
	r, err := chromedp.Call(tb.ctx, cmd, p)
	if err != nil {
		t.Fatalf("%s: %v", cmd.Method, err)
	}
	return r
}
