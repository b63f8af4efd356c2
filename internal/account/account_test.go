package account

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestDecimal_ExactSumsAndStatedRounding(t *testing.T) {
	// C12: 0.1 + 0.2 in float64 is 0.30000000000000004.
	sum := MustParse("0.10000000").Add(MustParse("0.20000000"))
	if got := sum.String(); got != "0.3" {
		t.Errorf("0.10000000 + 0.20000000 = %s, want 0.3", got)
	}
	if got := Round(sum, 8); got != "0.30000000" {
		t.Errorf("at 8 places: %s, want 0.30000000", got)
	}
	// Half away from zero, as stated: 1.005 at 2 places is 1.01.
	for in, want := range map[string]string{"1.005": "1.01", "-1.005": "-1.01",
		"1.004": "1.00", "2.675": "2.68"} {
		if got := Round(MustParse(in), 2); got != want {
			t.Errorf("Round(%s, 2) = %s, want %s", in, got, want)
		}
	}
	if _, err := Parse("1e-3x"); err == nil {
		t.Error("a malformed amount was accepted")
	}
}

func TestIsFlat_NumericComparison(t *testing.T) {
	for amt, want := range map[string]bool{"0": true, "0.000": true, "-0.0": true,
		"0.001": false, "-0.009": false} {
		if got := IsFlat(Position{PositionAmt: amt}); got != want {
			t.Errorf("IsFlat(%q) = %v, want %v", amt, got, want)
		}
	}
}

func TestBook_DedupesOverlappingPages(t *testing.T) {
	var b Book
	row := func(typ string, id, ms int64, v string) Income {
		return Income{IncomeType: typ, TranID: id, Time: ms, Income: v, Asset: "USDT",
			Symbol: "BTCUSDT"}
	}
	page1 := []Income{row("COMMISSION", 1, 100, "-0.1"), row("REALIZED_PNL", 1, 200, "2")}
	// Inclusive bounds: the next page starts at the last row's time and
	// repeats it; the same tranId in another type is another row.
	page2 := []Income{page1[1], {IncomeType: "FUNDING_FEE", TranID: 8082457372019390060,
		Time: 200, Income: "-0.04618913", Asset: "USDT", Symbol: "BTCUSDT"}}
	if n := b.AddIncome(page1); n != 2 {
		t.Errorf("first page added %d", n)
	}
	if n := b.AddIncome(page2); n != 1 {
		t.Errorf("second page added %d, want 1 (one row repeated)", n)
	}
	if len(b.Income) != 3 || b.Income[2].TranID != 8082457372019390060 {
		t.Errorf("income = %+v", b.Income)
	}

	if n := b.AddTrades("BTCUSDT", []Trade{{ID: 3, Time: 30}, {ID: 1, Time: 10}}); n != 2 {
		t.Errorf("added %d trades", n)
	}
	if n := b.AddTrades("BTCUSDT", []Trade{{ID: 3, Time: 30}, {ID: 4, Time: 40}}); n != 1 {
		t.Errorf("added %d trades, want 1", n)
	}
	ids := []int64{}
	for _, tr := range b.Trades["BTCUSDT"] {
		ids = append(ids, tr.ID)
	}
	if len(ids) != 3 || ids[0] != 1 || ids[2] != 4 {
		t.Errorf("trade ids %v, want [1 3 4]", ids)
	}
}

func TestBook_ActiveSymbols(t *testing.T) {
	b := Book{TradesRead: map[string]int64{"ETHUSDT": 500}}
	b.AddTrades("BTCUSDT", []Trade{{ID: 1, Time: 100}})
	b.AddIncome([]Income{
		{IncomeType: "COMMISSION", TranID: 1, Time: 150, Symbol: "BTCUSDT", Income: "-1"},
		{IncomeType: "COMMISSION", TranID: 2, Time: 400, Symbol: "ETHUSDT", Income: "-1"},
		{IncomeType: "FUNDING_FEE", TranID: 3, Time: 900, Symbol: "SOLUSDT", Income: "-1"},
	})
	got := b.ActiveSymbols([]Position{
		{Symbol: "REZUSDT", PositionAmt: "10", UpdateTime: 50},
		{Symbol: "ASTERUSDT", PositionAmt: "0.00", UpdateTime: 9999},
	})
	if strings.Join(got, ",") != "BTCUSDT,REZUSDT" {
		t.Errorf("active = %v, want [BTCUSDT REZUSDT]", got)
	}
}

