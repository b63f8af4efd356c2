package exchange

import (
	"net/http"
	"testing"
	"time"
)

const nginx502 = `<html><head><title>502 Bad Gateway</title></head><body><center>` +
	`<h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>`

func TestInject_AnswersTimesThenStops(t *testing.T) {
	s, _ := newTestServer(Config{}, t0)
	s.Inject(Fault{
		Path: "/fapi/v1/klines", Symbol: "ETHUSDT", Status: http.StatusBadGateway,
		Header: http.Header{"Content-Type": {"text/html"}}, Body: nginx502, Times: 1,
	})

	steps := []struct {
		symbol string
		status int
	}{
		{"BTCUSDT", 200}, // another symbol is not touched
		{"ETHUSDT", 502},
		{"ETHUSDT", 200}, // used up
	}
	for i, st := range steps {
		a := get(t, s, "/fapi/v1/klines", klinesQ(st.symbol, "1h", "limit", "1"))
		if a.status != st.status {
			t.Fatalf("step %d %s: status %d, want %d", i, st.symbol, a.status, st.status)
		}
		if st.status != 502 {
			continue
		}
		if string(a.body) != nginx502 || a.header.Get("Content-Type") != "text/html" {
			t.Errorf("fault answer %q %q, want the nginx page", a.header, a.body)
		}
		if h := a.header.Get("X-MBX-USED-WEIGHT-1M"); h != "" {
			t.Errorf("proxy page carries a weight header %q", h)
		}
	}

	reqs := s.Requests()
	if len(reqs) != 3 || !reqs[1].Injected || reqs[1].Status != 502 || reqs[1].Weight != 0 {
		t.Errorf("log %+v, want the 502 recorded as injected and free", reqs)
	}
}

func TestInject_ForeverUntilCleared(t *testing.T) {
	s, _ := newTestServer(Config{}, t0)
	s.Ban(t0.Add(time.Hour))
	s.Inject(Fault{Status: http.StatusForbidden, Body: "blocked"})
	for i := 0; i < 3; i++ {
		if a := get(t, s, "/fapi/v1/ping", nil); a.status != http.StatusForbidden {
			t.Fatalf("request %d: status %d, want 403 even during a ban", i, a.status)
		}
	}
	s.ClearFaults()
	if a := get(t, s, "/fapi/v1/ping", nil); a.status != http.StatusTeapot {
		t.Errorf("after ClearFaults: status %d, want the ban's 418", a.status)
	}
}
