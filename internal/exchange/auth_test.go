package exchange

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"snapshotter/internal/account"
	"snapshotter/internal/sign"
)

func TestHMAC_Verification(t *testing.T) {
	key := http.Header{apiKeyHeader: {testAPIKey}}
	const params = "symbol=BTCUSDT"
	tests := []struct {
		name   string
		query  string
		header http.Header
		status int
		code   int
		msg    string
	}{
		{"signed", hmacQuery(params, t0, testSecret), key, 200, 0, ""},
		{"signature in upper case", upperSig(hmacQuery(params, t0, testSecret)), key,
			200, 0, ""},
		{"wrong secret", hmacQuery(params, t0, "not the secret"), key, 400, -1022,
			"Signature for this request is not valid."},
		{"unknown key", hmacQuery(params, t0, testSecret),
			http.Header{apiKeyHeader: {"someone-else"}}, 401, -2015,
			"Invalid API-key, IP, or permissions for action."},
		{"no key", hmacQuery(params, t0, testSecret), nil, 401, -2015,
			"Invalid API-key, IP, or permissions for action."},
		{"signature not last", hmacQuery(params, t0, testSecret) + "&recvWindow=5000",
			key, 400, -1022, "Signature for this request is not valid."},
		{"no signature", join(params, "timestamp", msText(t0)), key, 400, -1102,
			"Mandatory parameter 'signature' was not sent, was empty/null, or malformed."},
		{"no timestamp", join(params, "signature", sign.HMAC(testSecret, params)), key,
			400, -1102,
			"Mandatory parameter 'timestamp' was not sent, was empty/null, or malformed."},
		{"timestamp as a float", join(params, "timestamp", "1.704112450e+12",
			"signature", "00"), key, 400, -1100,
			"Illegal characters found in parameter 'timestamp'; legal range is " +
				"'^[0-9]{1,20}$'."},
		{"7 s behind, default window", hmacQuery(params, t0.Add(-7*time.Second),
			testSecret), key, 400, -1021,
			"Timestamp for this request is outside of the recvWindow."},
		{"5 s behind, default window", hmacQuery(params, t0.Add(-5*time.Second),
			testSecret), key, 200, 0, ""},
		{"7 s behind, window 10000", hmacQuery(join(params, "recvWindow", "10000"),
			t0.Add(-7*time.Second), testSecret), key, 200, 0, ""},
		{"1000 ms ahead", hmacQuery(params, t0.Add(time.Second), testSecret), key, 400,
			-1021, "Timestamp for this request was 1000ms ahead of the server's time."},
		{"999 ms ahead", hmacQuery(params, t0.Add(999*time.Millisecond), testSecret),
			key, 200, 0, ""},
		{"window 60000", hmacQuery(join(params, "recvWindow", "60000"), t0, testSecret),
			key, 200, 0, ""},
		{"window 100000", hmacQuery(join(params, "recvWindow", "100000"), t0,
			testSecret), key, 400, -1130, "'recvWindow' must be less than 60000."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := privateServer(t)
			a := rawGet(t, s, "/fapi/v1/userTrades", tt.query, tt.header)
			checkRefusal(t, a, tt.status, tt.code, tt.msg)
		})
	}
}

// checkRefusal checks an answer's status and, for refusals, its error.
func checkRefusal(t *testing.T, a answer, status, code int, msg string) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
	if status == http.StatusOK {
		return
	}
	if e := apiErr(t, a); e.Code != code || e.Msg != msg {
		t.Errorf("error %d %q, want %d %q", e.Code, e.Msg, code, msg)
	}
}

// upperSig upper-cases the hex of the trailing signature.
func upperSig(qs string) string {
	i := strings.LastIndex(qs, "signature=") + len("signature=")
	return qs[:i] + strings.ToUpper(qs[i:])
}

// TestHMAC_ClockBehind is case C04: the host clock is 7 s behind, so a
// request stamped with it is refused; stamped with the offset measured
// from /fapi/v1/time it is accepted, without widening recvWindow.
func TestHMAC_ClockBehind(t *testing.T) {
	s, _ := privateServer(t)
	local := t0.Add(-7 * time.Second)

	a := hmacGet(t, s, "/fapi/v2/balance", "", local)
	checkRefusal(t, a, 400, -1021, "Timestamp for this request is outside of the recvWindow.")

	var st struct{ ServerTime int64 }
	decodeOK(t, get(t, s, "/fapi/v1/time", nil), &st)
	offset := time.UnixMilli(st.ServerTime).Sub(local)
	a = hmacGet(t, s, "/fapi/v2/balance", "recvWindow=5000", local.Add(offset))
	var bs []account.Balance
	decodeOK(t, a, &bs)
}

