package config

import (
	"errors"
	"fmt"
	"math"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"snapshotter/internal/kline"
)

// Config is the whole configuration. Load fills it with defaults first.
type Config struct {
	Exchange Exchange `toml:"exchange"`
	Output   Output   `toml:"output"`
	State    State    `toml:"state"`
	Budget   Budget   `toml:"budget"`
	Schedule Schedule `toml:"schedule"`
	Log      Log      `toml:"log"`
	Klines   []Klines `toml:"klines"`
	// Account is nil when the file has no [account] table.
	Account *Account `toml:"account"`
	Privacy Privacy  `toml:"privacy"`
}

// Exchange says where the exchange's REST API is.
type Exchange struct {
	// BaseURL is the API's root, such as "https://fapi.asterdex.com".
	BaseURL string `toml:"base_url"`
	// Timeout bounds one request from dial to the end of the body.
	// Default 10s, at least 1s.
	Timeout Duration `toml:"timeout"`
}

// Output is where the published files go and how they read.
type Output struct {
	// Dir is the folder the static server serves. Default "public".
	Dir string `toml:"dir"`
	// Timezone names the zone of every time shown on the pages, such as
	// "UTC" (the default) or "Europe/Berlin". JSON always holds UTC.
	Timezone string `toml:"timezone"`
	// EChartsJS is the ECharts script installed from npm, copied into
	// Dir/assets. Default "web/node_modules/echarts/dist/echarts.min.js".
	EChartsJS string `toml:"echarts_js"`
}

// State is where the daemon keeps its cache and the saved ban.
type State struct {
	// Dir is never served. Default "state".
	Dir string `toml:"dir"`
}

// Budget bounds the request weight this process spends.
type Budget struct {
	// Share is the fraction of the IP's per-minute weight limit this
	// process may use, in (0, 1]. Default 0.2.
	Share float64 `toml:"share"`
	// IPMargin is the fraction of the limit that the whole IP, as the
	// exchange's used-weight header reports it, may reach before this
	// process waits for the next minute even with its share unspent.
	// In (0, 1]; default 0.9.
	IPMargin float64 `toml:"ip_margin"`
}

// Schedule sets when jobs run.
type Schedule struct {
	// Delay is how long after a candle closes its job runs, so the
	// exchange has the closed candle. Default "3s", from 0 to 1m.
	Delay Duration `toml:"delay"`
}

// Log sets the log output.
type Log struct {
	// Level is "debug", "info" (the default), "warn" or "error".
	Level string `toml:"level"`
	// Format is "text" (the default) or "json".
	Format string `toml:"format"`
}

// Klines is one chart: the candles of a symbol at an interval.
type Klines struct {
	Symbol string `toml:"symbol"`
	// Interval is one the exchange serves, such as "1m", "1h" or "1d".
	Interval kline.Interval `toml:"interval"`
	// Keep is how many candles the chart and its snapshot hold, from 1 to
	// 100000. Default 500.
	Keep int `toml:"keep"`
}

// Name returns "SYMBOL interval", the job's name in logs and status.
func (k Klines) Name() string { return k.Symbol + " " + string(k.Interval) }

// Limits of the settings.
const (
	MaxKeep     = 100000
	DefaultKeep = 500
	minTimeout  = time.Second
	maxDelay    = time.Minute
)

// Default returns the configuration used where the file says nothing.
func Default() Config {
	return Config{
		Exchange: Exchange{Timeout: Duration{10 * time.Second}},
		Output: Output{
			Dir:       "public",
			Timezone:  "UTC",
			EChartsJS: "web/node_modules/echarts/dist/echarts.min.js",
		},
		State:    State{Dir: "state"},
		Budget:   Budget{Share: 0.2, IPMargin: 0.9},
		Schedule: Schedule{Delay: Duration{3 * time.Second}},
		Log:      Log{Level: "info", Format: "text"},
	}
}

// Load reads and validates the file at path.
func Load(path string) (Config, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	return Parse(path, string(src))
}

// Parse decodes src, the content of the file named name, over the defaults
// and validates the result.
func Parse(name, src string) (Config, error) {
	cfg := Default()
	// An [account] table starts from its defaults.
	if strings.Contains(src, "[account]") {
		acc := DefaultAccount()
		cfg.Account = &acc
	}
	md, err := toml.Decode(src, &cfg)
	if err != nil {
		return Config{}, decodeError(name, src, err)
	}
	if keys := md.Undecoded(); len(keys) > 0 {
		k := keys[0]
		table, key := tableOf(k)
		line := locate(src, table, -1, key)
		if line == 0 { // an unknown table: find its header
			line = locate(src, k.String(), -1, "")
		}
		return Config{}, &Error{File: name, Line: line, Key: k.String(),
			Msg: "unknown key" + suggest(k)}
	}
	applyKeepDefault(&cfg, md)
	v := validator{name: name, src: src}
	cfg.validate(&v)
	if len(v.errs) > 0 {
		return Config{}, v.errs
	}
	return cfg, nil
}

