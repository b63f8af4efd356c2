package e2e

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// nginxServer is nginx serving one folder with deploy/nginx.conf on a
// loopback port.
type nginxServer struct {
	// url is "http://127.0.0.1:PORT"; host is "127.0.0.1:PORT".
	url, host string
	// dir holds the generated configuration, the logs and the pid file.
	dir string
}

// nginxPath finds nginx, which Debian installs in /usr/sbin, outside the
// PATH of most users; the test is skipped without it.
func nginxPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("nginx"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
		return "/usr/sbin/nginx"
	}
	t.Skip("nginx is not installed (apt-get install nginx; .ci/run does): " +
		"skipping the tests through nginx")
	return ""
}

// startNginx serves root with the example site on a free loopback port.
// The generated nginx.conf holds only what a distribution's main file
// would (types, temporary folders, logs, the pid file, all in a temporary
// folder) and includes deploy/nginx.conf with its listen and root lines
// replaced. nginx is stopped when the test ends.
func startNginx(t *testing.T, root string) *nginxServer {
	t.Helper()
	bin := nginxPath(t)
	site, err := os.ReadFile(filepath.Join(repoRoot, "deploy", "nginx.conf"))
	if err != nil {
		t.Fatal(err)
	}
	for attempt := 1; ; attempt++ {
		port, err := freePort()
		if err != nil {
			t.Fatal(err)
		}
		n := &nginxServer{host: fmt.Sprintf("127.0.0.1:%d", port), dir: t.TempDir()}
		n.url = "http://" + n.host
		n.configure(t, bin, site, root)
		err = n.start(t, bin)
		if err == nil {
			return n
		}
		// Another process may have taken the port between freePort and
		// nginx's bind; try another.
		if attempt == 3 {
			t.Fatalf("start nginx: %v\n%s", err, n.errorLog())
		}
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

var (
	listenLine = regexp.MustCompile(`(?m)^(\s*)listen\s[^;]*;.*$`)
	rootLine   = regexp.MustCompile(`(?m)^(\s*)root\s[^;]*;.*$`)
)

// configure writes the site with its listen and root replaced, the main
// file that includes it, and checks both with nginx -t.
func (n *nginxServer) configure(t *testing.T, bin string, site []byte, root string) {
	t.Helper()
	for _, re := range []*regexp.Regexp{listenLine, rootLine} {
		if got := len(re.FindAll(site, -1)); got != 1 {
			t.Fatalf("deploy/nginx.conf has %d lines matching %s, want 1", got, re)
		}
	}
	s := listenLine.ReplaceAll(site, []byte("${1}listen "+n.host+";"))
	s = rootLine.ReplaceAll(s, []byte(fmt.Sprintf(`${1}root "%s";`, root)))
	write(t, filepath.Join(n.dir, "site.conf"), s)

	// As root, nginx's workers drop to nobody, as they drop to www-data
	// in a real installation: they read what the product publishes as
	// any other user would.
	user := ""
	if os.Geteuid() == 0 {
		user = "user nobody nogroup;\n"
	}
	types := "include /etc/nginx/mime.types;"
	if _, err := os.Stat("/etc/nginx/mime.types"); err != nil {
		types = "types { text/html html; application/json json; application/javascript js; }"
	}
	tmp := filepath.Join(n.dir, "tmp")
	main := fmt.Sprintf(`%sdaemon off;
worker_processes 1;
pid %[2]s/nginx.pid;
error_log %[2]s/error.log warn;
events { worker_connections 512; }
http {
    %[3]s
    default_type application/octet-stream;
    access_log %[2]s/access.log;
    client_body_temp_path %[4]s/body;
    proxy_temp_path %[4]s/proxy;
    fastcgi_temp_path %[4]s/fastcgi;
    uwsgi_temp_path %[4]s/uwsgi;
    scgi_temp_path %[4]s/scgi;
    keepalive_requests 100000;
    include %[2]s/site.conf;
}
`, user, n.dir, types, tmp)
	write(t, filepath.Join(n.dir, "nginx.conf"), []byte(main))
	if err := os.MkdirAll(tmp, 0o755); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, n.args("-t")...).CombinedOutput()
	if err != nil {
		t.Fatalf("nginx -t rejects the example site: %v\n%s", err, out)
	}
}

// args are nginx's flags for this server: everything in n.dir.
func (n *nginxServer) args(extra ...string) []string {
	return append([]string{"-p", n.dir, "-c", filepath.Join(n.dir, "nginx.conf"),
		"-e", filepath.Join(n.dir, "error.log")}, extra...)
}

// start runs nginx in the foreground and waits until it answers, at most
// ten seconds. It is stopped, gracefully, when the test ends.
func (n *nginxServer) start(t *testing.T, bin string) error {
	cmd := exec.Command(bin, n.args()...)
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()

	deadline := time.Now().Add(10 * time.Second)
	for {
		select {
		case err := <-exited:
			return fmt.Errorf("nginx exited: %v", err)
		default:
		}
		if c, err := net.DialTimeout("tcp", n.host, time.Second); err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-exited
			return errors.New("nginx did not listen within 10 s")
		}
		time.Sleep(20 * time.Millisecond)
	}

	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-exited:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		if t.Failed() {
			t.Logf("nginx error log:\n%s", n.errorLog())
		}
	})
	return nil
}

