package sign

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"math/big"
	"strings"
	"testing"
)

// A key and address from the Ethereum web3 account documentation.
const (
	testKey  = "4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
	testAddr = "0x2c7536E3605D9C16a7a3D7b1898e529396a65c23"
)

// curveOrder is N, the order of the secp256k1 group.
var curveOrder, _ = new(big.Int).SetString(
	"FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141", 16)

func mustAgent(t *testing.T) *Agent {
	t.Helper()
	agent, err := ParseAgentKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	return agent
}

func TestParseAgentKey_Accepts(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"bare", testKey},
		{"0x prefix", "0x" + testKey},
		{"0X prefix", "0X" + testKey},
		{"upper case", strings.ToUpper(testKey)},
		{"trailing newline", "0x" + testKey + "\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agent, err := ParseAgentKey(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := agent.Address(); got != testAddr {
				t.Errorf("Address = %s, want %s", got, testAddr)
			}
		})
	}
}

func TestParseAgentKey_RejectsWithoutLeaking(t *testing.T) {
	tests := []struct {
		name string
		in   string
	}{
		{"empty", ""},
		{"short", testKey[:62]},
		{"long", testKey + "00"},
		{"address instead", testAddr},
		{"not hex", testKey[:63] + "g"},
		{"non-ASCII", testKey[:60] + "é" + testKey[62:]},
		{"zero", strings.Repeat("0", 64)},
		{"curve order", fmt.Sprintf("%064x", curveOrder)},
		{"all ones", strings.Repeat("f", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			agent, err := ParseAgentKey(tt.in)
			if err == nil {
				t.Fatalf("ParseAgentKey succeeded with %s", agent)
			}
			if !errors.Is(err, ErrBadKey) {
				t.Errorf("error %v does not wrap ErrBadKey", err)
			}
			assertNoKey(t, err.Error(), strings.TrimPrefix(tt.in, "0x"))
		})
	}
}

// assertNoKey fails if out contains any 6 consecutive digits of key.
func assertNoKey(t *testing.T, out, key string) {
	t.Helper()
	lower := strings.ToLower(out)
	for i := 0; i+6 <= len(key); i++ {
		if strings.Contains(lower, strings.ToLower(key[i:i+6])) {
			t.Fatalf("output %q contains key digits %q", out, key[i:i+6])
		}
	}
}

func TestAgent_FormatHidesKey(t *testing.T) {
	agent := mustAgent(t)
	outputs := map[string]string{
		"pointer": fmt.Sprintf("%v %+v %#v %s %q %x %X %d %T",
			agent, agent, agent, agent, agent, agent, agent, agent, agent),
		"value": fmt.Sprintf("%v %+v %#v %s %q %x %d",
			*agent, *agent, *agent, *agent, *agent, *agent, *agent),
		"in struct": fmt.Sprintf("%+v %#v",
			struct{ A *Agent }{agent}, struct{ A Agent }{*agent}),
		"in slice": fmt.Sprint([]*Agent{agent}, []Agent{*agent}),
		"String":   agent.String(),
		"GoString": agent.GoString(),
	}

	var logs bytes.Buffer
	slog.New(slog.NewTextHandler(&logs, nil)).Info("text", "agent", agent)
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("json", "agent", *agent)
	outputs["slog"] = logs.String()

	for name, out := range outputs {
		t.Run(name, func(t *testing.T) {
			assertNoKey(t, out, testKey)
			if !strings.Contains(out, testAddr) {
				t.Errorf("output %q does not show the address", out)
			}
		})
	}
}

func TestAgent_ZeroValue(t *testing.T) {
	var nilAgent *Agent
	tests := []struct {
		name  string
		agent *Agent
	}{
		{"nil", nilAgent},
		{"zero", &Agent{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.agent.Address(); got != "" {
				t.Errorf("Address = %q, want empty", got)
			}
			_, err := tt.agent.SignV3("a=1", ChainMainnet)
			if !errors.Is(err, ErrNoKey) {
				t.Errorf("SignV3 error = %v, want ErrNoKey", err)
			}
		})
	}
	if got := fmt.Sprint(Agent{}); got != "agent (none)" {
		t.Errorf("zero Agent prints %q", got)
	}
}

func TestAgent_SignV3RoundTrip(t *testing.T) {
	agent := mustAgent(t)
	msgs := []string{
		"",
		"symbol=BTCUSDT&nonce=1751500000000000&signer=" + testAddr,
		"symbol=ETHUSDT&side=SELL&type=MARKET&quantity=0.01" +
			"&nonce=1751500000000001&signer=" + testAddr,
	}
	for _, chain := range []int64{ChainMainnet, ChainTestnet} {
		for _, msg := range msgs {
			sig, err := agent.SignV3(msg, chain)
			if err != nil {
				t.Fatal(err)
			}
			assertCanonical(t, sig)

			got, err := RecoverV3(msg, sig, chain)
			if err != nil {
				t.Fatalf("chain %d, msg %q: %v", chain, msg, err)
			}
			if got != testAddr {
				t.Errorf("chain %d, msg %q: recovered %s, want %s",
					chain, msg, got, testAddr)
			}
		}
	}
}