func TestV3_Verification(t *testing.T) {
	agent := mustAgent(t, testAgentKey)
	other := mustAgent(t, otherAgentKey)
	now := t0.UnixMicro()
	const params = "symbol=BTCUSDT"
	signed := func(qs string) string { return join(qs, "signature", signV3(t, agent, qs, 1666)) }
	nonceQS := func(n int64) string {
		return join(params, "user", testUser, "signer", agent.Address(), "nonce",
			strconv.FormatInt(n, 10))
	}
	// other signs for itself without a user: a valid signature of an
	// identity the exchange does not know.
	unknown := join(params, "signer", other.Address(), "nonce", strconv.FormatInt(now, 10))
	unknown = join(unknown, "signature", signV3(t, other, unknown, 1666))
	badSig := "Signature for this request is not valid."
	tests := []struct {
		name   string
		query  string
		status int
		code   int
		msg    string
	}{
		{"signed", v3Query(t, params, agent, now), 200, 0, ""},
		{"without user", signed(join(params, "signer", agent.Address(), "nonce",
			strconv.FormatInt(now, 10))), 200, 0, ""},
		{"signer in lower case", signed(join(params, "signer",
			strings.ToLower(agent.Address()), "nonce", strconv.FormatInt(now, 10))),
			200, 0, ""},
		{"nonce 9 s old", v3Query(t, params, agent, now-9_000_000), 200, 0, ""},
		{"nonce 11 s old", v3Query(t, params, agent, now-11_000_000), 400, -4225,
			"Nonce Expired"},
		{"nonce 11 s ahead", v3Query(t, params, agent, now+11_000_000), 400, -4225,
			"Nonce Expired"},
		{"nonce in milliseconds", v3Query(t, params, agent, now/1000), 400, -4225,
			"Nonce Expired"},
		{"signed string differs from the one sent", reorder(nonceQS(now),
			signV3(t, agent, nonceQS(now), 1666)), 400, -1022, badSig},
		{"signed by another key", join(nonceQS(now), "signature",
			signV3(t, other, nonceQS(now), 1666)), 400, -1022, badSig},
		{"signed for the testnet", join(nonceQS(now), "signature",
			signV3(t, agent, nonceQS(now), sign.ChainTestnet)), 400, -1022, badSig},
		{"signer not the user's agent", v3Query(t, params, other, now), 400, -1022,
			badSig},
		{"unknown signer", unknown, 401, -2015,
			"Invalid API-key, IP, or permissions for action."},
		{"garbage signature", join(nonceQS(now), "signature", "0xzz"), 400, -1022, badSig},
		{"no nonce", signed(join(params, "user", testUser, "signer", agent.Address())),
			400, -1102,
			"Mandatory parameter 'nonce' was not sent, was empty/null, or malformed."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := privateServer(t)
			a := rawGet(t, s, "/fapi/v3/userTrades", tt.query, nil)
			checkRefusal(t, a, tt.status, tt.code, tt.msg)
		})
	}
}

// reorder moves the first parameter of qs to the end and appends sig: the
// same parameters, but not the string that was signed.
func reorder(qs, sig string) string {
	first, rest, _ := strings.Cut(qs, "&")
	return rest + "&" + first + "&signature=" + sig
}

func TestV3_NonceReused(t *testing.T) {
	s, _ := privateServer(t)
	qs := v3Query(t, "symbol=BTCUSDT", mustAgent(t, testAgentKey), t0.UnixMicro())
	if a := rawGet(t, s, "/fapi/v3/userTrades", qs, nil); a.status != 200 {
		t.Fatalf("first use: status %d %s", a.status, a.body)
	}
	a := rawGet(t, s, "/fapi/v3/userTrades", qs, nil)
	checkRefusal(t, a, 400, -4225, "Nonce Expired")
}

// TestV3_KeepsHundredNonces: once 100 nonces are kept, one below all of
// them is refused even inside the 10 s window; a higher one is accepted.
func TestV3_KeepsHundredNonces(t *testing.T) {
	s, _ := privateServer(t)
	for i := range int64(100) {
		if a := v3Get(t, s, "/fapi/v3/openOrders", "", i); a.status != 200 {
			t.Fatalf("nonce %d: status %d %s", i, a.status, a.body)
		}
	}
	checkRefusal(t, v3Get(t, s, "/fapi/v3/openOrders", "", -1), 400, -4225, "Nonce Expired")
	if a := v3Get(t, s, "/fapi/v3/openOrders", "", 100); a.status != 200 {
		t.Errorf("higher nonce: status %d %s", a.status, a.body)
	}
	// The newest 100 are 1..100 now; 0 has been dropped and is below them.
	checkRefusal(t, v3Get(t, s, "/fapi/v3/openOrders", "", 0), 400, -4225, "Nonce Expired")
}