// applyKeepDefault gives keep its default in the [[klines]] entries that do
// not set it, leaving an explicit 0 for validation to refuse.
func applyKeepDefault(cfg *Config, md toml.MetaData) {
	set := make([]bool, len(cfg.Klines))
	i := -1
	for _, k := range md.Keys() {
		switch {
		case len(k) == 1 && k[0] == "klines":
			i++
		case len(k) == 2 && k[0] == "klines" && k[1] == "keep" && i >= 0 && i < len(set):
			set[i] = true
		}
	}
	for i := range cfg.Klines {
		if !set[i] {
			cfg.Klines[i].Keep = DefaultKeep
		}
	}
}

var plainDecodeError = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

func decodeError(name, src string, err error) error {
	var pe toml.ParseError
	var ppe *toml.ParseError
	if errors.As(err, &ppe) {
		pe = *ppe
	} else if !errors.As(err, &pe) {
		// Type mismatches come as plain errors with the line in the text.
		m := plainDecodeError.FindStringSubmatch(err.Error())
		if m == nil {
			return &Error{File: name, Msg: err.Error()}
		}
		line, _ := strconv.Atoi(m[1])
		return &Error{File: name, Line: line, Key: indexKey(src, m[2], line),
			Msg: typeMessage(m[3])}
	}
	return &Error{File: name, Line: pe.Position.Line,
		Key: indexKey(src, pe.LastKey, pe.Position.Line),
		Msg: typeMessage(strings.TrimPrefix(pe.Message, "toml: "))}
}

var typeMismatch = regexp.MustCompile(
	`^incompatible types: TOML value has type ([\w\[\]]+); destination has type ([\w\[\]]+)$`)

// typeMessage says a type mismatch in the file's terms instead of Go's.
func typeMessage(msg string) string {
	m := typeMismatch.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	words := map[string]string{"int64": "a number", "float64": "a number",
		"float": "a number", "int": "a whole number", "string": "a quoted string",
		"bool": "true or false", "map[string]any": "a table", "[]any": "an array",
		"slice": "an array of tables [[...]]", "struct": "a table"}
	name := func(t string) string {
		if w, ok := words[t]; ok {
			return w
		}
		return t
	}
	return fmt.Sprintf("must be %s, not %s", name(m[2]), name(m[1]))
}

// indexKey adds the [[klines]] element's index to a key such as
// "klines.interval", from the line it was found on.
func indexKey(src, key string, line int) string {
	table, rest, ok := strings.Cut(key, ".")
	if !ok || table != "klines" || line <= 0 {
		return key
	}
	n := -1
	for i, l := range strings.Split(src, "\n") {
		if i+1 > line {
			break
		}
		if m := headerLine.FindStringSubmatch(l); m != nil && m[1] == "klines" &&
			strings.HasPrefix(strings.TrimSpace(l), "[[") {
			n++
		}
	}
	if n < 0 {
		return key
	}
	return fmt.Sprintf("klines[%d].%s", n, rest)
}

func tableOf(k toml.Key) (table, key string) {
	if len(k) == 1 {
		return "", k[0]
	}
	return strings.Join(k[:len(k)-1], "."), k[len(k)-1]
}

// suggest names the key the user probably meant, for the common typos.
func suggest(k toml.Key) string {
	known := map[string][]string{
		"": {"exchange", "output", "state", "budget", "schedule", "log", "klines",
			"account", "privacy"},
		"exchange": {"base_url", "timeout"},
		"output":   {"dir", "timezone", "echarts_js"},
		"state":    {"dir"},
		"budget":   {"share", "ip_margin"},
		"schedule": {"delay"},
		"log":      {"level", "format"},
		"klines":   {"symbol", "interval", "keep"},
		"account": {"profile", "every", "income_every", "history", "user", "signer",
			"private_key_env", "private_key_file", "testnet", "api_key_env", "secret_env",
			"secret_file", "recv_window"},
		"privacy": {"percentages"},
	}
	table, key := tableOf(k)
	for _, cand := range known[table] {
		if distance(key, cand) <= 2 || strings.HasPrefix(key, cand) {
			return fmt.Sprintf(" (did you mean %q?)", cand)
		}
	}
	if list, ok := known[table]; ok {
		return fmt.Sprintf(" (known keys here: %s)", strings.Join(list, ", "))
	}
	return ""
}

// validator collects every problem found, so one run lists them all.
type validator struct {
	name, src string
	errs      Errors
}

func (v *validator) fail(table string, index int, key, value, msg string) {
	full := key
	if table != "" {
		full = table + "." + key
		if index >= 0 {
			full = fmt.Sprintf("%s[%d].%s", table, index, key)
		}
	}
	v.errs = append(v.errs, &Error{File: v.name, Line: locate(v.src, table, index, key),
		Key: full, Value: value, Msg: msg})
}

