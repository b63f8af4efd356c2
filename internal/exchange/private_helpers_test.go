package exchange

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"snapshotter/internal/clock"
	"snapshotter/internal/sign"
)

// Credentials of the test account. The agent keys are throwaway keys from
// the Ethereum web3 documentation and a second made-up one.
const (
	testAPIKey    = "vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A"
	testSecret    = "NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j"
	testAgentKey  = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	otherAgentKey = "8da4ef21b864d2cc526dbdb2a120bd2874c36c9d0a1fb7f8c63d7f7a8b41de8f"
	testUser      = "0x63FaC9201494f0bd17B9892B9fae4d52fe3BD377"
)

// testStart is when the test account opened: 30 days before t0, at
// midnight, as an Account without Start would.
var testStart = time.Date(2023, 12, 2, 0, 0, 0, 0, time.UTC)

// testAccount is an account reachable by both schemes, trading three
// markets of DefaultMarkets.
func testAccount(t *testing.T) Account {
	t.Helper()
	return Account{
		APIKey: testAPIKey, Secret: testSecret,
		User: testUser, Signer: mustAgent(t, testAgentKey).Address(),
		Balance: "10000.00000000", Start: testStart,
		Symbols: []string{"BTCUSDT", "ETHUSDT", "REZUSDT"}, Seed: 1,
	}
}

func mustAgent(t *testing.T, key string) *sign.Agent {
	t.Helper()
	a, err := sign.ParseAgentKey(key)
	if err != nil {
		t.Fatalf("agent key: %v", err)
	}
	return a
}

// privateServer is a server with the test account, a weight limit no test
// reaches, on a fake clock at t0.
func privateServer(t *testing.T) (*Server, *clock.Fake) {
	t.Helper()
	return newTestServer(Config{Accounts: []Account{testAccount(t)}, WeightLimit: 1 << 20}, t0)
}

// rawGet sends path with rawQuery exactly as given.
func rawGet(t *testing.T, s *Server, path, rawQuery string, h http.Header) answer {
	t.Helper()
	target := path
	if rawQuery != "" {
		target += "?" + rawQuery
	}
	req := httptest.NewRequest(http.MethodGet, target, nil)
	req.RemoteAddr = "127.0.0.1:40000"
	for k, vs := range h {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	res := rec.Result()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("read body: %v", err)
	}
	return answer{res.StatusCode, res.Header, body}
}

// join appends name=value pairs to a raw query string.
func join(qs string, pairs ...string) string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if qs != "" {
			qs += "&"
		}
		qs += pairs[i] + "=" + pairs[i+1]
	}
	return qs
}

func msText(t time.Time) string { return strconv.FormatInt(t.UnixMilli(), 10) }

// hmacQuery adds timestamp and the signature under secret to params.
func hmacQuery(params string, ts time.Time, secret string) string {
	qs := join(params, "timestamp", msText(ts))
	return join(qs, "signature", sign.HMAC(secret, qs))
}

// hmacGet sends a request signed like Aster V1 and Binance, stamped ts.
func hmacGet(t *testing.T, s *Server, path, params string, ts time.Time) answer {
	t.Helper()
	return rawGet(t, s, path, hmacQuery(params, ts, testSecret),
		http.Header{apiKeyHeader: {testAPIKey}})
}

// v3Query adds user, signer and nonce to params and signs the result with
// agent under chain id 1666.
func v3Query(t *testing.T, params string, agent *sign.Agent, nonce int64) string {
	t.Helper()
	qs := join(params, "user", testUser, "signer", agent.Address(),
		"nonce", strconv.FormatInt(nonce, 10))
	return join(qs, "signature", signV3(t, agent, qs, sign.ChainMainnet))
}

func signV3(t *testing.T, agent *sign.Agent, msg string, chain int64) string {
	t.Helper()
	sig, err := agent.SignV3(msg, chain)
	if err != nil {
		t.Fatalf("sign v3: %v", err)
	}
	return sig
}

// v3Get sends a request signed like Aster V3 by the test agent, with the
// server's time as nonce plus n microseconds, so nonces stay distinct.
func v3Get(t *testing.T, s *Server, path, params string, n int64) answer {
	t.Helper()
	nonce := s.clock.Now().UnixMicro() + n
	return rawGet(t, s, path, v3Query(t, params, mustAgent(t, testAgentKey), nonce), nil)
}

// apiErr decodes an exchange error body.
func apiErr(t *testing.T, a answer) apiError {
	t.Helper()
	var e apiError
	if err := json.Unmarshal(a.body, &e); err != nil {
		t.Fatalf("decode error body %s: %v", a.body, err)
	}
	return e
}

// decodeOK checks a 200 and decodes the body into v.
func decodeOK(t *testing.T, a answer, v any) {
	t.Helper()
	if a.status != http.StatusOK {
		t.Fatalf("status %d, body %s", a.status, a.body)
	}
	if err := json.Unmarshal(a.body, v); err != nil {
		t.Fatalf("decode %s: %v", a.body, err)
	}
}