func TestV3_ChainID(t *testing.T) {
	agent := mustAgent(t, testAgentKey)
	acct := testAccount(t)
	s, _ := newTestServer(Config{Accounts: []Account{acct}, ChainID: sign.ChainTestnet}, t0)
	qs := join("", "signer", agent.Address(), "nonce", strconv.FormatInt(t0.UnixMicro(), 10))

	a := rawGet(t, s, "/fapi/v3/balance",
		join(qs, "signature", signV3(t, agent, qs, sign.ChainTestnet)), nil)
	var bs []account.Balance
	decodeOK(t, a, &bs)

	qs = join("", "signer", agent.Address(), "nonce", strconv.FormatInt(t0.UnixMicro()+1, 10))
	a = rawGet(t, s, "/fapi/v3/balance",
		join(qs, "signature", signV3(t, agent, qs, sign.ChainMainnet)), nil)
	checkRefusal(t, a, 400, -1022, "Signature for this request is not valid.")
}

// TestPrivate_SchemePerPath: each path takes the schemes of its profile;
// /fapi/v3/balance and positionRisk take both and answer in the shape of
// the profile whose signature they got.
func TestPrivate_SchemePerPath(t *testing.T) {
	s, _ := privateServer(t)

	a := v3Get(t, s, "/fapi/v1/userTrades", "symbol=BTCUSDT", 0)
	checkRefusal(t, a, 401, -2015, "Invalid API-key, IP, or permissions for action.")
	a = hmacGet(t, s, "/fapi/v3/userTrades", "symbol=BTCUSDT", t0)
	checkRefusal(t, a, 400, -1102,
		"Mandatory parameter 'signer' was not sent, was empty/null, or malformed.")

	binance := hmacGet(t, s, "/fapi/v3/positionRisk", "", t0)
	aster := v3Get(t, s, "/fapi/v3/positionRisk", "", 1)
	if !bytes.Contains(binance.body, []byte(`"breakEvenPrice"`)) ||
		bytes.Contains(binance.body, []byte(`"leverage"`)) {
		t.Errorf("HMAC positionRisk is not Binance's v3 shape: %s", binance.body)
	}
	if !bytes.Contains(aster.body, []byte(`"leverage"`)) ||
		!bytes.Contains(aster.body, []byte(`"ASTERUSDT"`)) {
		t.Errorf("V3 positionRisk is not Aster's shape: %s", aster.body)
	}
}

func TestPrivate_NoAccounts(t *testing.T) {
	s, _ := newTestServer(Config{}, t0)
	want := "Invalid API-key, IP, or permissions for action."
	checkRefusal(t, hmacGet(t, s, "/fapi/v4/account", "", t0), 401, -2015, want)
	checkRefusal(t, v3Get(t, s, "/fapi/v3/accountWithJoinMargin", "", 0), 401, -2015, want)
}

func TestPrivate_Weights(t *testing.T) {
	tests := []struct {
		path, params string
		v3           bool
		want         int
	}{
		{"/fapi/v4/account", "", false, 5},
		{"/fapi/v2/account", "", false, 5},
		{"/fapi/v3/account", "", false, 5},
		{"/fapi/v3/accountWithJoinMargin", "", true, 5},
		{"/fapi/v2/balance", "", false, 5},
		{"/fapi/v3/balance", "", true, 5},
		{"/fapi/v2/positionRisk", "", false, 5},
		{"/fapi/v3/positionRisk", "", false, 5},
		{"/fapi/v1/userTrades", "symbol=BTCUSDT", false, 5},
		{"/fapi/v3/userTrades", "symbol=BTCUSDT", true, 5},
		{"/fapi/v1/income", "", false, 30},
		{"/fapi/v3/income", "", true, 30},
		{"/fapi/v1/openOrders", "symbol=BTCUSDT", false, 1},
		{"/fapi/v1/openOrders", "", false, 40},
		{"/fapi/v3/openOrders", "", true, 40},
	}
	for _, tt := range tests {
		t.Run(tt.path+"?"+tt.params, func(t *testing.T) {
			s, _ := privateServer(t)
			var a answer
			if tt.v3 {
				a = v3Get(t, s, tt.path, tt.params, 0)
			} else {
				a = hmacGet(t, s, tt.path, tt.params, t0)
			}
			if a.status != 200 {
				t.Fatalf("status %d %s", a.status, a.body)
			}
			if got := a.header.Get(usedWeightHeader); got != strconv.Itoa(tt.want) {
				t.Errorf("used weight %s, want %d", got, tt.want)
			}
		})
	}
}

