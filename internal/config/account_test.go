package config

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadCredentials_EnvAndFiles(t *testing.T) {
	dir := t.TempDir()
	open := filepath.Join(dir, "open.key")
	private := filepath.Join(dir, "private.key")
	os.WriteFile(open, []byte("s3cr3t-value\n"), 0o644)
	os.WriteFile(private, []byte("s3cr3t-value\n"), 0o600)
	env := map[string]string{"K": "key-value", "S": "s3cr3t-value"}
	getenv := func(k string) string { return env[k] }

	a := Account{Profile: ProfileAsterV1, APIKeyEnv: "K", SecretEnv: "S"}
	c, err := a.LoadCredentials(getenv)
	if err != nil || c.APIKey.Reveal() != "key-value" || c.HMACSecret.Reveal() != "s3cr3t-value" {
		t.Fatalf("from env: %v %v", c, err)
	}
	a = Account{Profile: ProfileBinance, APIKeyEnv: "K", SecretFile: private}
	if c, err := a.LoadCredentials(getenv); err != nil || c.HMACSecret.Reveal() != "s3cr3t-value" {
		t.Errorf("from an owner-only file: %v", err)
	}
	a.SecretFile = open
	_, err = a.LoadCredentials(getenv)
	if !errors.Is(err, ErrSecretFile) || !strings.Contains(err.Error(), "chmod 600") {
		t.Errorf("a file others can read: err = %v, want ErrSecretFile", err)
	}
	a = Account{Profile: ProfileAsterV3, PrivateKeyEnv: "MISSING"}
	_, err = a.LoadCredentials(getenv)
	if err == nil || !strings.Contains(err.Error(), "MISSING") {
		t.Errorf("unset variable: err = %v, want it named", err)
	}
	// No error and no print of a Secret shows its value.
	for _, err := range []error{err, fmt.Errorf("%v", a)} {
		if strings.Contains(err.Error(), "s3cr3t") {
			t.Errorf("error shows the secret: %v", err)
		}
	}
	printed := fmt.Sprintf("%v %+v %#v %s", c, c, c, c.HMACSecret)
	if strings.Contains(printed, "s3cr3t") || strings.Contains(printed, "key-value") {
		t.Errorf("printing credentials shows a secret: %s", printed)
	}
}

func TestParse_AccountErrors(t *testing.T) {
	base := "[exchange]\nbase_url = \"https://fapi.asterdex.com\"\n" +
		"[[klines]]\nsymbol = \"BTCUSDT\"\ninterval = \"1h\"\n"
	tests := []struct{ src, want string }{
		{"[account]\nprofile = \"aster-v1\"\napi_key_env = \"K\"\nsecret_env = \"S\"\n" +
			"recv_window = \"100s\"\n",
			`x.toml:10: account.recv_window = "1m40s": must be more than 0 and at most 60s`},
		{"[account]\nprofile = \"aster-v3\"\nuser = \"0x12\"\n",
			`x.toml:8: account.user = "0x12": must be a 0x wallet address of 40 hex digits`},
		{"[account]\nprofile = \"aster-v1\"\napi_key_env = \"K\"\n" +
			"secret_env = \"2b5eb11e18796d12d88f\"\n",
			`x.toml:9: account.secret_env = "2b5eb11e18796d12d88f": must be an environment ` +
				`variable's name, not the secret itself`},
		{"[account]\nprofile = \"kraken\"\n",
			`x.toml:7: account.profile = "kraken": must be "aster-v3", "aster-v1" or "binance"`},
		{"[account]\nprofile = \"aster-v1\"\napi_key_env = \"K\"\nsecret_env = \"S\"\n" +
			"every = \"1s\"\n",
			`x.toml:10: account.every = "1s": must be from 10s to 24h`},
	}
	for _, tt := range tests {
		_, err := Parse("x.toml", base+tt.src)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("error\n got: %v\nwant: %s", err, tt.want)
		}
	}
}
