package fetch

import (
	"net"
	"net/http"
	"time"
)

// NewHTTPClient returns the process's one HTTP client: keep-alive
// connections reused across every job, at most two connections to the
// exchange, and timeouts on each stage of a request. timeout bounds a whole
// request; version goes into the User-Agent.
func NewHTTPClient(timeout time.Duration, version string) *http.Client {
	dialer := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSHandshakeTimeout:   5 * time.Second,
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		MaxIdleConns:          2,
		MaxIdleConnsPerHost:   2,
		MaxConnsPerHost:       2,
		IdleConnTimeout:       90 * time.Second,
		ForceAttemptHTTP2:     true,
	}
	return &http.Client{
		Transport: &userAgent{next: tr, value: "snapshotter/" + version},
		Timeout:   timeout,
		// The exchange's API does not redirect; following one would send
		// the request, and its weight, somewhere unbudgeted.
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

type userAgent struct {
	next  http.RoundTripper
	value string
}

func (u *userAgent) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("User-Agent", u.value)
	return u.next.RoundTrip(r)
}
