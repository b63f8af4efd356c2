package config

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Exchange profiles: which API dialect and signing scheme the account uses.
const (
	// ProfileAsterV3 signs each request as EIP-712 typed data with an API
	// wallet ("agent"), the exchange's recommended API.
	ProfileAsterV3 = "aster-v3"
	// ProfileAsterV1 signs with an HMAC API key, Aster's legacy API.
	ProfileAsterV1 = "aster-v1"
	// ProfileBinance signs with an HMAC API key, Binance USDⓈ-M futures.
	ProfileBinance = "binance"
)

// Account turns on the account data: balances, positions, trades, income
// and performance. Without an [account] table only charts run. Secrets are
// never in this file: only the names of the environment variables, or the
// files, that hold them.
type Account struct {
	Profile string `toml:"profile"`
	// Every is how often balances and positions are read. Default "1m",
	// at least "10s".
	Every Duration `toml:"every"`
	// IncomeEvery is how often the income history is read; it costs 30
	// per call. Default "5m", at least "1m".
	IncomeEvery Duration `toml:"income_every"`
	// History is how far back trades and income are fetched on the first
	// run. Default "30d" written as "720h", at most "8760h".
	History Duration `toml:"history"`

	// Aster V3: the main wallet, the agent's address and its key.
	User           string `toml:"user"`
	Signer         string `toml:"signer"`
	PrivateKeyEnv  string `toml:"private_key_env"`
	PrivateKeyFile string `toml:"private_key_file"`
	Testnet        bool   `toml:"testnet"`

	// Aster V1 and Binance: the API key and its HMAC secret.
	APIKeyEnv  string   `toml:"api_key_env"`
	SecretEnv  string   `toml:"secret_env"`
	SecretFile string   `toml:"secret_file"`
	RecvWindow Duration `toml:"recv_window"`
}

// Privacy sets what the published account pages may show.
type Privacy struct {
	// Percentages publishes PnL and balances as percentages of the
	// account's equity instead of amounts, for a dashboard others see.
	Percentages bool `toml:"percentages"`
}

// Account limits.
const (
	maxRecvWindow = 60 * time.Second
	minAccountRun = 10 * time.Second
	maxHistory    = 365 * 24 * time.Hour
)

// DefaultAccount returns an [account] table's defaults: every 1m, income every
// 5m, 30 days of history, a 5s receive window.
func DefaultAccount() Account {
	return Account{Every: Duration{time.Minute}, IncomeEvery: Duration{5 * time.Minute},
		History: Duration{30 * 24 * time.Hour}, RecvWindow: Duration{5 * time.Second}}
}

var addressPattern = regexp.MustCompile(`^0x[0-9a-fA-F]{40}$`)

func (a *Account) validate(v *validator) {
	if a == nil {
		return
	}
	dur := func(key string, d Duration, min, max time.Duration, msg string) {
		if d.Duration < min || d.Duration > max {
			v.fail("account", -1, key, strconv.Quote(d.String()), msg)
		}
	}
	dur("every", a.Every, minAccountRun, 24*time.Hour, "must be from 10s to 24h")
	dur("income_every", a.IncomeEvery, time.Minute, 24*time.Hour, "must be from 1m to 24h")
	dur("history", a.History, time.Hour, maxHistory, `must be from "1h" to "8760h" (a year)`)
	switch a.Profile {
	case ProfileAsterV3:
		a.validateV3(v)
	case ProfileAsterV1, ProfileBinance:
		a.validateHMAC(v)
	default:
		v.fail("account", -1, "profile", strconv.Quote(a.Profile), fmt.Sprintf(
			"must be %q, %q or %q", ProfileAsterV3, ProfileAsterV1, ProfileBinance))
	}
}

func (a *Account) validateV3(v *validator) {
	for _, f := range []struct{ key, val string }{{"user", a.User}, {"signer", a.Signer}} {
		if !addressPattern.MatchString(f.val) {
			v.fail("account", -1, f.key, strconv.Quote(f.val),
				"must be a 0x wallet address of 40 hex digits")
		}
	}
	oneOf(v, "private_key_env", a.PrivateKeyEnv, "private_key_file", a.PrivateKeyFile)
	for _, k := range []struct{ key, val string }{{"api_key_env", a.APIKeyEnv},
		{"secret_env", a.SecretEnv}, {"secret_file", a.SecretFile}} {
		if k.val != "" {
			v.fail("account", -1, k.key, strconv.Quote(k.val),
				`is for the HMAC profiles; "aster-v3" signs with private_key_env or `+
					"private_key_file")
		}
	}
}

