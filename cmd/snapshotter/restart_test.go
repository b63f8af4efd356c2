package main

import (
	"bytes"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"snapshotter/internal/exchange"
)

// buildBinary compiles the command once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs real processes")
	}
	bin := filepath.Join(t.TempDir(), "snapshotter")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

// waitFor polls cond every 20 ms until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRun_RestartDuringBanSendsNothing bans the IP, kills the daemon with
// SIGKILL once it has saved the ban, starts it again, and checks that the
// exchange sees nothing from it until the ban ends, then one light probe.
func TestRun_RestartDuringBanSendsNothing(t *testing.T) {
	bin := buildBinary(t)
	ex := exchange.New(exchange.Config{})
	srv := httptest.NewServer(ex)
	defer srv.Close()
	dir := t.TempDir()
	cfg := writeConfig(t, dir, srv.URL,
		"[[klines]]\nsymbol = \"BTCUSDT\"\ninterval = \"1m\"\nkeep = 5\n")

	banEnd := time.Now().Add(4 * time.Second)
	ex.Ban(banEnd)

	var log1 bytes.Buffer
	first := exec.Command(bin, "run", "-config", cfg)
	first.Stderr = &log1
	if err := first.Start(); err != nil {
		t.Fatal(err)
	}
	pausePath := filepath.Join(dir, "state", "pause.json")
	waitFor(t, 3*time.Second, "the ban to be saved", func() bool {
		_, err := os.Stat(pausePath)
		return err == nil
	})
	first.Process.Signal(syscall.SIGKILL)
	first.Wait()
	if n := len(ex.Requests()); n != 1 {
		t.Fatalf("first process sent %d requests, want 1 (the one that was banned)\n%s",
			n, log1.String())
	}

	var log2 bytes.Buffer
	second := exec.Command(bin, "run", "-config", cfg)
	second.Stderr = &log2
	if err := second.Start(); err != nil {
		t.Fatal(err)
	}
	defer second.Process.Kill()
	waitFor(t, 10*time.Second, "the chart after the ban", func() bool {
		_, err := os.Stat(filepath.Join(dir, "public", "data", "klines", "BTCUSDT_1m.json"))
		return err == nil
	})

	reqs := ex.Requests()
	for _, r := range reqs[1:] {
		if r.Time.Before(banEnd) {
			t.Errorf("request during the ban: %s %s at %v (ban ends %v)",
				r.Path, r.Query, r.Time, banEnd)
		}
	}
	if len(reqs) < 2 || reqs[1].Path != "/fapi/v1/ping" {
		t.Errorf("first request after the ban: %+v, want the ping probe", reqs[1:])
	}

	// SIGTERM stops it cleanly.
	second.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- second.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, log2.String())
		}
	case <-time.After(10 * time.Second):
		t.Error("no exit 10 s after SIGTERM")
	}
	if _, err := os.Stat(pausePath); err == nil {
		t.Error("pause file still there after the ban ended")
	}
	tmps, _ := filepath.Glob(filepath.Join(dir, "public", "*", "*", ".*.tmp"))
	if len(tmps) > 0 {
		t.Errorf("temporary files left behind: %v", tmps)
	}
}