var symbolPattern = regexp.MustCompile(`^[\p{L}\p{N}_]{1,40}$`)

func (c *Config) validate(v *validator) {
	u, err := url.Parse(c.Exchange.BaseURL)
	switch {
	case c.Exchange.BaseURL == "":
		v.fail("exchange", -1, "base_url", `""`,
			`required, such as "https://fapi.asterdex.com"`)
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		v.fail("exchange", -1, "base_url", strconv.Quote(c.Exchange.BaseURL),
			"must be an http or https URL with a host")
	case u.User != nil || u.RawQuery != "" || u.Fragment != "" ||
		strings.Trim(u.Path, "/") != "":
		v.fail("exchange", -1, "base_url", strconv.Quote(redact(u)),
			`must be only scheme and host, such as "https://fapi.asterdex.com": `+
				"the paths (/fapi/v1/...) are added by snapshotter")
	}
	if c.Exchange.Timeout.Duration < minTimeout {
		v.fail("exchange", -1, "timeout", strconv.Quote(c.Exchange.Timeout.String()),
			"must be at least 1s")
	}
	if c.Output.Dir == "" {
		v.fail("output", -1, "dir", `""`, "must name a folder")
	}
	if _, err := time.LoadLocation(c.Output.Timezone); err != nil || c.Output.Timezone == "" {
		v.fail("output", -1, "timezone", strconv.Quote(c.Output.Timezone),
			`unknown time zone; use an IANA name such as "UTC" or "Europe/Berlin"`)
	}
	if c.State.Dir == "" {
		v.fail("state", -1, "dir", `""`, "must name a folder")
	} else if overlaps(c.State.Dir, c.Output.Dir) {
		v.fail("state", -1, "dir", strconv.Quote(c.State.Dir), fmt.Sprintf(
			"must be outside the published folder %q and not contain it: "+
				"the cache and the saved ban must never be served", c.Output.Dir))
	}
	c.validateBudget(v)
	if d := c.Schedule.Delay.Duration; d < 0 || d > maxDelay {
		v.fail("schedule", -1, "delay", strconv.Quote(d.String()), "must be from 0s to 1m")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		v.fail("log", -1, "level", strconv.Quote(c.Log.Level),
			`must be "debug", "info", "warn" or "error"`)
	}
	if c.Log.Format != "text" && c.Log.Format != "json" {
		v.fail("log", -1, "format", strconv.Quote(c.Log.Format), `must be "text" or "json"`)
	}
	c.validateKlines(v)
	c.Account.validate(v)
}

func (c *Config) validateBudget(v *validator) {
	in := func(f float64) bool { return f > 0 && f <= 1 && !math.IsNaN(f) }
	if !in(c.Budget.Share) {
		v.fail("budget", -1, "share", fmt.Sprint(c.Budget.Share),
			"must be more than 0 and at most 1 (a fraction of the IP's weight limit)")
	}
	if !in(c.Budget.IPMargin) {
		v.fail("budget", -1, "ip_margin", fmt.Sprint(c.Budget.IPMargin),
			"must be more than 0 and at most 1")
	}
}

func (c *Config) validateKlines(v *validator) {
	if len(c.Klines) == 0 {
		v.fail("", -1, "klines", "", "add at least one [[klines]] table with symbol and interval")
	}
	seen := map[string]int{}
	for i, k := range c.Klines {
		switch {
		case !symbolPattern.MatchString(k.Symbol):
			v.fail("klines", i, "symbol", strconv.Quote(k.Symbol),
				"must be the exchange's symbol, letters and digits only, such as \"BTCUSDT\"")
		case !k.Interval.Valid():
			v.fail("klines", i, "interval", strconv.Quote(string(k.Interval)),
				fmt.Sprintf("the exchange does not serve this interval; use one of %v",
					kline.Intervals))
		case k.Keep < 1 || k.Keep > MaxKeep:
			v.fail("klines", i, "keep", strconv.Itoa(k.Keep),
				fmt.Sprintf("must be from 1 to %d", MaxKeep))
		}
		if j, dup := seen[k.Name()]; dup {
			v.fail("klines", i, "symbol", strconv.Quote(k.Symbol),
				fmt.Sprintf("%s is configured twice (also klines[%d])", k.Name(), j))
		}
		seen[k.Name()] = i
	}
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// redact hides a password in a URL before it goes into an error.
func redact(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Redacted()
}

// overlaps reports whether one folder is the other or inside it.
func overlaps(a, b string) bool {
	if b == "" {
		return false
	}
	abs := func(p string) string {
		if q, err := filepath.Abs(p); err == nil {
			return q
		}
		return filepath.Clean(p)
	}
	a, b = abs(a), abs(b)
	inside := func(x, y string) bool {
		rel, err := filepath.Rel(y, x)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	return inside(a, b) || inside(b, a)
}
