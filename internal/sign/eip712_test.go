package sign

import (
	"encoding/binary"
	"encoding/hex"
	"math/big"
	"testing"

	"golang.org/x/crypto/sha3"
)

// The "Mail" example of the EIP-712 specification, with its published
// type encoding, digest and signature.
var mailTypes = structTypes{
	"EIP712Domain": {
		{"name", "string"},
		{"version", "string"},
		{"chainId", "uint256"},
		{"verifyingContract", "address"},
	},
	"Person": {{"name", "string"}, {"wallet", "address"}},
	"Mail": {
		{"from", "Person"},
		{"to", "Person"},
		{"contents", "string"},
	},
}

var (
	mailDomain = map[string]any{
		"name":              "Ether Mail",
		"version":           "1",
		"chainId":           big.NewInt(1),
		"verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
	}
	mailMessage = map[string]any{
		"from": map[string]any{
			"name":   "Cow",
			"wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826",
		},
		"to": map[string]any{
			"name":   "Bob",
			"wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB",
		},
		"contents": "Hello, Bob!",
	}
)

const (
	mailEncodeType = "Mail(Person from,Person to,string contents)" +
		"Person(string name,address wallet)"
	mailDigest = "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"
	mailSigR   = "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
	mailSigS   = "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"
	mailSigV   = "1c" // 28
)

func TestStructTypes_MailEncodeType(t *testing.T) {
	if got := mailTypes.encodeType("Mail"); got != mailEncodeType {
		t.Errorf("encodeType = %s, want %s", got, mailEncodeType)
	}
}

func TestStructTypes_MailDigest(t *testing.T) {
	got, err := mailTypes.digest(mailDomain, "Mail", mailMessage)
	if err != nil {
		t.Fatal(err)
	}
	if hex.EncodeToString(got[:]) != mailDigest {
		t.Errorf("digest = %x, want %s", got, mailDigest)
	}
}

func TestSignDigest_MailSignature(t *testing.T) {
	cow := keccak([]byte("cow"))
	agent, err := ParseAgentKey(hex.EncodeToString(cow[:]))
	if err != nil {
		t.Fatal(err)
	}
	if want := "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"; agent.Address() != want {
		t.Errorf("cow address = %s, want %s", agent.Address(), want)
	}

	digest, err := mailTypes.digest(mailDomain, "Mail", mailMessage)
	if err != nil {
		t.Fatal(err)
	}
	got, err := signDigest(agent.key, digest)
	if err != nil {
		t.Fatal(err)
	}
	if want := "0x" + mailSigR + mailSigS + mailSigV; got != want {
		t.Errorf("signature = %s, want %s", got, want)
	}
}

func TestStructTypes_BadValues(t *testing.T) {
	tests := []struct {
		name string
		typ  string
		v    any
	}{
		{"string given int", "string", 1},
		{"missing value", "string", nil},
		{"negative uint256", "uint256", big.NewInt(-1)},
		{"uint256 too wide", "uint256", new(big.Int).Lsh(big.NewInt(1), 256)},
		{"uint256 given int64", "uint256", int64(1)},
		{"short address", "address", "0x1234"},
		{"address without 0x", "address", zeroAddress[2:] + "00"},
		{"struct given string", "Person", "Bob"},
		{"struct missing member", "Person", map[string]any{"name": "Bob"}},
		{"unsupported type", "bytes32", "0x00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := mailTypes.encodeValue(tt.typ, tt.v); err == nil {
				t.Errorf("encodeValue(%s) succeeded, want an error", tt.typ)
			}
		})
	}
}

// handAsterDigest computes the Aster V3 digest from the formula, word by
// word, without the package's typed-data encoder.
func handAsterDigest(msg string, chainID uint64) []byte {
	hash := func(parts ...[]byte) []byte {
		h := sha3.NewLegacyKeccak256()
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}

	chain := make([]byte, 32)
	binary.BigEndian.PutUint64(chain[24:], chainID)
	domain := hash(
		hash([]byte("EIP712Domain(string name,string version,"+
			"uint256 chainId,address verifyingContract)")),
		hash([]byte("AsterSignTransaction")),
		hash([]byte("1")),
		chain,
		make([]byte, 32), // the zero address, padded
	)
	message := hash(hash([]byte("Message(string msg)")), hash([]byte(msg)))
	return hash([]byte{0x19, 0x01}, domain, message)
}

func TestTypedDataDigest_MatchesHandComputed(t *testing.T) {
	msgs := []string{
		"",
		"symbol=BTCUSDT&nonce=1751500000000000" +
			"&signer=0x2c7536E3605D9C16a7a3D7b1898e529396a65c23",
		"symbol=ETHUSDT&side=BUY&type=LIMIT&quantity=0.5&price=2500.10" +
			"&timeInForce=GTC&nonce=1751500000000001",
		"note=caf%C3%A9+%26+more",
	}
	for _, chain := range []int64{ChainMainnet, ChainTestnet} {
		for _, msg := range msgs {
			got := TypedDataDigest(msg, chain)
			want := handAsterDigest(msg, uint64(chain))
			if hex.EncodeToString(got[:]) != hex.EncodeToString(want) {
				t.Errorf("chain %d, msg %q: digest %x, want %x",
					chain, msg, got, want)
			}
		}
	}
}

func TestTypedDataDigest_Distinguishes(t *testing.T) {
	const msg = "symbol=BTCUSDT&nonce=1"
	mainnet := TypedDataDigest(msg, ChainMainnet)
	tests := []struct {
		name  string
		other [32]byte
	}{
		{"testnet", TypedDataDigest(msg, ChainTestnet)},
		{"other message", TypedDataDigest(msg+"0", ChainMainnet)},
		{"bad chain", TypedDataDigest(msg, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.other == mainnet {
				t.Errorf("digest equals the mainnet digest %x", mainnet)
			}
		})
	}
	if TypedDataDigest(msg, -1) != [32]byte{} {
		t.Errorf("chain -1: want the zero digest")
	}
}