func (a *Account) validateHMAC(v *validator) {
	if !envName.MatchString(a.APIKeyEnv) {
		v.fail("account", -1, "api_key_env", strconv.Quote(a.APIKeyEnv),
			"must name the environment variable that holds the API key")
	}
	oneOf(v, "secret_env", a.SecretEnv, "secret_file", a.SecretFile)
	if a.RecvWindow.Duration <= 0 || a.RecvWindow.Duration > maxRecvWindow {
		v.fail("account", -1, "recv_window", strconv.Quote(a.RecvWindow.String()),
			"must be more than 0 and at most 60s (the exchange's cap); a clock that is "+
				"off is corrected from the exchange's time, not by a wider window")
	}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// oneOf requires exactly one of an environment variable name and a file.
func oneOf(v *validator, envKey, env, fileKey, file string) {
	switch {
	case env != "" && file != "":
		v.fail("account", -1, fileKey, strconv.Quote(file),
			fmt.Sprintf("set either %s or %s, not both", envKey, fileKey))
	case env == "" && file == "":
		v.fail("account", -1, envKey, `""`,
			fmt.Sprintf("set %s (an environment variable's name) or %s", envKey, fileKey))
	case env != "" && !envName.MatchString(env):
		v.fail("account", -1, envKey, strconv.Quote(env),
			"must be an environment variable's name, not the secret itself")
	}
}

// Secret is a credential read from the environment or a file. Its String
// and GoString hide the value, so it cannot reach a log line by accident.
type Secret struct{ value string }

// Reveal returns the secret's value, for the code that signs with it.
func (s Secret) Reveal() string { return s.value }

// Empty reports whether no secret was read.
func (s Secret) Empty() bool { return s.value == "" }

func (Secret) String() string   { return "[secret]" }
func (Secret) GoString() string { return "[secret]" }

// MarshalText keeps the secret out of JSON and TOML too.
func (Secret) MarshalText() ([]byte, error) { return []byte("[secret]"), nil }

// Credentials are the account's secrets, read at start.
type Credentials struct {
	APIKey     Secret // Aster V1 and Binance
	HMACSecret Secret // Aster V1 and Binance
	AgentKey   Secret // Aster V3: the agent's private key, hex
}

// ErrSecretFile is wrapped by the error for a secret file that others can
// read.
var ErrSecretFile = errors.New("secret file readable by others")

// LoadCredentials reads the secrets that a names, from the environment or
// from files that only their owner may read. Errors name the variable or
// the file, never the value.
func (a *Account) LoadCredentials(getenv func(string) string) (Credentials, error) {
	var c Credentials
	var err error
	switch a.Profile {
	case ProfileAsterV3:
		c.AgentKey, err = readSecret(getenv, a.PrivateKeyEnv, a.PrivateKeyFile)
	default:
		c.APIKey, err = readSecret(getenv, a.APIKeyEnv, "")
		if err == nil {
			c.HMACSecret, err = readSecret(getenv, a.SecretEnv, a.SecretFile)
		}
	}
	return c, err
}

func readSecret(getenv func(string) string, env, file string) (Secret, error) {
	if env != "" {
		v := strings.TrimSpace(getenv(env))
		if v == "" {
			return Secret{}, fmt.Errorf("environment variable %s is empty or not set", env)
		}
		return Secret{v}, nil
	}
	fi, err := os.Stat(file)
	if err != nil {
		return Secret{}, fmt.Errorf("secret file: %w", err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		return Secret{}, fmt.Errorf("%w: %s has mode %v; run chmod 600 %s", ErrSecretFile,
			file, fi.Mode().Perm(), file)
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return Secret{}, fmt.Errorf("secret file: %w", err)
	}
	v := strings.TrimSpace(string(data))
	if v == "" {
		return Secret{}, fmt.Errorf("secret file %s is empty", file)
	}
	return Secret{v}, nil
}
