package daemon

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/account"
	"snapshotter/internal/config"
	"snapshotter/internal/exchange"
	"snapshotter/internal/fetch"
	"snapshotter/internal/sign"
	"snapshotter/internal/status"
)

// Test credentials. They are not anyone's: the agent key is the EIP-712
// example's "cow" key's neighbour, made up for these tests.
const (
	testAPIKey   = "tEsTaPiKeY0123456789abcdefTESTKEY0123456789abcdefTESTKEY012345678"
	testSecret   = "tEsTsEcReT0123456789abcdefTESTSECRET0123456789abcdefTESTSECRET01"
	testAgentKey = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	testUser     = "0x1111111111111111111111111111111111111111"
)

var accountStart = at("2025-02-01T00:00:00Z")

// accountEnv is a daemon with an account of the given profile on the
// built-in exchange, trading BTCUSDT and ETHUSDT since accountStart.
func accountEnv(t *testing.T, profile string, now time.Time, tweak func(*setup)) *env {
	t.Helper()
	agent, err := sign.ParseAgentKey(testAgentKey)
	if err != nil {
		t.Fatal(err)
	}
	acct := exchange.Account{APIKey: testAPIKey, Secret: testSecret, User: testUser,
		Signer: agent.Address(), Balance: "10000.00000000", Start: accountStart,
		Symbols: []string{"BTCUSDT", "ETHUSDT"}, Seed: 3}
	cfg := config.Account{Profile: profile, Every: config.Duration{Duration: time.Minute},
		IncomeEvery: config.Duration{Duration: 5 * time.Minute},
		History:     config.Duration{Duration: 30 * 24 * time.Hour},
		RecvWindow:  config.Duration{Duration: 5 * time.Second}, User: testUser,
		Signer: agent.Address()}
	var signer fetch.Signer
	if profile == config.ProfileAsterV3 {
		signer, err = fetch.NewV3Signer(agent, testUser, sign.ChainMainnet)
	} else {
		signer, err = fetch.NewHMACSigner(testAPIKey, testSecret, 5*time.Second)
	}
	if err != nil {
		t.Fatal(err)
	}
	s := setup{accounts: []exchange.Account{acct}, account: &cfg, signer: signer,
		charts: []config.Klines{chart("BTCUSDT", "1h", 48)}}
	if tweak != nil {
		tweak(&s)
	}
	return newEnv(t, now, s)
}

type accountJSON struct {
	Summary   map[string]string `json:"summary"`
	Balances  []account.Balance `json:"balances"`
	Positions []struct {
		Symbol              string  `json:"symbol"`
		Amount              string  `json:"amount"`
		EntryPrice          string  `json:"entry_price"`
		MarkPrice           string  `json:"mark_price"`
		LiquidationDistance *string `json:"liquidation_distance"`
		NotionalPct         *string `json:"notional_pct"`
	} `json:"positions"`
	Privacy bool `json:"privacy"`
}

