package sign

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
)

// HMAC returns the signature of payload for Aster V1 and Binance: the
// lowercase hex of HMAC-SHA256 keyed with secret. The payload is the query
// string followed directly by the form body, with no "&" between them.
func HMAC(secret, payload string) string {
	return hex.EncodeToString(hmacSum(secret, payload))
}

// VerifyHMAC reports whether sigHex, in either letter case, is the HMAC
// signature of payload under secret. The comparison takes the same time
// wherever the first difference lies, so a caller that checks signatures
// does not leak how much of a forgery was right.
func VerifyHMAC(secret, payload, sigHex string) bool {
	got, err := hex.DecodeString(sigHex)
	if err != nil {
		return false
	}
	return hmac.Equal(got, hmacSum(secret, payload))
}

func hmacSum(secret, payload string) []byte {
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(payload))
	return mac.Sum(nil)
}