func TestCompute_Definitions(t *testing.T) {
	day := func(h int) int64 {
		return time.Date(2025, 3, 1, h, 0, 0, 0, time.UTC).UnixMilli()
	}
	b := Book{}
	b.AddIncome([]Income{
		{IncomeType: "TRANSFER", TranID: 1, Time: day(0), Income: "1000", Asset: "USDT"},
		usdt("REALIZED_PNL", 2, day(1), "50.10", "BTCUSDT"),
		usdt("COMMISSION", 3, day(1), "-0.10", "BTCUSDT"),
		usdt("REALIZED_PNL", 4, day(5), "-80.00", "ETHUSDT"),
		usdt("FUNDING_FEE", 5, day(8), "-0.20", "ETHUSDT"),
		usdt("REALIZED_PNL", 6, day(23), "10", "BTCUSDT"),
		{IncomeType: "COMMISSION", TranID: 7, Time: day(23), Income: "-1", Asset: "BNB"},
	})
	b.AddTrades("BTCUSDT", []Trade{{ID: 1, RealizedPnl: "50.10"}, {ID: 2, RealizedPnl: "0"},
		{ID: 3, RealizedPnl: "10"}})
	b.AddTrades("ETHUSDT", []Trade{{ID: 1, RealizedPnl: "-80.00"}})
	shanghai, _ := time.LoadLocation("Asia/Shanghai")
	p, err := Compute(&b, "USDT", "979.80", shanghai)
	if err != nil {
		t.Fatal(err)
	}
	want := Sums{RealizedPnl: "-19.9", Fees: "-0.1", Funding: "-0.2", Other: "0",
		Net: "-20.2", Transfers: "1000"}
	if p.Total != want {
		t.Errorf("total %+v, want %+v", p.Total, want)
	}
	if len(p.BySymbol) != 2 || p.BySymbol[0].Symbol != "BTCUSDT" || p.BySymbol[0].Net != "60" ||
		p.BySymbol[1].Net != "-80.2" {
		t.Errorf("by symbol %+v", p.BySymbol)
	}
	// 23:00 UTC is the next day in Shanghai.
	if len(p.ByDay) != 2 || p.ByDay[0].Day != "2025-03-01" || p.ByDay[1].Day != "2025-03-02" ||
		p.ByDay[1].Net != "10" {
		t.Errorf("by day %+v", p.ByDay)
	}
	if p.ClosedTrades != 3 || p.Wins != 2 || *p.WinRate != "0.6667" {
		t.Errorf("closed %d wins %d rate %v", p.ClosedTrades, p.Wins, *p.WinRate)
	}
	// (50.10 + 10) / 80.00 = 0.75125 → 0.7513, half away from zero.
	if p.ProfitFactor == nil || *p.ProfitFactor != "0.7513" {
		t.Errorf("profit factor %v, want 0.7513", p.ProfitFactor)
	}
	// Wallet before the rows: 979.80 - 979.8 = 0; then 1000, 1050.1,
	// 1050.0, 970.0, 969.8, 979.8. The result curve (no transfers) peaks
	// at 50.10 and falls to -30.2: a drawdown of 80.3, which is 1.602794…
	// of the peak, 1.6028 at 4 places.
	if len(p.Equity) != 6 || p.Equity[0].Value != "1000" || p.Equity[5].Value != "979.8" {
		t.Errorf("equity %+v", p.Equity)
	}
	if p.MaxDrawdown != "80.3" || p.MaxDrawdownPct == nil || *p.MaxDrawdownPct != "1.6028" {
		t.Errorf("drawdown %s (%v), want 80.3 (1.6028)", p.MaxDrawdown, deref(p.MaxDrawdownPct))
	}
}

// TestRecorded_DecodeWithoutLoss decodes the real recorded responses and
// checks every decimal string survives a round trip unchanged.
func TestRecorded_DecodeWithoutLoss(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "account")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("recorded data not found at %s: %v", dir, err)
	}
	cases := []struct {
		file string
		into any
		keys []string
	}{
		{"aster_fapi_v4_account_empty.json", &Snapshot{}, []string{"totalWalletBalance",
			"walletBalance", "positionAmt", "entryPrice", "leverage"}},
		{"binance_fapi_v3_account_multiasset_1pos.json", &Snapshot{},
			[]string{"totalMarginBalance", "positionAmt", "notional"}},
		{"binance_fapi_v2_account_usdt_only.json", &Snapshot{}, []string{"availableBalance"}},
		{"binance_fapi_v1_userTrades_BTCUSDT_1.json", &[]Trade{}, []string{"price", "qty",
			"quoteQty", "commission", "realizedPnl"}},
		{"binance_fapi_v1_userTrades_ETHUSDT_2022.json", &[]Trade{}, []string{"price", "qty"}},
		{"binance_papi_v1_um_income_FUNDING_FEE_1.json", &[]Income{}, []string{"income", "tranId"}},
		{"binance_fapi_v1_income_FUNDING_FEE_DOTUSDT_1.json", &[]Income{},
			[]string{"income", "tranId"}},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, c.into); err != nil {
				t.Fatalf("decode: %v", err)
			}
			out, err := json.Marshal(c.into)
			if err != nil {
				t.Fatal(err)
			}
			for _, k := range c.keys {
				want := values(t, raw, k)
				got := values(t, out, k)
				if len(want) == 0 || strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("%s: got %d values %.80v, recorded %d %.80v", k, len(got), got,
						len(want), want)
				}
			}
		})
	}
}

// values collects every value of key in a JSON document, as raw text.
func values(t *testing.T, doc []byte, key string) []string {
	t.Helper()
	var v any
	d := json.NewDecoder(strings.NewReader(string(doc)))
	d.UseNumber()
	if err := d.Decode(&v); err != nil {
		t.Fatal(err)
	}
	var out []string
	var walk func(any)
	walk = func(x any) {
		switch x := x.(type) {
		case map[string]any:
			for k, y := range x {
				if k == key {
					b, _ := json.Marshal(y)
					out = append(out, string(b))
				}
				walk(y)
			}
		case []any:
			for _, y := range x {
				walk(y)
			}
		}
	}
	walk(v)
	return out
}

func deref(s *string) string {
	if s == nil {
		return "<nil>"
	}
	return *s
}

// usdt is an income row in USDT.
func usdt(typ string, id, ms int64, v, symbol string) Income {
	return Income{IncomeType: typ, TranID: id, Time: ms, Income: v, Asset: "USDT", Symbol: symbol}
}
