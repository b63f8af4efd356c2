package app

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"snapshotter/internal/config"
)

func testConfig(t *testing.T, account string) config.Config {
	t.Helper()
	dir := t.TempDir()
	js := filepath.Join(dir, "echarts.min.js")
	os.WriteFile(js, []byte("/* stub */"), 0o644)
	src := `[exchange]
base_url = "http://127.0.0.1:1"
[output]
dir = "` + filepath.Join(dir, "public") + `"
echarts_js = "` + js + `"
[state]
dir = "` + filepath.Join(dir, "state") + `"
[[klines]]
symbol = "BTCUSDT"
interval = "1h"
` + account
	cfg, err := config.Parse("t.toml", src)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestWire_AccountKeyMustBeTheSigners(t *testing.T) {
	// The key of 0x2c7536E3605D9C16a7a3D7b1898e529396a65c23, not the signer's.
	const key = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	cfg := testConfig(t, `[account]
profile = "aster-v3"
user = "0x1111111111111111111111111111111111111111"
signer = "0x2222222222222222222222222222222222222222"
private_key_env = "AGENT"
`)
	getenv := func(string) string { return key }
	_, _, err := Wire(cfg, Deps{Getenv: getenv, Version: "t"})
	if err == nil || !strings.Contains(err.Error(), "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23") ||
		!strings.Contains(err.Error(), "0x2222222222222222222222222222222222222222") {
		t.Fatalf("err = %v, want both addresses named", err)
	}
	if strings.Contains(err.Error(), key[:12]) {
		t.Error("the error shows the key")
	}
	// The failed wiring released the state folder.
	if _, unlock, err := Wire(testConfig(t, ""), Deps{Version: "t"}); err != nil {
		t.Errorf("wiring without an account: %v", err)
	} else {
		unlock()
	}
}

func TestWire_MissingSecretNamed(t *testing.T) {
	cfg := testConfig(t, `[account]
profile = "binance"
api_key_env = "SNAPSHOTTER_TEST_KEY"
secret_env = "SNAPSHOTTER_TEST_SECRET"
`)
	_, _, err := Wire(cfg, Deps{Getenv: func(string) string { return "" }, Version: "t"})
	if err == nil || !strings.Contains(err.Error(), "SNAPSHOTTER_TEST_KEY") {
		t.Errorf("err = %v, want the variable named", err)
	}
}