func (n *nginxServer) errorLog() string {
	b, _ := os.ReadFile(filepath.Join(n.dir, "error.log"))
	return string(b)
}

// accessLog is nginx's access log so far, one request a line.
func (n *nginxServer) accessLog(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(n.dir, "access.log"))
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

func write(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

// plainClient never asks for gzip and never decompresses: the tests see
// the bytes nginx sends.
func plainClient(conns int) *http.Client {
	return &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{
		DisableCompression: true, MaxIdleConnsPerHost: conns,
	}}
}

// fetched is one answer from nginx.
type fetched struct {
	status int
	header http.Header
	body   []byte
}

// get asks nginx for path, with "Accept-Encoding: gzip" when gz is set.
func get(ctx context.Context, c *http.Client, n *nginxServer, path string,
	gz bool) (fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, n.url+path, nil)
	if err != nil {
		return fetched{}, err
	}
	if gz {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	res, err := c.Do(req)
	if err != nil {
		return fetched{}, err
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return fetched{}, fmt.Errorf("read %s: %w", path, err)
	}
	if res.ContentLength >= 0 && int64(len(body)) != res.ContentLength {
		return fetched{}, fmt.Errorf("%s: %d bytes of %d", path, len(body), res.ContentLength)
	}
	return fetched{status: res.StatusCode, header: res.Header, body: body}, nil
}

// gunzip decompresses a gzip body.
func gunzip(b []byte) ([]byte, error) {
	r, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(r)
}

// published lists the files a client may ask for: every file under root
// but the .gz copies and hidden files, as URL paths.
func published(t *testing.T, root string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if strings.HasSuffix(rel, ".gz") || strings.HasPrefix(d.Name(), ".") {
			return nil
		}
		out = append(out, "/"+filepath.ToSlash(rel))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// urlPath percent-encodes a path as a browser would.
func urlPath(p string) string {
	return (&url.URL{Path: p}).EscapedPath()
}

// TestNginx_ServesThePublishedFolder asks the example site for every file
// the daemon published, plain and with gzip, and checks what comes back.
func TestNginx_ServesThePublishedFolder(t *testing.T) {
	nginxPath(t)
	s := newSite(t, append(demoCharts, largest), "Asia/Shanghai")
	n := startNginx(t, s.public)
	c := plainClient(2)
	ctx := context.Background()

	files := published(t, s.public)
	var pages, snapshots int
	for _, p := range files {
		t.Run(strings.TrimPrefix(p, "/"), func(t *testing.T) {
			want, err := os.ReadFile(filepath.Join(s.public, filepath.FromSlash(p)))
			if err != nil {
				t.Fatal(err)
			}
			gz, err := os.ReadFile(filepath.Join(s.public, filepath.FromSlash(p)) + ".gz")
			if err != nil {
				t.Fatalf("no .gz beside the file: %v", err)
			}
			checkPlain(t, ctx, c, n, p, want)
			checkGzip(t, ctx, c, n, p, want, gz)
			checkContent(t, p, want)
		})
		switch {
		case strings.HasSuffix(p, ".html"):
			pages++
		case strings.HasSuffix(p, ".json"):
			snapshots++
		}
	}
	// Six charts (the settling symbol is left out) and the index; six
	// snapshots and the status.
	if pages != 7 || snapshots != 7 {
		t.Errorf("checked %d pages and %d snapshots, want 7 and 7: %v", pages, snapshots, files)
	}

	t.Run("nothing else", func(t *testing.T) { checkNothingElse(t, s, n) })
}

// types is the Content-Type nginx must send for each kind of file.
var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".js":   "application/javascript; charset=utf-8",
}

// checkPlain asks for p without gzip: the file as it is, typed and with
// its cache lifetime.
func checkPlain(t *testing.T, ctx context.Context, c *http.Client, n *nginxServer, p string,
	want []byte) {
	t.Helper()
	f, err := get(ctx, c, n, urlPath(p), false)
	if err != nil {
		t.Fatal(err)
	}
	if f.status != http.StatusOK {
		t.Fatalf("status %d, want 200", f.status)
	}
	if !bytes.Equal(f.body, want) {
		t.Errorf("body of %d bytes differs from the file's %d", len(f.body), len(want))
	}
	if got := f.header.Get("Content-Encoding"); got != "" {
		t.Errorf("Content-Encoding %q without Accept-Encoding", got)
	}
	checkHeaders(t, p, f.header)
}

