package sign

import (
	"encoding/hex"

	"golang.org/x/crypto/sha3"
)

// SameAddress reports whether a and b are the same account address: each
// "0x" followed by 40 hex digits, compared without regard to letter case,
// since the case only carries the EIP-55 checksum. It is false when either
// is not an address, so an empty signer never matches an empty one.
func SameAddress(a, b string) bool {
	x, okA := parseAddress(a)
	y, okB := parseAddress(b)
	return okA && okB && x == y
}

// parseAddress decodes "0x" and 40 hex digits in any case. It does not
// check the EIP-55 checksum: the exchange accepts addresses in any case.
func parseAddress(s string) ([20]byte, bool) {
	var addr [20]byte
	if len(s) != 42 || s[:2] != "0x" {
		return addr, false
	}
	_, err := hex.Decode(addr[:], []byte(s[2:]))
	return addr, err == nil
}

// checksumAddress formats addr as EIP-55 does: "0x" and lowercase hex,
// with each letter upper-cased where the matching nibble of the keccak256
// of that lowercase hex is 8 or more.
func checksumAddress(addr [20]byte) string {
	digits := []byte(hex.EncodeToString(addr[:]))
	hash := keccak(digits)
	for i, c := range digits {
		nibble := hash[i/2] >> 4
		if i%2 == 1 {
			nibble = hash[i/2] & 0x0f
		}
		if c >= 'a' && nibble >= 8 {
			digits[i] = c - 'a' + 'A'
		}
	}
	return "0x" + string(digits)
}

// keccak returns the Keccak-256 hash (Ethereum's, not SHA3-256) of the
// concatenation of parts.
func keccak(parts ...[]byte) [32]byte {
	h := sha3.NewLegacyKeccak256()
	for _, p := range parts {
		h.Write(p)
	}
	var sum [32]byte
	h.Sum(sum[:0])
	return sum
}
