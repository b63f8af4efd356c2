package render

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/account"
)

// TestAccount_RecordedPublishedWithoutLoss publishes the real recorded
// account, trades and income and checks every decimal string reaches the
// published files unchanged.
func TestAccount_RecordedPublishedWithoutLoss(t *testing.T) {
	dir := filepath.Join("..", "..", "..", "shared", "data", "account")
	if _, err := os.Stat(dir); err != nil {
		t.Skipf("recorded data not found at %s: %v", dir, err)
	}
	read := func(name string, v any) {
		raw, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw, v); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	var snap account.Snapshot
	read("binance_fapi_v3_account_multiasset_1pos.json", &snap)
	var risk []account.Position
	read("binance_fapi_v3_positionRisk_BTCUSDT_long_a.json", &risk)
	var trades, more []account.Trade
	read("binance_fapi_v1_userTrades_ETHUSDT_2022.json", &trades)
	read("binance_fapi_v1_userTrades_BTCUSDT_1.json", &more)
	trades = append(trades, more...)
	var income, funding []account.Income
	read("binance_papi_v1_um_income_FUNDING_FEE_1.json", &income)
	read("binance_fapi_v1_income_FUNDING_FEE_DOTUSDT_1.json", &funding)
	income = append(income, funding...)

	// The recorded account lists the open position without mark and
	// liquidation prices; positionRisk has them, as the daemon merges.
	var open []account.Position
	for _, p := range snap.Positions {
		if !account.IsFlat(p) {
			p.MarkPrice, p.LiquidationPrice = risk[0].MarkPrice, risk[0].LiquidationPrice
			p.EntryPrice = risk[0].EntryPrice
			open = append(open, p)
		}
	}
	snap.Positions = open
	b := account.Book{}
	b.AddIncome(income)
	for _, tr := range trades {
		b.AddTrades(tr.Symbol, []account.Trade{tr})
	}
	perf, err := account.Compute(&b, "USDT", snap.Assets[0].WalletBalance, time.UTC)
	if err != nil {
		t.Fatal(err)
	}
	r, out := newRenderer(t, nil)
	v := AccountView{FetchedAt: time.UnixMilli(1722161166529), Profile: "binance",
		Snapshot: snap, Trades: trades, Income: income, Performance: perf}
	if err := r.Account(v); err != nil {
		t.Fatal(err)
	}

	published := func(name string) string {
		raw, err := os.ReadFile(filepath.Join(out, "data", name))
		if err != nil {
			t.Fatal(err)
		}
		return string(raw)
	}
	acc := published("account.json")
	for _, s := range []string{snap.TotalWalletBalance, snap.TotalMarginBalance,
		snap.Assets[0].WalletBalance, open[0].PositionAmt, open[0].Notional,
		risk[0].MarkPrice, risk[0].LiquidationPrice, risk[0].EntryPrice} {
		if !strings.Contains(acc, `"`+s+`"`) {
			t.Errorf("account.json lacks %q", s)
		}
	}
	tj := published("trades.json")
	for _, tr := range trades {
		for _, s := range []string{tr.Price, tr.Qty, tr.QuoteQty, tr.Commission} {
			if !strings.Contains(tj, `"`+s+`"`) {
				t.Errorf("trades.json lacks %q of trade %d", s, tr.ID)
			}
		}
	}
	ij := published("income.json")
	for _, in := range income {
		tran, _ := json.Marshal(in.TranID)
		if !strings.Contains(ij, `"`+in.Income+`"`) || !strings.Contains(ij, string(tran)) {
			t.Errorf("income.json lacks %s / tranId %s", in.Income, tran)
		}
	}
	// tranId 8082457372019390060 is above 2^53: it must not be rounded.
	if !strings.Contains(ij, "8082457372019390060") {
		t.Error("a tranId above 2^53 was rounded")
	}
	// Liquidation distance: |67502.68519858 - 64846.98753790| / 67502.68519858.
	if !strings.Contains(acc, `"liquidation_distance": "0.0393"`) {
		t.Errorf("account.json liquidation distance:\n%s", acc)
	}
}