// checkGzip asks for p with gzip: the .gz file byte for byte, which shows
// nginx sent the product's copy rather than compressing on the fly.
func checkGzip(t *testing.T, ctx context.Context, c *http.Client, n *nginxServer, p string,
	want, gz []byte) {
	t.Helper()
	f, err := get(ctx, c, n, urlPath(p), true)
	if err != nil {
		t.Fatal(err)
	}
	if f.status != http.StatusOK {
		t.Fatalf("status %d, want 200", f.status)
	}
	if got := f.header.Get("Content-Encoding"); got != "gzip" {
		t.Fatalf("Content-Encoding %q, want gzip", got)
	}
	if !bytes.Equal(f.body, gz) {
		t.Errorf("gzip body of %d bytes is not the .gz file of %d", len(f.body), len(gz))
	}
	if got := f.header.Get("Content-Length"); got != fmt.Sprint(len(gz)) {
		t.Errorf("Content-Length %q, want the .gz file's %d", got, len(gz))
	}
	if !strings.Contains(f.header.Get("Vary"), "Accept-Encoding") {
		t.Errorf("Vary %q lacks Accept-Encoding", f.header.Get("Vary"))
	}
	plain, err := gunzip(f.body)
	if err != nil {
		t.Fatalf("gzip body: %v", err)
	}
	if !bytes.Equal(plain, want) {
		t.Error("the .gz does not hold the file")
	}
	checkHeaders(t, p, f.header)
}

// checkHeaders checks type and caching: short for pages and snapshots,
// which change every run; for good for the script, whose name is its hash.
func checkHeaders(t *testing.T, p string, h http.Header) {
	t.Helper()
	ext := filepath.Ext(p)
	if got, want := h.Get("Content-Type"), types[ext]; got != want {
		t.Errorf("Content-Type %q, want %q", got, want)
	}
	cc := h.Get("Cache-Control")
	switch ext {
	case ".js":
		if cc != "public, max-age=31536000, immutable" {
			t.Errorf("script Cache-Control %q, want a year, immutable", cc)
		}
	default:
		if cc != "public, max-age=5, must-revalidate" {
			t.Errorf("Cache-Control %q, want 5 s, must-revalidate", cc)
		}
		if h.Get("ETag") == "" || h.Get("Last-Modified") == "" {
			t.Error("no ETag or Last-Modified to revalidate with")
		}
	}
	if h.Get("X-Content-Type-Options") != "nosniff" {
		t.Error("no X-Content-Type-Options: nosniff")
	}
	if ext == ".html" && !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("page without the Content-Security-Policy: %q", h.Get("Content-Security-Policy"))
	}
}

// checkContent checks that a page is whole and a snapshot is JSON.
func checkContent(t *testing.T, p string, b []byte) {
	t.Helper()
	switch filepath.Ext(p) {
	case ".json":
		if !json.Valid(b) {
			t.Error("snapshot is not JSON")
		}
	case ".html":
		if !bytes.HasSuffix(b, []byte("</html>\n")) {
			t.Error("page does not end with </html>")
		}
	}
}

// checkNothingElse asks for what lies outside the published folder, or
// inside it but not meant for viewers, in every way a path can be spelt.
// Each answer must be a refusal that holds nothing of it.
func checkNothingElse(t *testing.T, s *site, n *nginxServer) {
	// An in-flight temporary file, a symbolic link out of the folder and
	// a folder without a page.
	write(t, filepath.Join(s.public, ".index.html.123.tmp"), []byte(canary))
	if err := os.Symlink(s.base, filepath.Join(s.public, "leak")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(filepath.Join(s.public, "leak")) })

	paths := []string{
		"/../config.toml", "/../state/secret.txt", "/..%2fconfig.toml",
		"/%2e%2e/config.toml", "/data/../../config.toml", "/data/..%2f..%2fconfig.toml",
		"/.index.html.123.tmp", "/data/.hidden", "/leak/config.toml",
		"/index.html.gz", "/data/status.json.gz",
		"/data/", "/data/klines/", "/assets/", "/state/secret.txt", "/config.toml",
	}
	for _, p := range paths {
		status, body := rawGet(t, n, p)
		if status != http.StatusNotFound && status != http.StatusForbidden &&
			status != http.StatusBadRequest {
			t.Errorf("GET %s: status %d, want 404, 403 or 400", p, status)
		}
		if strings.Contains(body, canary) {
			t.Errorf("GET %s sent something from outside the published folder", p)
		}
	}
}

// rawGet sends a request line exactly as given, which an HTTP client
// library would clean, and returns the status and the whole answer.
func rawGet(t *testing.T, n *nginxServer, path string) (int, string) {
	t.Helper()
	conn, err := net.DialTimeout("tcp", n.host, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(10 * time.Second))
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", path, n.host)
	b, err := io.ReadAll(conn)
	if err != nil {
		t.Fatal(err)
	}
	var proto string
	var status int
	fmt.Sscanf(string(b), "%s %d", &proto, &status)
	return status, string(b)
}