// TestPrivate_ChargedWhenRefused: a badly signed request costs its weight
// like any other, and counts towards 429.
func TestPrivate_ChargedWhenRefused(t *testing.T) {
	s, _ := newTestServer(Config{Accounts: []Account{testAccount(t)}, WeightLimit: 60}, t0)
	a := rawGet(t, s, "/fapi/v1/income", hmacQuery("", t0, "wrong"),
		http.Header{apiKeyHeader: {testAPIKey}})
	if a.status != 400 || a.header.Get(usedWeightHeader) != "30" {
		t.Fatalf("status %d weight %s", a.status, a.header.Get(usedWeightHeader))
	}
	hmacGet(t, s, "/fapi/v1/income", "", t0)
	if a := hmacGet(t, s, "/fapi/v1/income", "", t0); a.status != http.StatusTooManyRequests {
		t.Errorf("third income request: status %d, want 429", a.status)
	}
}

// TestPrivate_SecretsNeverShown sends good and bad requests and looks for
// the secret in every answer, the request log and the debug log.
func TestPrivate_SecretsNeverShown(t *testing.T) {
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, _ := newTestServer(Config{Accounts: []Account{testAccount(t)}, Logger: logger,
		WeightLimit: 1 << 20}, t0)

	var bodies [][]byte
	for _, path := range []string{"/fapi/v4/account", "/fapi/v1/income", "/fapi/v1/userTrades"} {
		bodies = append(bodies, hmacGet(t, s, path, "symbol=BTCUSDT", t0).body,
			hmacGet(t, s, path, "", t0.Add(-time.Minute)).body,
			rawGet(t, s, path, hmacQuery("", t0, "x"),
				http.Header{apiKeyHeader: {testAPIKey}}).body)
	}
	for _, b := range bodies {
		if bytes.Contains(b, []byte(testSecret)) {
			t.Errorf("answer shows the secret: %s", b)
		}
	}
	if strings.Contains(logs.String(), testSecret) {
		t.Error("log shows the secret")
	}
	for _, r := range s.Requests() {
		if strings.Contains(r.Query, testSecret) {
			t.Error("request log shows the secret")
		}
	}
}

func TestNew_PanicsOnBadAccount(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Account)
	}{
		{"unknown symbol", func(a *Account) { a.Symbols = []string{"NOPEUSDT"} }},
		{"key without secret", func(a *Account) { a.Secret = "" }},
		{"user without signer", func(a *Account) { a.Signer = "" }},
		{"balance not a decimal", func(a *Account) { a.Balance = "1e4x" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acct := testAccount(t)
			tt.edit(&acct)
			defer func() {
				r := recover()
				if r == nil {
					t.Fatal("New did not panic")
				}
				if msg, _ := r.(string); strings.Contains(msg, testSecret) ||
					strings.Contains(msg, testAPIKey) {
					t.Errorf("panic shows a credential: %v", r)
				}
			}()
			New(Config{Accounts: []Account{acct}})
		})
	}
}

// TestPrivate_OverLoopback signs real HTTP requests from several
// goroutines at once, with both schemes, one of them as a form body.
func TestPrivate_OverLoopback(t *testing.T) {
	s, _ := privateServer(t)
	base, err := s.Start()
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	agent := mustAgent(t, testAgentKey)

	errs := make(chan error, 30)
	for i := range 10 {
		// Signing may fail the test, which only the test's goroutine may do.
		vq := v3Query(t, "", agent, t0.UnixMicro()+int64(i))
		go func() {
			hq := hmacQuery("symbol=ETHUSDT", t0, testSecret)
			req, _ := http.NewRequest(http.MethodGet, base+"/fapi/v1/userTrades?"+hq, nil)
			req.Header.Set(apiKeyHeader, testAPIKey)
			errs <- expectOK(req)

			req, _ = http.NewRequest(http.MethodGet, base+"/fapi/v3/balance?"+vq, nil)
			errs <- expectOK(req)

			req, _ = http.NewRequest(http.MethodPost, base+"/fapi/v2/balance",
				strings.NewReader(hmacQuery("", t0, testSecret)))
			req.Header.Set(apiKeyHeader, testAPIKey)
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			errs <- expectOK(req)
		}()
	}
	for range 30 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

func expectOK(req *http.Request) error {
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("%s %s: status %d %s", req.Method, req.URL.Path,
			res.StatusCode, body)
	}
	return nil
}