func TestAccount_EveryProfilePublishes(t *testing.T) {
	for _, profile := range []string{config.ProfileAsterV3, config.ProfileAsterV1,
		config.ProfileBinance} {
		t.Run(profile, func(t *testing.T) {
			e := accountEnv(t, profile, at("2025-03-01T10:00:30Z"), nil)
			if failed := e.once(); failed != 0 {
				t.Fatalf("%d jobs failed: %+v", failed, e.jobStatus("BTCUSDT", "1h"))
			}
			var a accountJSON
			e.readJSON(filepath.Join(e.out, "data", "account.json"), &a)
			if a.Summary["total_wallet_balance"] == "" || len(a.Balances) == 0 {
				t.Errorf("account.json without balances: %+v", a)
			}
			var tr struct{ Trades []account.Trade }
			e.readJSON(filepath.Join(e.out, "data", "trades.json"), &tr)
			var in struct{ Income []account.Income }
			e.readJSON(filepath.Join(e.out, "data", "income.json"), &in)
			if len(tr.Trades) == 0 || len(in.Income) == 0 {
				t.Fatalf("%d trades, %d income rows: the scripted account traded for a month",
					len(tr.Trades), len(in.Income))
			}
			// The wallet is the deposit plus every income row, exactly.
			sum := account.MustParse("0")
			for _, r := range in.Income {
				sum = sum.Add(account.MustParse(r.Income))
			}
			wallet := account.MustParse(a.Summary["total_wallet_balance"])
			if !sum.Equal(wallet) {
				t.Errorf("Σ income %s != wallet %s", sum, wallet)
			}
			var perf account.Performance
			e.readJSON(filepath.Join(e.out, "data", "performance.json"), &perf)
			if perf.Total.Transfers != "10000" || perf.ClosedTrades == 0 {
				t.Errorf("performance %+v", perf.Total)
			}
			for _, p := range a.Positions {
				if p.EntryPrice == "" || p.MarkPrice == "" {
					t.Errorf("position %+v lacks entry or mark", p)
				}
			}
			if js := accountStatus(e); js.LastSuccess == nil {
				t.Errorf("account status %+v", js)
			}
			page, err := os.ReadFile(filepath.Join(e.out, "account.html"))
			if err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{a.Summary["total_wallet_balance"],
				"Open positions", "net PnL", tr.Trades[len(tr.Trades)-1].Price} {
				if !bytes.Contains(page, []byte(want)) {
					t.Errorf("account.html lacks %q", want)
				}
			}
		})
	}
}

func TestAccount_TradesWalkSevenDayWindows(t *testing.T) {
	// C11: 30 days of history are read in 5 windows of at most 7 days,
	// never mixing fromId with time bounds, and an empty window does not
	// end the walk.
	e := accountEnv(t, config.ProfileAsterV1, at("2025-03-03T10:00:30Z"), nil)
	e.once()
	for _, sym := range []string{"BTCUSDT", "ETHUSDT"} {
		var windows int
		for _, r := range e.ex.Requests() {
			q := query(r)
			if !strings.HasSuffix(r.Path, "/userTrades") || q.Get("symbol") != sym {
				continue
			}
			if q.Get("fromId") != "" && (q.Get("startTime") != "" || q.Get("endTime") != "") {
				t.Errorf("fromId mixed with time bounds: %s", r.Query)
			}
			if q.Get("startTime") == "" {
				continue
			}
			windows++
			start, end := ms(t, q.Get("startTime")), ms(t, q.Get("endTime"))
			if end-start > 7*24*3600*1000 {
				t.Errorf("window of %v", time.Duration(end-start)*time.Millisecond)
			}
			if r.Status != 200 {
				t.Errorf("userTrades answered %d", r.Status)
			}
		}
		if windows != 5 {
			t.Errorf("%s: %d windows for 30 days, want 5", sym, windows)
		}
	}
}

func TestAccount_ClockBehindStillSigns(t *testing.T) {
	// C04: the host clock is 7 s behind the exchange; the timestamp comes
	// from the exchange's time, so recvWindow 5000 is enough.
	e := accountEnv(t, config.ProfileAsterV1, at("2025-03-01T10:00:30Z"), func(s *setup) {
		s.clientSkew = -7 * time.Second
	})
	if failed := e.once(); failed != 0 {
		t.Fatalf("%d jobs failed: %+v", failed, accountStatus(e))
	}
	for _, r := range e.ex.Requests() {
		if r.Status == 400 {
			t.Errorf("refused: %s %s", r.Path, r.Query)
		}
	}
}

func TestAccount_BadSignatureFailsWithoutLeaking(t *testing.T) {
	wrong, _ := fetch.NewHMACSigner(testAPIKey, strings.Repeat("x", 64), 5*time.Second)
	e := accountEnv(t, config.ProfileBinance, at("2025-03-01T10:00:30Z"), func(s *setup) {
		s.signer = wrong
	})
	e.once()
	js := accountStatus(e)
	if js.ErrorClass != fetch.ClassRejected || !strings.Contains(js.LastError, "-1022") {
		t.Errorf("status %+v, want a rejected -1022", js)
	}
	assertNoSecrets(t, e)
}

