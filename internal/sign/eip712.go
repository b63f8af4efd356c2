package sign

import (
	"fmt"
	"maps"
	"math/big"
	"slices"
	"strings"
)

// Chain ids of the EIP-712 domain Aster V3 signs under. They identify the
// Aster environment inside the signature only; no blockchain is involved.
const (
	// ChainMainnet is the chain id of the live exchange.
	ChainMainnet = 1666

	// ChainTestnet is the chain id of the Aster testnet.
	ChainTestnet = 714
)

// The fixed parts of the Aster V3 typed data.
const (
	asterDomainName    = "AsterSignTransaction"
	asterDomainVersion = "1"
	zeroAddress        = "0x0000000000000000000000000000000000000000"
)

// asterTypes are the struct types of the Aster V3 typed data: the domain
// and a message whose only field is the parameter string.
var asterTypes = structTypes{
	"EIP712Domain": {
		{"name", "string"},
		{"version", "string"},
		{"chainId", "uint256"},
		{"verifyingContract", "address"},
	},
	"Message": {{"msg", "string"}},
}

// TypedDataDigest returns the EIP-712 digest that Aster V3 signs for the
// parameter string msg under chain id chainID: keccak256 of 0x19 0x01, the
// domain separator and the hash of Message{msg}. msg must be exactly the
// url-encoded string sent, without the signature parameter. A chainID
// below 1 has no domain, and the result is then the zero digest.
func TypedDataDigest(msg string, chainID int64) [32]byte {
	// The chain id is the only input that can fail to encode.
	digest, _ := asterDigest(msg, chainID)
	return digest
}

// asterDigest is TypedDataDigest with the chain id checked.
func asterDigest(msg string, chainID int64) ([32]byte, error) {
	if chainID < 1 {
		return [32]byte{}, fmt.Errorf("%w: %d", ErrBadChainID, chainID)
	}

	domain := map[string]any{
		"name":              asterDomainName,
		"version":           asterDomainVersion,
		"chainId":           big.NewInt(chainID),
		"verifyingContract": zeroAddress,
	}
	message := map[string]any{"msg": msg}
	return asterTypes.digest(domain, "Message", message)
}

// field is one member of an EIP-712 struct type.
type field struct {
	name string
	typ  string
}

// structTypes maps the name of each EIP-712 struct type to its members, in
// order. Member types may be string, uint256, address or another struct
// type of the same map; that is all Aster and the specification's own
// example need.
type structTypes map[string][]field

// digest returns the EIP-712 digest of message, a value of struct type
// primary, under domain, a value of type EIP712Domain.
func (ts structTypes) digest(
	domain map[string]any, primary string, message map[string]any,
) ([32]byte, error) {
	separator, err := ts.hashStruct("EIP712Domain", domain)
	if err != nil {
		return [32]byte{}, fmt.Errorf("hash domain: %w", err)
	}

	body, err := ts.hashStruct(primary, message)
	if err != nil {
		return [32]byte{}, fmt.Errorf("hash message: %w", err)
	}
	return keccak([]byte{0x19, 0x01}, separator[:], body[:]), nil
}

// encodeType returns the signature of struct type name as EIP-712 hashes
// it: its own "Name(type member,...)" followed by those of every struct
// type it refers to, directly or not, in order of name.
func (ts structTypes) encodeType(name string) string {
	refs := map[string]bool{}
	ts.collectRefs(name, refs)
	delete(refs, name)

	var b strings.Builder
	for _, t := range append([]string{name}, slices.Sorted(maps.Keys(refs))...) {
		b.WriteString(t + "(")
		for i, f := range ts[t] {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(f.typ + " " + f.name)
		}
		b.WriteByte(')')
	}
	return b.String()
}

// collectRefs adds name and every struct type reachable from it to seen.
func (ts structTypes) collectRefs(name string, seen map[string]bool) {
	if seen[name] {
		return
	}
	seen[name] = true
	for _, f := range ts[name] {
		if _, ok := ts[f.typ]; ok {
			ts.collectRefs(f.typ, seen)
		}
	}
}

// hashStruct returns keccak256 of the type hash of struct type name
// followed by the 32-byte encoding of each member of data, in the order the
// type declares them.
func (ts structTypes) hashStruct(name string, data map[string]any) ([32]byte, error) {
	members, ok := ts[name]
	if !ok {
		return [32]byte{}, fmt.Errorf("%w: unknown type %s", errTypedData, name)
	}

	typeHash := keccak([]byte(ts.encodeType(name)))
	enc := make([]byte, 0, 32*(1+len(members)))
	enc = append(enc, typeHash[:]...)
	for _, f := range members {
		word, err := ts.encodeValue(f.typ, data[f.name])
		if err != nil {
			return [32]byte{}, fmt.Errorf("encode %s.%s: %w", name, f.name, err)
		}
		enc = append(enc, word[:]...)
	}
	return keccak(enc), nil
}

// encodeValue returns the 32-byte EIP-712 encoding of v as type typ:
// strings by their hash, numbers and addresses as big-endian words, and
// structs by their hashStruct. Error messages name types, never values.
func (ts structTypes) encodeValue(typ string, v any) ([32]byte, error) {
	var word [32]byte
	if _, ok := ts[typ]; ok {
		data, ok := v.(map[string]any)
		if !ok {
			return word, fmt.Errorf("%w: %s given %T", errTypedData, typ, v)
		}
		return ts.hashStruct(typ, data)
	}

	switch typ {
	case "string":
		if s, ok := v.(string); ok {
			return keccak([]byte(s)), nil
		}
	case "uint256":
		if n, ok := v.(*big.Int); ok && n.Sign() >= 0 && n.BitLen() <= 256 {
			n.FillBytes(word[:])
			return word, nil
		}
	case "address":
		if s, ok := v.(string); ok {
			if addr, ok := parseAddress(s); ok {
				copy(word[12:], addr[:])
				return word, nil
			}
		}
	default:
		return word, fmt.Errorf("%w: unsupported type %s", errTypedData, typ)
	}
	return word, fmt.Errorf("%w: %s given %T out of range", errTypedData, typ, v)
}
