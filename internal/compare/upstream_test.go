package compare

import (
	"net/http"
	"testing"
	"testing/synctest"
	"time"

	"snapshotter/internal/exchange"
)

// TestUpstream_WeightsAreTheExchanges drives the exchange past a small
// limit into a ban and back, and checks that the transport's log agrees
// with the exchange's own, request by request.
func TestUpstream_WeightsAreTheExchanges(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := Reference()
		sleepUntil(w.Start)
		cfg := w.exchangeConfig()
		cfg.WeightLimit = 20
		ex := exchange.New(cfg)
		up := newUpstream(ex)
		d := dashboard{w: w, hc: up.client()}

		d.account()   // weight 5
		for range 9 { // 2 each up to 19, then a 429 and a ban
			d.klines("BTCUSDT")
		}
		time.Sleep(3 * time.Minute) // the first ban lasts 2 minutes
		d.trades("BTCUSDT")         // 5
		time.Sleep(10 * time.Second)
		d.klines("ETHUSDT") // 2 more in the same minute
		time.Sleep(time.Minute)
		d.klines("ETHUSDT") // 2 in a new minute

		got, want := up.records(), ex.Requests()
		if len(got) != len(want) {
			t.Fatalf("%d records, the exchange logged %d", len(got), len(want))
		}
		for i := range want {
			served := want[i].Status == http.StatusOK
			if served && got[i].asked != want[i].Weight {
				t.Errorf("request %d to %s: documented weight %d, charged %d", i,
					want[i].Path, got[i].asked, want[i].Weight)
			}
			if got[i].weight != want[i].Weight || got[i].status != want[i].Status ||
				!got[i].at.Equal(want[i].Time) || got[i].path != want[i].Path {
				t.Errorf("request %d: %+v, the exchange logged %+v", i, got[i], want[i])
			}
		}
		statuses := []int{200, 200, 200, 200, 200, 200, 200, 200, 429, 418, 200, 200, 200}
		weights := []int{5, 2, 2, 2, 2, 2, 2, 2, 0, 0, 5, 2, 2}
		for i := range got {
			if i >= len(statuses) || got[i].status != statuses[i] || got[i].weight != weights[i] {
				t.Errorf("request %d: status %d weight %d", i, got[i].status, got[i].weight)
			}
		}
		if c := len(got); c != len(statuses) {
			t.Errorf("%d requests, want %d", c, len(statuses))
		}
		if got[0].status != http.StatusOK {
			t.Errorf("the signed account request was refused: %d", got[0].status)
		}
	})
}