func TestAccount_SecretsNeverPublished(t *testing.T) {
	for _, profile := range []string{config.ProfileAsterV3, config.ProfileAsterV1} {
		e := accountEnv(t, profile, at("2025-03-01T10:00:30Z"), nil)
		e.once()
		e.tick(at("2025-03-01T10:01:30Z"))
		assertNoSecrets(t, e)
	}
}

// assertNoSecrets greps every log line and every file the daemon wrote,
// published and state, for the test credentials.
func assertNoSecrets(t *testing.T, e *env) {
	t.Helper()
	secrets := []string{testAPIKey, testSecret, testAgentKey, strings.ToUpper(testAgentKey)}
	logs := strings.Join(e.logs.all(), "\n")
	for _, s := range secrets {
		if strings.Contains(logs, s) {
			t.Errorf("a log line holds a secret")
		}
	}
	for _, dir := range []string{e.out, e.conf.State.Dir} {
		filepath.Walk(dir, func(p string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return nil
			}
			b, _ := os.ReadFile(p)
			for _, s := range secrets {
				if bytes.Contains(b, []byte(s)) {
					t.Errorf("%s holds a secret", p)
				}
			}
			return nil
		})
	}
}

func TestAccount_PrivacyPublishesPercentages(t *testing.T) {
	e := accountEnv(t, config.ProfileAsterV1, at("2025-03-01T10:00:30Z"), nil)
	e.conf.Privacy.Percentages = true
	e.start()
	e.once()
	raw, err := os.ReadFile(filepath.Join(e.out, "data", "account.json"))
	if err != nil {
		t.Fatal(err)
	}
	var a accountJSON
	json.Unmarshal(raw, &a)
	if !a.Privacy || len(a.Balances) != 0 || a.Summary["total_wallet_balance"] != "" {
		t.Errorf("private account.json shows amounts: %s", raw)
	}
	for _, p := range a.Positions {
		if p.Amount != "" || p.NotionalPct == nil {
			t.Errorf("private position %+v", p)
		}
	}
	// The page shows no amount either: not the wallet, not the deposit.
	page, err := os.ReadFile(filepath.Join(e.out, "account.html"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(page, []byte("wallet balance")) || bytes.Contains(page, []byte("10000")) {
		t.Error("the private account page shows amounts")
	}
	var tr struct{ Trades []account.Trade }
	e.readJSON(filepath.Join(e.out, "data", "trades.json"), &tr)
	for _, x := range tr.Trades {
		if x.Qty != "" || x.RealizedPnl != "" {
			t.Fatalf("private trade %+v", x)
		}
	}
}

func ms(t *testing.T, s string) int64 {
	t.Helper()
	var n int64
	if err := json.Unmarshal([]byte(s), &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// all returns every record, debug included.
func (l *logBook) all() []string { return l.since(0, -8) }

func accountStatus(e *env) status.Job {
	e.t.Helper()
	for _, j := range e.status().Jobs {
		if j.Name == accountName {
			return j
		}
	}
	e.t.Fatal("status.json has no account job")
	return status.Job{}
}

func TestAccount_EmptyWeekDoesNotEndTheWalk(t *testing.T) {
	// C07/C11: the second window answers [] (a quiet week); the walk goes
	// on through the other windows and nothing panics.
	e := accountEnv(t, config.ProfileAsterV1, at("2025-03-03T10:00:30Z"), nil)
	e.ex.Inject(exchange.Fault{Path: "/fapi/v1/userTrades", Status: 200, Body: "[]", Times: 1})
	e.once()
	if js := accountStatus(e); js.LastSuccess == nil {
		t.Fatalf("account failed: %+v", js)
	}
	var windows []string
	for _, r := range e.ex.Requests() {
		q := query(r)
		if strings.HasSuffix(r.Path, "/userTrades") && q.Get("symbol") == "BTCUSDT" &&
			q.Get("startTime") != "" {
			windows = append(windows, q.Get("startTime"))
		}
	}
	if len(windows) != 5 {
		t.Errorf("%d windows after an empty week, want 5", len(windows))
	}
	var tr struct{ Trades []account.Trade }
	e.readJSON(filepath.Join(e.out, "data", "trades.json"), &tr)
	if len(tr.Trades) == 0 {
		t.Error("no trades after the empty week")
	}
}

func TestAccount_ChartsMarkFillsAndEntry(t *testing.T) {
	e := accountEnv(t, config.ProfileAsterV1, at("2025-03-01T10:00:30Z"), nil)
	e.once()
	page, err := os.ReadFile(filepath.Join(e.out, "BTCUSDT_1h.html"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`<script type="application/json" id="snapshot"[^>]*>(.*?)</script>`).
		FindSubmatch(page)
	if m == nil {
		t.Fatal("no snapshot data block in the page")
	}
	var block struct {
		Chart json.RawMessage `json:"chart"`
	}
	if err := json.Unmarshal(m[1], &block); err != nil {
		t.Fatal(err)
	}
	var chartData struct {
		Labels    []string        `json:"labels"`
		Fills     [][]json.Number `json:"fills"`
		Entry     *json.Number    `json:"entry"`
		EntryText *string         `json:"entryText"`
	}
	if err := json.Unmarshal(block.Chart, &chartData); err != nil {
		t.Fatal(err)
	}
	// Every BTCUSDT trade inside the 48 hours the chart shows is marked,
	// at its exact price, on the candle it falls in.
	snap := e.snapshot("BTCUSDT", "1h")
	var tr struct{ Trades []account.Trade }
	e.readJSON(filepath.Join(e.out, "data", "trades.json"), &tr)
	want := 0
	for _, x := range tr.Trades {
		if x.Symbol == "BTCUSDT" && x.Time >= snap.Candles[0].OpenTime {
			want++
		}
	}
	if want == 0 || len(chartData.Fills) != want {
		t.Fatalf("%d fills marked, want %d", len(chartData.Fills), want)
	}
	f := chartData.Fills[0]
	i, _ := f[0].Int64()
	c := snap.Candles[i]
	if string(f[1]) == "" || len(f) != 3 {
		t.Errorf("fill %v", f)
	}
	var first account.Trade
	for _, x := range tr.Trades {
		if x.Symbol == "BTCUSDT" && x.Time >= snap.Candles[0].OpenTime {
			first = x
			break
		}
	}
	if string(f[1]) != first.Price || first.Time < c.OpenTime || first.Time > c.CloseTime {
		t.Errorf("first fill %v, trade %+v in candle %d", f, first, i)
	}
	var a accountJSON
	e.readJSON(filepath.Join(e.out, "data", "account.json"), &a)
	for _, p := range a.Positions {
		if p.Symbol == "BTCUSDT" {
			if chartData.EntryText == nil || *chartData.EntryText != p.EntryPrice {
				t.Errorf("entry line %v, position entry %s", chartData.EntryText, p.EntryPrice)
			}
		}
	}
}

func TestAccount_SteadyRunReadsOnlyTheAccount(t *testing.T) {
	e := accountEnv(t, config.ProfileAsterV1, at("2025-03-01T10:00:30Z"), nil)
	e.once()
	stat := func(name string) time.Time {
		fi, err := os.Stat(filepath.Join(e.out, "data", name))
		if err != nil {
			t.Fatal(err)
		}
		return fi.ModTime()
	}
	before := map[string]time.Time{}
	for _, n := range []string{"trades.json", "income.json", "performance.json"} {
		before[n] = stat(n)
	}
	// A minute later nothing was filled (the script trades every 7 to 40
	// minutes) and income is not due: one account call, weight 5.
	var quiet time.Time
	for m := 1; m <= 6; m++ {
		mark := e.mark()
		now := at("2025-03-01T10:00:30Z").Add(time.Duration(m) * time.Minute)
		e.clock.Set(now)
		e.d.runJob(e.ctx, e.d.acct)
		got := e.since(mark)
		if len(got) == 1 && strings.HasSuffix(got[0].Path, "/account") {
			quiet = now
			break
		}
	}
	if quiet.IsZero() {
		t.Fatal("no quiet minute with a single account call in six")
	}
	for n, m := range before {
		if !stat(n).Equal(m) {
			t.Errorf("%s rewritten although the history did not change", n)
		}
	}
}
