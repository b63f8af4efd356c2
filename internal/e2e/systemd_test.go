package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// units are the systemd units in deploy/.
var units = []string{"snapshotter.service", "snapshotter-once.service", "snapshotter-once.timer"}

// TestSystemdUnits_Verify runs systemd-analyze verify on the units, with
// the installed binary's path replaced by the one just built (verify
// checks that it exists), and their security assessment, which must stay
// "OK" (an exposure of 2.0 or less out of 10). Any warning fails the test:
// verify reports a misspelt key as a warning and still exits 0.
func TestSystemdUnits_Verify(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: skipping the check of deploy/*.service")
	}
	bin := binary(t)
	dir := t.TempDir()
	for _, u := range units {
		b, err := os.ReadFile(filepath.Join(repoRoot, "deploy", u))
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(u, ".service") &&
			!bytes.Contains(b, []byte("ExecStart=/usr/local/bin/snapshotter ")) {
			t.Fatalf("%s does not start /usr/local/bin/snapshotter", u)
		}
		b = bytes.ReplaceAll(b, []byte("/usr/local/bin/snapshotter"), []byte(bin))
		write(t, filepath.Join(dir, u), b)
	}

	args := []string{"verify", "--man=no"}
	for _, u := range units {
		args = append(args, filepath.Join(dir, u))
	}
	out, err := exec.Command(analyze, args...).CombinedOutput()
	if err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}

	for _, u := range units[:2] {
		out, err := exec.Command(analyze, "security", "--offline=yes", "--threshold=20",
			"--no-pager", filepath.Join(dir, u)).CombinedOutput()
		i := bytes.Index(out, []byte("Overall exposure level"))
		if err != nil || i < 0 {
			t.Errorf("systemd-analyze security %s: %v\n%s", u, err, out)
			continue
		}
		t.Logf("%s", bytes.TrimSpace(out[i:]))
	}
}
