package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLoad_InvalidFixtures(t *testing.T) {
	dir := filepath.Join("testdata", "invalid")
	tests := map[string]string{
		"unknown_key.toml": `:5: schedule.poll_intervall: unknown key ` +
			`(known keys here: delay)`,
		"bare_duration.toml": `:5: schedule.delay: 60 is a bare number; write a duration ` +
			`as a string with its unit, such as "60s"`,
		"short_timeout.toml": `:3: exchange.timeout = "100ms": must be at least 1s`,
		"share_too_big.toml": `:5: budget.share = 1.5: must be more than 0 and at most 1 ` +
			`(a fraction of the IP's weight limit)`,
		"share_zero.toml": `:5: budget.share = 0: must be more than 0 and at most 1 ` +
			`(a fraction of the IP's weight limit)`,
		"bad_interval.toml": `:10: klines[1].interval = "2m": the exchange does not ` +
			`serve this interval; use one of [1m 3m 5m 15m 30m 1h 2h 4h 6h 8h 12h 1d 3d 1w 1M]`,
		"bad_symbol.toml": `:5: klines[0].symbol = "BTC/USDT": must be the exchange's ` +
			`symbol, letters and digits only, such as "BTCUSDT"`,
		"keep_zero.toml":   `:7: klines[0].keep = 0: must be from 1 to 100000`,
		"klines_typo.toml": `:7: klines.kepp: unknown key (did you mean "keep"?)`,
		"base_url_no_scheme.toml": `:2: exchange.base_url = "fapi.asterdex.com": ` +
			`must be an http or https URL with a host`,
		"bad_timezone.toml": `:5: output.timezone = "Mars/Olympus": unknown time zone; ` +
			`use an IANA name such as "UTC" or "Europe/Berlin"`,
		"no_klines.toml": `: klines: add at least one [[klines]] table with symbol ` +
			`and interval`,
		"duplicate_chart.toml": `:9: klines[1].symbol = "BTCUSDT": BTCUSDT 1h is ` +
			`configured twice (also klines[0])`,
		"share_string.toml": `:5: budget.share: must be a number, not a quoted string`,
		"interval_number.toml": `:10: klines[1].interval: must be a quoted string, ` +
			`not a number`,
		"unknown_table.toml": `:4: metrics: unknown key (known keys here: exchange, ` +
			`output, state, budget, schedule, log, klines, account, privacy)`,
		"base_url_path.toml": `:2: exchange.base_url = "https://fapi.asterdex.com/fapi/v1": ` +
			`must be only scheme and host, such as "https://fapi.asterdex.com": the paths ` +
			`(/fapi/v1/...) are added by snapshotter`,
		"state_in_output.toml": `:7: state.dir = "public/state": must be outside the ` +
			`published folder "public" and not contain it: the cache and the saved ban ` +
			`must never be served`,
		"three_errors.toml": ":5: budget.share = 3: must be more than 0 and at most 1 " +
			"(a fraction of the IP's weight limit)\n" + "testdata/invalid/three_errors.toml" +
			":7: log.level = \"loud\": must be \"debug\", \"info\", \"warn\" or \"error\"\n" +
			"testdata/invalid/three_errors.toml:12: klines[0].keep = -5: must be from 1 " +
			"to 100000",
		"unparsable_duration.toml": `:5: schedule.delay: "soon" is not a duration; use a ` +
			`number with a unit such as "30s", "5m" or "1h"`,
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*.toml"))
	if len(files) != len(tests) {
		t.Errorf("%d fixtures, %d expectations: each fixture needs its message",
			len(files), len(tests))
	}
	for name, want := range tests {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			_, err := Load(path)
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			if got := err.Error(); got != path+want {
				t.Errorf("error\n got: %s\nwant: %s", got, path+want)
			}
		})
	}
}

func TestLoad_Example(t *testing.T) {
	cfg, err := Load(filepath.Join("..", "..", "config.toml"))
	if err != nil {
		t.Fatalf("the shipped config.toml does not load: %v", err)
	}
	if got, want := cfg.Exchange.BaseURL, "https://fapi.asterdex.com"; got != want {
		t.Errorf("base_url = %q, want %q", got, want)
	}
	if got, want := cfg.Budget.Share, 0.2; got != want {
		t.Errorf("share = %v, want %v", got, want)
	}
	if len(cfg.Klines) == 0 {
		t.Fatal("example has no [[klines]]")
	}
}

func TestParse_Defaults(t *testing.T) {
	src := "[exchange]\nbase_url = \"http://127.0.0.1:1\"\n" +
		"[[klines]]\nsymbol = \"币安人生USDT\"\ninterval = \"1m\"\n" +
		"[[klines]]\nsymbol = \"BTCUSDT\"\ninterval = \"1h\"\nkeep = 42\n"
	cfg, err := Parse("x.toml", src)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"share", cfg.Budget.Share, 0.2},
		{"ip_margin", cfg.Budget.IPMargin, 0.9},
		{"timeout", cfg.Exchange.Timeout.Duration, 10 * time.Second},
		{"delay", cfg.Schedule.Delay.Duration, 3 * time.Second},
		{"output.dir", cfg.Output.Dir, "public"},
		{"state.dir", cfg.State.Dir, "state"},
		{"timezone", cfg.Output.Timezone, "UTC"},
		{"keep default", cfg.Klines[0].Keep, DefaultKeep},
		{"keep set", cfg.Klines[1].Keep, 42},
		{"non-ASCII symbol", cfg.Klines[0].Symbol, "币安人生USDT"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestLoad_MissingFile(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.toml"))
	if err == nil || !os.IsNotExist(unwrapAll(err)) {
		t.Errorf("err = %v, want a not-exist error", err)
	}
}

func unwrapAll(err error) error {
	for {
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			return err
		}
		err = u.Unwrap()
	}
}
