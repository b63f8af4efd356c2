package exchange

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"snapshotter/internal/sign"
)

// scheme is how a private request proves who sent it.
type scheme int

const (
	// schemeHMAC is Aster V1's and Binance's: an API key in X-MBX-APIKEY,
	// a millisecond timestamp and an HMAC-SHA256 signature.
	schemeHMAC scheme = iota + 1
	// schemeV3 is Aster V3's: the agent address as signer, a microsecond
	// nonce and an EIP-712 signature by the agent's key.
	schemeV3
)

// apiKeyHeader names the account in HMAC requests.
const apiKeyHeader = "X-MBX-APIKEY"

// Timing rules of signed requests.
const (
	defaultRecvWindow = 5000  // ms, when recvWindow is absent
	maxRecvWindow     = 60000 // ms; the docs say it must not exceed 60 s
	aheadAllowance    = 1000  // ms a timestamp may run ahead of the server
	nonceWindow       = 10 * time.Second
	keptNonces        = 100
)

// signedRequest is what authentication reads: the API key header, the
// parameters and the exact string they were sent as.
type signedRequest struct {
	apiKey string
	total  string // the raw query string followed directly by the body
	params url.Values
	now    time.Time
}

// The exchange's answers to requests it cannot authenticate.
var (
	errRejectedKey = &statusError{http.StatusUnauthorized,
		&apiError{-2015, "Invalid API-key, IP, or permissions for action."}}
	errBadSignature = &apiError{-1022, "Signature for this request is not valid."}
	errOutsideRecv  = &apiError{-1021,
		"Timestamp for this request is outside of the recvWindow."}
	errAhead = &apiError{-1021,
		"Timestamp for this request was 1000ms ahead of the server's time."}
	// errRecvWindow is Binance's text for a recvWindow over 60000 (its spot
	// API sends it as -1131, a code Aster does not list). The code here is
	// -1130, Aster's invalid parameter.
	errRecvWindow = &apiError{-1130, "'recvWindow' must be less than 60000."}
	// errNonce is the V3 demo's answer to a nonce out of the 10 s window
	// or below the kept ones. The docs name no separate code for a nonce
	// used twice, so a duplicate gets the same answer: either way the
	// client must sign again with a fresh nonce.
	errNonce = &apiError{-4225, "Nonce Expired"}
)

// statusError is an exchange error sent with a status other than 400.
type statusError struct {
	status int
	*apiError
}

// splitSignature cuts the trailing "signature=..." parameter off the
// string sent. It must be the last parameter; the rest is what was signed.
func splitSignature(total string) (signed, sig string, ok bool) {
	i := strings.LastIndex(total, "signature=")
	if i < 0 || (i > 0 && total[i-1] != '&') {
		return "", "", false
	}
	sig = total[i+len("signature="):]
	if sig == "" || strings.ContainsAny(sig, "&=") {
		return "", "", false
	}
	return strings.TrimSuffix(total[:i], "&"), sig, true
}

// checkHMAC authenticates an Aster V1 or Binance request: a known key, a
// signature over everything before it, and a timestamp inside recvWindow.
// The request is accepted when timestamp < serverTime + 1000 and
// serverTime − timestamp <= recvWindow.
func (s *Server) checkHMAC(r signedRequest) (*privateAccount, error) {
	a := s.byKey[r.apiKey]
	if r.apiKey == "" || a == nil {
		return nil, errRejectedKey
	}
	if r.params.Get("signature") == "" {
		return nil, errMandatory("signature")
	}
	if r.params.Get("timestamp") == "" {
		return nil, errMandatory("timestamp")
	}
	ts, err := msParam(r.params, "timestamp")
	if err != nil {
		return nil, err
	}
	window := int64(defaultRecvWindow)
	if r.params.Has("recvWindow") {
		if window, err = msParam(r.params, "recvWindow"); err != nil {
			return nil, err
		}
		if window > maxRecvWindow {
			return nil, errRecvWindow
		}
	}

	payload, sig, ok := splitSignature(r.total)
	if !ok || !sign.VerifyHMAC(a.Secret, payload, sig) {
		return nil, errBadSignature
	}
	server := r.now.UnixMilli()
	if ts >= server+aheadAllowance {
		return nil, errAhead
	}
	if server-ts > window {
		return nil, errOutsideRecv
	}
	return a, nil
}

// checkV3 authenticates an Aster V3 request. The signed message is the
// exact string sent before "&signature="; the address it recovers must be
// signer, and signer must be the agent of the account (of user, when user
// is sent). The nonce, in microseconds, must lie within 10 s of the
// server's time and must not be one of the 100 the account keeps, nor
// below all of them.
func (s *Server) checkV3(r signedRequest) (*privateAccount, error) {
	for _, name := range []string{"signer", "nonce", "signature"} {
		if r.params.Get(name) == "" {
			return nil, errMandatory(name)
		}
	}
	nonce, err := msParam(r.params, "nonce")
	if err != nil {
		return nil, err
	}

	msg, sig, ok := splitSignature(r.total)
	if !ok {
		return nil, errBadSignature
	}
	signer := r.params.Get("signer")
	got, err := sign.RecoverV3(msg, sig, s.chainID)
	if err != nil || !sign.SameAddress(got, signer) {
		return nil, errBadSignature
	}
	a, err := s.agentAccount(r.params.Get("user"), signer)
	if err != nil {
		return nil, err
	}

	a.mu.Lock()
	defer a.mu.Unlock()
	if d := r.now.UnixMicro() - nonce; d > nonceWindow.Microseconds() ||
		-d > nonceWindow.Microseconds() {
		return nil, errNonce
	}
	if !a.nonces.use(nonce) {
		return nil, errNonce
	}
	return a, nil
}

// agentAccount finds the account signer acts for. With user sent, the
// account is user's and signer must be its agent; without, the account is
// the one signer is the agent of. An unknown identity is refused like an
// unknown API key.
func (s *Server) agentAccount(user, signer string) (*privateAccount, error) {
	if user == "" {
		for _, a := range s.accounts {
			if a.Signer != "" && sign.SameAddress(a.Signer, signer) {
				return a, nil
			}
		}
		return nil, errRejectedKey
	}
	for _, a := range s.accounts {
		if a.User != "" && sign.SameAddress(a.User, user) {
			if !sign.SameAddress(a.Signer, signer) {
				return nil, errBadSignature
			}
			return a, nil
		}
	}
	return nil, errRejectedKey
}

// msParam reads a required integer parameter written as plain digits.
func msParam(q url.Values, name string) (int64, error) {
	v := q.Get(name)
	if !legalTime.MatchString(v) {
		return 0, errIllegalChars(name)
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, errIllegalChars(name)
	}
	return n, nil
}

// nonceSet holds the V3 nonces an account has used: the 100 highest, as
// the exchange keeps them, in ascending order.
type nonceSet struct {
	kept []int64
}

// use records nonce and reports whether it was acceptable: not kept
// already, and not below every kept nonce once 100 are kept. The caller
// must hold the account's lock.
func (n *nonceSet) use(nonce int64) bool {
	i, found := slices.BinarySearch(n.kept, nonce)
	if found || (len(n.kept) >= keptNonces && i == 0) {
		return false
	}
	n.kept = slices.Insert(n.kept, i, nonce)
	if len(n.kept) > keptNonces {
		n.kept = slices.Delete(n.kept, 0, 1)
	}
	return true
}
