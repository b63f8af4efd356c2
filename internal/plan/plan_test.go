package plan

import (
	"strings"
	"testing"

	"snapshotter/internal/config"
)

func parse(t *testing.T, src string) config.Config {
	t.Helper()
	cfg, err := config.Parse("test.toml", "[exchange]\nbase_url = \"http://127.0.0.1:1\"\n"+src)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

func TestMake_Costs(t *testing.T) {
	cfg := parse(t, `
[[klines]]
symbol = "BTCUSDT"
interval = "1m"
keep = 4000
[[klines]]
symbol = "ETHUSDT"
interval = "1h"
keep = 99
`)
	p := Make(cfg, 2400)
	if len(p.Jobs) != 3 {
		t.Fatalf("%d jobs, want 2 charts and exchangeInfo", len(p.Jobs))
	}
	btc, eth := p.Jobs[0], p.Jobs[1]
	// 4000 candles: pages of 1500, 1500, 1000 → weights 10, 10, 5.
	if btc.Worst != (Cost{3, 25}) || btc.Steady != (Cost{1, 1}) || btc.RunsPerMinute != 1 {
		t.Errorf("BTCUSDT 1m = %+v", btc)
	}
	if eth.Worst != (Cost{1, 1}) || eth.RunsPerMinute != 1.0/60 {
		t.Errorf("ETHUSDT 1h = %+v", eth)
	}
	if p.Allowed != 480 || p.SteadyPeak != 3 || !p.Fits() {
		t.Errorf("allowed %d, peak %d, fits %v; want 480, 3, true", p.Allowed, p.SteadyPeak,
			p.Fits())
	}
	if p.Worst != (Cost{5, 27}) || p.WorstMinutes != 1 {
		t.Errorf("worst %+v over %d minutes; want {5 27} in 1", p.Worst, p.WorstMinutes)
	}
	var b strings.Builder
	p.Write(&b)
	for _, want := range []string{"klines BTCUSDT 1m", "3s after each 1m close", "25",
		"Budget: 480 weight per minute", "3 in the busiest minute = 0.6% of the budget, " +
			"0.1% of the limit"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, b.String())
		}
	}
}

func TestMake_WorstSpreadOverMinutes(t *testing.T) {
	src := "[budget]\nshare = 0.01\n" // 24 per minute
	for _, s := range []string{"BTCUSDT", "ETHUSDT", "REZUSDT"} {
		src += "[[klines]]\nsymbol = \"" + s + "\"\ninterval = \"1m\"\nkeep = 3000\n"
	}
	p := Make(parse(t, src), 2400)
	// Worst 3 × (10+10) + 1 = 61; spare 24 - 4 = 20 → 4 minutes.
	if p.Worst.Weight != 61 || p.WorstMinutes != 4 {
		t.Errorf("worst %d over %d minutes, want 61 over 4", p.Worst.Weight, p.WorstMinutes)
	}
	var b strings.Builder
	p.Write(&b)
	if !strings.Contains(b.String(), "spread over 4 minutes, never in one burst") {
		t.Errorf("table does not say how the worst case is spread:\n%s", b.String())
	}
}

func TestCheck_RefusesWithWayOut(t *testing.T) {
	src := "[budget]\nshare = 0.001\n" // 2 per minute
	for _, s := range []string{"BTCUSDT", "ETHUSDT", "REZUSDT"} {
		src += "[[klines]]\nsymbol = \"" + s + "\"\ninterval = \"5m\"\n"
	}
	p := Make(parse(t, src), 2400)
	err := p.Check()
	if err == nil {
		t.Fatal("a steady state of 4 per minute fit a budget of 2")
	}
	for _, want := range []string{"needs 4 weight in its busiest minute but the budget allows 2",
		"chart 2 fewer symbols", "raise [budget] share to at least 0.002", "klines REZUSDT 5m"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if Make(parse(t, "[[klines]]\nsymbol = \"X\"\ninterval = \"1m\"\n"), 2400).Check() != nil {
		t.Error("one chart refused")
	}
}

func TestMake_Account(t *testing.T) {
	cfg := parse(t, `
[account]
profile = "aster-v1"
api_key_env = "K"
secret_env = "S"
history = "720h"
[[klines]]
symbol = "BTCUSDT"
interval = "1m"
`)
	p := Make(cfg, 2400)
	var acct, income Job
	for _, j := range p.Jobs {
		switch j.Name {
		case "account":
			acct = j
		case "account income":
			income = j
		}
	}
	// 30 days of history: 5 windows of 7 days.
	if acct.Steady != (Cost{2, 10}) || acct.Worst != (Cost{6, 30}) || acct.RunsPerMinute != 1 {
		t.Errorf("account = %+v", acct)
	}
	if income.Steady != (Cost{3, 36}) || income.Worst != (Cost{7, 156}) ||
		income.RunsPerMinute != 0.2 {
		t.Errorf("income = %+v", income)
	}
	// 1 (chart) + 10 + 36 + 1 (exchangeInfo).
	if p.SteadyPeak != 48 {
		t.Errorf("steady peak %d, want 48", p.SteadyPeak)
	}
}
