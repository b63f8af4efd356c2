package fetch_test

import (
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestOneClient_NoOtherWayOut scans the product's source: the only place
// that may build an HTTP client, a transport or a dialer is http.go here,
// and nothing may use the standard library's default client. Every request
// to the exchange thus goes through Client and its budget.
func TestOneClient_NoOtherWayOut(t *testing.T) {
	outbound := regexp.MustCompile(`http\.Client\{|new\(http\.Client\)|http\.DefaultClient|` +
		`http\.DefaultTransport|http\.(Get|Post|Head|PostForm)\(|http\.Transport\{|` +
		`net\.Dial(Timeout)?\(|net\.Dialer\{|tls\.Dial\(`)
	root := filepath.Join("..", "..")
	allowed := filepath.Join("internal", "fetch", "http.go")
	// The benchmark harness measures the designs snapshotter replaces: its
	// clients never dial (their RoundTripper calls the built-in exchange's
	// handler in the process) and the snapshotter binary does not link it;
	// TestOneClient_ProductDoesNotLinkBenchmarks keeps it that way.
	harness := []string{filepath.Join("internal", "compare"), filepath.Join("cmd", "benchcompare")}
	scanned := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) &&
			path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		for _, h := range harness {
			if strings.HasPrefix(rel, h+string(filepath.Separator)) {
				return nil
			}
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		scanned++
		for i, line := range strings.Split(string(src), "\n") {
			if outbound.MatchString(line) && rel != allowed {
				t.Errorf("%s:%d makes an outbound connection outside the one client: %s",
					rel, i+1, strings.TrimSpace(line))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if scanned < 20 {
		t.Fatalf("scanned only %d files; is the root right?", scanned)
	}
}

// TestOneClient_ProductDoesNotLinkBenchmarks checks that the command users
// run imports none of the benchmark harness, whose clients have no budget.
func TestOneClient_ProductDoesNotLinkBenchmarks(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "snapshotter/cmd/snapshotter").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	for _, pkg := range strings.Fields(string(out)) {
		if strings.HasPrefix(pkg, "snapshotter/internal/compare") {
			t.Errorf("the snapshotter command links %s", pkg)
		}
	}
}
