package fetch

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"snapshotter/internal/sign"
)

// Signer signs private requests for one of the exchange's schemes. Its
// implementations hold secrets and never print them.
type Signer interface {
	// sign returns the query string to send, with the signature last, and
	// the headers to add, for the business parameters q at the exchange's
	// time now. The string signed is the string sent.
	sign(q url.Values, now time.Time) (string, http.Header, error)
}

// NewHMACSigner signs as Aster V1 and Binance do: HMAC-SHA256 of the query
// with timestamp and recvWindow, the API key in X-MBX-APIKEY. The
// timestamp is the exchange's time as the client measured it, so a local
// clock that is off does not need a wider window.
func NewHMACSigner(apiKey, secret string, recvWindow time.Duration) (Signer, error) {
	if apiKey == "" || secret == "" {
		return nil, errors.New("HMAC signer needs an API key and a secret")
	}
	return &hmacSigner{key: apiKey, secret: secret, window: recvWindow}, nil
}

type hmacSigner struct {
	key, secret string
	window      time.Duration
}

func (h *hmacSigner) sign(q url.Values, now time.Time) (string, http.Header, error) {
	raw := q.Encode()
	if raw != "" {
		raw += "&"
	}
	raw += "recvWindow=" + strconv.FormatInt(h.window.Milliseconds(), 10) +
		"&timestamp=" + strconv.FormatInt(now.UnixMilli(), 10)
	raw += "&signature=" + sign.HMAC(h.secret, raw)
	return raw, http.Header{"X-Mbx-Apikey": {h.key}}, nil
}

func (h *hmacSigner) String() string { return "HMAC signer" }

// NewV3Signer signs as Aster V3 does: the url-encoded parameters with user,
// signer and a microsecond nonce, signed as EIP-712 typed data by the API
// wallet (the agent).
func NewV3Signer(agent *sign.Agent, user string, chainID int64) (Signer, error) {
	if agent == nil || user == "" {
		return nil, errors.New("V3 signer needs an agent key and the user's address")
	}
	return &v3Signer{agent: agent, user: user, chain: chainID}, nil
}

type v3Signer struct {
	agent  *sign.Agent
	user   string
	chain  int64
	nonces sign.Nonces
}

func (v *v3Signer) sign(q url.Values, now time.Time) (string, http.Header, error) {
	raw := q.Encode()
	if raw != "" {
		raw += "&"
	}
	raw += "nonce=" + strconv.FormatInt(v.nonces.Next(now), 10) +
		"&user=" + url.QueryEscape(v.user) + "&signer=" + url.QueryEscape(v.agent.Address())
	sig, err := v.agent.SignV3(raw, v.chain)
	if err != nil {
		return "", nil, err
	}
	return raw + "&signature=" + sig, http.Header{}, nil
}

func (v *v3Signer) String() string { return "V3 signer for " + v.agent.Address() }
