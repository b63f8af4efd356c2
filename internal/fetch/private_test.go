package fetch_test

import (
	"context"
	"testing"
	"time"

	"snapshotter/internal/clock"
	"snapshotter/internal/exchange"
	"snapshotter/internal/fetch"
)

func TestPrivate_InvalidTimestampRetriedOnce(t *testing.T) {
	const key, secret = "test-key-1021", "test-secret-1021"
	for _, tt := range []struct {
		faults, wantAccount int
		wantErr             bool
	}{
		{faults: 1, wantAccount: 2, wantErr: false},
		{faults: 5, wantAccount: 2, wantErr: true}, // one retry, never a storm
	} {
		fc := clock.NewFake(noon)
		ex := exchange.New(exchange.Config{Clock: fc, Accounts: []exchange.Account{{
			APIKey: key, Secret: secret, Symbols: []string{"BTCUSDT"}}}})
		base, err := ex.Start()
		if err != nil {
			t.Fatal(err)
		}
		c, _ := fetch.New(fetch.Options{BaseURL: base, HTTP: fetch.NewHTTPClient(time.Second,
			"t"), Clock: fc, Share: 0.2, IPMargin: 0.9})
		s, _ := fetch.NewHMACSigner(key, secret, 5*time.Second)
		p := c.NewPrivate(fetch.Profiles["aster-v1"], s)
		ex.Inject(exchange.Fault{Path: "/fapi/v4/account", Status: 400, Times: tt.faults,
			Body: `{"code":-1021,"msg":"Timestamp for this request is outside of ` +
				`the recvWindow."}`})

		_, err = p.Account(context.Background())
		if (err != nil) != tt.wantErr {
			t.Errorf("%d faults: err = %v, want error %v", tt.faults, err, tt.wantErr)
		}
		var account, times int
		var order []string
		for _, r := range ex.Requests() {
			order = append(order, r.Path)
			switch r.Path {
			case "/fapi/v4/account":
				account++
			case "/fapi/v1/time":
				times++
			}
		}
		if account != tt.wantAccount || times != 1 {
			t.Errorf("%d faults: requests %v, want account ×%d around one time", tt.faults,
				order, tt.wantAccount)
		}
		ex.Close()
	}
}