// assertCanonical checks the form SignV3 promises: "0x", r, s, v with a
// low s and v 27 or 28.
func assertCanonical(t *testing.T, sig string) {
	t.Helper()
	if len(sig) != 132 || !strings.HasPrefix(sig, "0x") {
		t.Fatalf("signature %s is not 0x and 130 hex digits", sig)
	}
	raw, err := hex.DecodeString(sig[2:])
	if err != nil {
		t.Fatal(err)
	}
	if v := raw[64]; v != 27 && v != 28 {
		t.Errorf("v = %d, want 27 or 28", v)
	}
	s := new(big.Int).SetBytes(raw[32:64])
	if s.Cmp(new(big.Int).Rsh(curveOrder, 1)) > 0 {
		t.Errorf("s = %x is in the upper half of the order", s)
	}
}

func TestRecoverV3_OtherSigner(t *testing.T) {
	const msg = "symbol=BTCUSDT&nonce=1751500000000000"
	sig, err := mustAgent(t).SignV3(msg, ChainMainnet)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		msg   string
		chain int64
	}{
		{"other message", msg + "0", ChainMainnet},
		{"reordered", "nonce=1751500000000000&symbol=BTCUSDT", ChainMainnet},
		{"testnet", msg, ChainTestnet},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RecoverV3(tt.msg, sig, tt.chain)
			if err == nil && SameAddress(got, testAddr) {
				t.Errorf("recovered the signer from a different request")
			}
		})
	}
}

func TestRecoverV3_SignatureForms(t *testing.T) {
	const msg = "symbol=BTCUSDT&nonce=1751500000000000"
	sig, err := mustAgent(t).SignV3(msg, ChainMainnet)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := hex.DecodeString(sig[2:])

	// vAs returns the signature with v written as 0 or 1.
	vAs := func(base byte) string {
		b := bytes.Clone(raw)
		b[64] = b[64] - 27 + base
		return hex.EncodeToString(b)
	}

	// highS returns the malleated twin: s replaced by N - s, v flipped.
	highS := func() string {
		b := bytes.Clone(raw)
		s := new(big.Int).SetBytes(b[32:64])
		new(big.Int).Sub(curveOrder, s).FillBytes(b[32:64])
		b[64] ^= 1 // 27 ↔ 28
		return "0x" + hex.EncodeToString(b)
	}

	tests := []struct {
		name  string
		sig   string
		chain int64
		want  error
	}{
		{"as signed", sig, ChainMainnet, nil},
		{"no 0x", sig[2:], ChainMainnet, nil},
		{"upper case", "0x" + strings.ToUpper(sig[2:]), ChainMainnet, nil},
		{"v as 0 or 1", vAs(0), ChainMainnet, nil},
		{"v out of range", vAs(2), ChainMainnet, ErrBadSignature},
		{"high s", highS(), ChainMainnet, ErrBadSignature},
		{"short", sig[:130], ChainMainnet, ErrBadSignature},
		{"not hex", "0x" + strings.Repeat("zz", 65), ChainMainnet, ErrBadSignature},
		{"zero r", "0x" + strings.Repeat("0", 64) + sig[66:], ChainMainnet,
			ErrBadSignature},
		{"chain zero", sig, 0, ErrBadChainID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := RecoverV3(msg, tt.sig, tt.chain)
			if !errors.Is(err, tt.want) {
				t.Fatalf("error = %v, want %v", err, tt.want)
			}
			if tt.want == nil && got != testAddr {
				t.Errorf("recovered %s, want %s", got, testAddr)
			}
		})
	}
}

func TestAgent_SignV3BadChain(t *testing.T) {
	_, err := mustAgent(t).SignV3("a=1", -1)
	if !errors.Is(err, ErrBadChainID) {
		t.Errorf("error = %v, want ErrBadChainID", err)
	}
}

func TestSameAddress_Behaviour(t *testing.T) {
	tests := []struct {
		name string
		a, b string
		want bool
	}{
		{"identical", testAddr, testAddr, true},
		{"case differs", testAddr, strings.ToLower(testAddr), true},
		{"other address", testAddr, zeroAddress, false},
		{"no 0x", testAddr, testAddr[2:], false},
		{"both empty", "", "", false},
		{"both malformed", "0xzz", "0xzz", false},
		{"short", testAddr[:41], testAddr[:41], false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := SameAddress(tt.a, tt.b); got != tt.want {
				t.Errorf("SameAddress = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestChecksumAddress_EIP55Vectors(t *testing.T) {
	// From the EIP-55 specification.
	for _, want := range []string{
		"0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
		"0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
		"0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
		"0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
	} {
		addr, ok := parseAddress(strings.ToLower(want))
		if !ok {
			t.Fatalf("parseAddress(%s) failed", want)
		}
		if got := checksumAddress(addr); got != want {
			t.Errorf("checksumAddress = %s, want %s", got, want)
		}
	}
}
