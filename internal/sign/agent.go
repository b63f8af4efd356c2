package sign

import (
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	"github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// The last byte of an Ethereum signature: 27 or 28, naming which of the two
// candidate public keys signed.
const (
	recoveryBase = 27
	recoveryMax  = 28
)

// Agent is an Aster V3 API wallet: a secp256k1 private key that signs
// requests for an account that approved its address. The zero value holds
// no key and cannot sign. An Agent is safe for concurrent use.
//
// An Agent never shows its key: printed with any fmt verb, or logged with
// log/slog, it shows only its address.
type Agent struct {
	key  *secp256k1.PrivateKey
	addr string
}

// ParseAgentKey returns the Agent whose private key is hexKey: 64 hex
// digits, with or without a leading "0x", surrounding white space ignored.
// Its errors wrap ErrBadKey and never contain any part of hexKey.
func ParseAgentKey(hexKey string) (*Agent, error) {
	s := strings.TrimSpace(hexKey)
	if strings.HasPrefix(s, "0x") || strings.HasPrefix(s, "0X") {
		s = s[2:]
	}
	if len(s) != 64 {
		return nil, fmt.Errorf("parse agent key: %w: want 64 hex digits", ErrBadKey)
	}

	// The hex error is dropped, not wrapped: it quotes the offending digit.
	raw, err := hex.DecodeString(s)
	if err != nil {
		return nil, fmt.Errorf("parse agent key: %w: not hex", ErrBadKey)
	}
	defer clear(raw)

	var scalar secp256k1.ModNScalar
	defer scalar.Zero()
	if overflow := scalar.SetByteSlice(raw); overflow || scalar.IsZero() {
		return nil, fmt.Errorf("parse agent key: %w: out of range", ErrBadKey)
	}

	key := secp256k1.NewPrivateKey(&scalar)
	return &Agent{key: key, addr: pubKeyAddress(key.PubKey())}, nil
}

// Address returns the agent's address in EIP-55 mixed case, the value of
// the "signer" parameter. It is "" for an Agent with no key.
func (a *Agent) Address() string {
	if a == nil {
		return ""
	}
	return a.addr
}

// SignV3 signs msg, the exact url-encoded parameter string that will be
// sent, as Aster V3 typed data under chain id chainID (ChainMainnet or
// ChainTestnet). It returns "0x" and 130 hex digits: r, s and v, with s in
// the lower half of the curve order and v 27 or 28.
func (a *Agent) SignV3(msg string, chainID int64) (string, error) {
	if a == nil || a.key == nil {
		return "", fmt.Errorf("sign v3: %w", ErrNoKey)
	}
	digest, err := asterDigest(msg, chainID)
	if err != nil {
		return "", fmt.Errorf("sign v3: %w", err)
	}
	return signDigest(a.key, digest)
}

// signDigest signs a 32-byte digest the way Ethereum wallets do and
// returns the hex of r ‖ s ‖ v.
func signDigest(key *secp256k1.PrivateKey, digest [32]byte) (string, error) {
	// SignCompact returns v ‖ r ‖ s with v = 27 + recovery id.
	compact := ecdsa.SignCompact(key, digest[:], false)

	// Ids 2 and 3 arise only when r overflowed the curve order, about once
	// in 2^127 signatures; Ethereum's v cannot express them.
	v := compact[0]
	if v > recoveryMax {
		return "", fmt.Errorf("sign digest: %w: recovery id %d",
			ErrBadSignature, v-recoveryBase)
	}

	sig := append(compact[1:65:65], v)
	return "0x" + hex.EncodeToString(sig), nil
}

// RecoverV3 returns the EIP-55 address of the key that made sigHex, an
// Aster V3 signature of msg under chain id chainID. The caller compares it
// with the claimed signer using SameAddress; a signature made over any
// other string or chain id recovers some unrelated address.
//
// sigHex is 130 hex digits, with or without "0x": r, s and v. v may be 27
// or 28, or 0 or 1 as some wallets write it. A signature whose s lies in
// the upper half of the curve order is refused, since it is a malleated
// copy of another valid signature.
func RecoverV3(msg, sigHex string, chainID int64) (string, error) {
	digest, err := asterDigest(msg, chainID)
	if err != nil {
		return "", fmt.Errorf("recover v3 signer: %w", err)
	}

	compact, err := parseSignature(sigHex)
	if err != nil {
		return "", fmt.Errorf("recover v3 signer: %w", err)
	}

	pub, _, err := ecdsa.RecoverCompact(compact, digest[:])
	if err != nil {
		return "", fmt.Errorf("recover v3 signer: %w: %w", ErrBadSignature, err)
	}
	return pubKeyAddress(pub), nil
}

// parseSignature turns the hex of r ‖ s ‖ v into the v ‖ r ‖ s form that
// ecdsa.RecoverCompact reads, checking v and that s is low.
func parseSignature(sigHex string) ([]byte, error) {
	raw, err := hex.DecodeString(strings.TrimPrefix(sigHex, "0x"))
	if err != nil || len(raw) != 65 {
		return nil, fmt.Errorf("%w: want 130 hex digits", ErrBadSignature)
	}

	v := raw[64]
	if v < recoveryBase {
		v += recoveryBase
	}
	if v != recoveryBase && v != recoveryMax {
		return nil, fmt.Errorf("%w: v is %d", ErrBadSignature, raw[64])
	}

	var s secp256k1.ModNScalar
	if overflow := s.SetByteSlice(raw[32:64]); overflow || s.IsOverHalfOrder() {
		return nil, fmt.Errorf("%w: s not canonical", ErrBadSignature)
	}
	return append([]byte{v}, raw[:64]...), nil
}

// pubKeyAddress returns the EIP-55 address of pub: the last 20 bytes of the
// keccak256 of its 64-byte uncompressed form.
func pubKeyAddress(pub *secp256k1.PublicKey) string {
	// SerializeUncompressed prefixes the 64 bytes with the format byte 0x04.
	hash := keccak(pub.SerializeUncompressed()[1:])
	return checksumAddress([20]byte(hash[12:]))
}

// The formatting methods below have value receivers so that they apply to
// an Agent as well as to a *Agent: a struct printed field by field would
// otherwise reach the key.

// String returns "agent " and the address, or "agent (none)" without a key.
func (a Agent) String() string {
	if a.addr == "" {
		return "agent (none)"
	}
	return "agent " + a.addr
}

// GoString returns a Go-like form that shows only the address.
func (a Agent) GoString() string {
	return fmt.Sprintf("sign.Agent{Address: %q}", a.addr)
}

// Format prints the Agent for every fmt verb and flag: %#v as GoString,
// everything else as String. It exists so that no verb prints the fields.
func (a Agent) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, a.GoString())
		return
	}
	io.WriteString(f, a.String())
}

// LogValue makes log/slog record the agent as its address alone.
func (a Agent) LogValue() slog.Value {
	return slog.StringValue(a.addr)
}
