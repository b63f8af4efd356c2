package exchange

import (
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"snapshotter/internal/clock"
	"snapshotter/internal/sign"
)

// Config sets up a Server. The zero value is usable: the system clock, the
// exchange's documented limit of 2400 weight per minute, DefaultMarkets and
// the exchange's ban policy.
type Config struct {
	// Clock is the exchange's time. It decides the open candle, the weight
	// minute and when bans end. Nil means clock.Real{}.
	Clock clock.Clock
	// Addr is where Start listens. Empty means 127.0.0.1:0, a free port on
	// loopback.
	Addr string
	// WeightLimit is the REQUEST_WEIGHT one IP may use per calendar minute
	// (UTC). Zero means 2400.
	WeightLimit int
	// Markets are the symbols served, in exchangeInfo order. Empty means
	// DefaultMarkets(). Entries that share a symbol are one market: their
	// replays are combined and the first entry's other fields win.
	Markets []Market
	// FirstBan is the length of an IP's first ban. Zero means 2 minutes.
	FirstBan time.Duration
	// MaxBan caps the ban length, which doubles with each repeat offence.
	// Zero means 3 days.
	MaxBan time.Duration
	// BanAfter is how many 429 answers an IP may receive within one minute;
	// its next request in that minute starts a ban. Zero means 1. Offences
	// are remembered for the server's lifetime.
	BanAfter int
	// Logger gets one Debug line per request and a Warn line when a ban
	// starts. Nil means no logging.
	Logger *slog.Logger
	// Accounts are the private accounts the server knows, each with a
	// scripted trading history. Empty means none: every private endpoint
	// then refuses requests as signed by an unknown key. New panics on an
	// Account that cannot work, such as one trading a symbol the server
	// does not list.
	Accounts []Account
	// ChainID is the EIP-712 chain id Aster V3 signatures are checked
	// under. Zero means sign.ChainMainnet (1666); the testnet uses 714.
	ChainID int64
}

// withDefaults fills the zero fields with the exchange's values.
func (c Config) withDefaults() Config {
	if c.Clock == nil {
		c.Clock = clock.Real{}
	}
	if c.Addr == "" {
		c.Addr = "127.0.0.1:0"
	}
	if c.WeightLimit <= 0 {
		c.WeightLimit = 2400
	}
	if len(c.Markets) == 0 {
		c.Markets = DefaultMarkets()
	}
	if c.FirstBan <= 0 {
		c.FirstBan = 2 * time.Minute
	}
	if c.MaxBan <= 0 {
		c.MaxBan = 72 * time.Hour
	}
	if c.BanAfter <= 0 {
		c.BanAfter = 1
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.ChainID <= 0 {
		c.ChainID = sign.ChainMainnet
	}
	return c
}

// Server is the imitation exchange. It is an http.Handler and can also
// listen by itself with Start. It is safe for concurrent use.
type Server struct {
	clock    clock.Clock
	addr     string
	limit    int
	markets  []*market
	bySymbol map[string]*market
	limiter  *limiter
	faults   faultList
	log      requestLog
	logger   *slog.Logger
	accounts []*privateAccount
	byKey    map[string]*privateAccount // by API key
	chainID  int64

	mu   sync.Mutex // guards http
	http *http.Server
}

// New returns a server for cfg. Replay markets are placed in time now: each
// recording is moved so that its newest candle is the one open at
// cfg.Clock's current time, and so are accounts without a Start. New
// panics if a market has no symbol or an account cannot work.
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	s := &Server{
		clock:   cfg.Clock,
		addr:    cfg.Addr,
		limit:   cfg.WeightLimit,
		limiter: newLimiter(cfg),
		logger:  cfg.Logger,
		chainID: cfg.ChainID,
	}
	now := cfg.Clock.Now()
	s.markets = buildMarkets(cfg.Markets, now)
	s.bySymbol = make(map[string]*market, len(s.markets))
	for _, m := range s.markets {
		s.bySymbol[m.Symbol] = m
	}
	s.accounts = buildAccounts(cfg.Accounts, s.bySymbol, now)
	s.byKey = make(map[string]*privateAccount, len(s.accounts))
	for _, a := range s.accounts {
		if a.APIKey != "" {
			s.byKey[a.APIKey] = a
		}
	}
	return s
}

// Start listens on Config.Addr and serves in the background until Close. It
// returns the base URL, such as "http://127.0.0.1:40123".
func (s *Server) Start() (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http != nil {
		return "", ErrStarted
	}

	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return "", fmt.Errorf("listen on %s: %w", s.addr, err)
	}
	s.http = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}

	// Serve returns only once Close is called, or when accepting fails; a
	// client then sees refused connections, which is the failure itself.
	go s.http.Serve(ln)
	return "http://" + ln.Addr().String(), nil
}

// Close stops a server started with Start and drops open connections. It
// does nothing for a server that was never started.
func (s *Server) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.http == nil {
		return nil
	}
	if err := s.http.Close(); err != nil {
		return fmt.Errorf("close exchange: %w", err)
	}
	return nil
}

// endpoint is one REST endpoint: its weight and its answer. Private
// endpoints answer through servePrivate instead of serve.
type endpoint struct {
	weight  func(q url.Values) int
	serve   func(s *Server, q url.Values, now time.Time) response
	private *privateEndpoint
}

func weightOne(url.Values) int { return 1 }

var endpoints = map[string]endpoint{
	"ping":         {weightOne, (*Server).ping, nil},
	"time":         {weightOne, (*Server).serverTime, nil},
	"exchangeInfo": {weightOne, (*Server).exchangeInfo, nil},
	"klines":       {klinesWeight, (*Server).klines, nil},
}

// route finds the endpoint for a path: a private one by its full path, a
// public one under /fapi/v1/ or /fapi/v3/.
func route(path string) (endpoint, bool) {
	if pe, ok := privateEndpoints[path]; ok {
		return endpoint{weight: pe.weight, private: &pe}, true
	}
	for _, prefix := range []string{"/fapi/v1/", "/fapi/v3/"} {
		if name, ok := strings.CutPrefix(path, prefix); ok {
			ep, found := endpoints[name]
			return ep, found
		}
	}
	return endpoint{}, false
}

// ServeHTTP answers one request: a scripted fault if one matches, else the
// rate limiter's refusal, else the endpoint's answer.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	now := s.clock.Now()
	q := r.URL.Query()
	rec := Request{
		Time: now, Method: r.Method, Path: r.URL.Path,
		Query: r.URL.RawQuery, IP: remoteIP(r),
	}

	if f, ok := s.faults.take(r.URL.Path, q.Get("symbol")); ok {
		rec.Injected = true
		s.replyFault(w, rec, f)
		return
	}

	ep, found := route(r.URL.Path)
	weight := 1
	if found {
		weight = ep.weight(q)
	}
	adm := s.limiter.admit(rec.IP, weight, now)
	rec.Used = adm.used
	if !adm.banStarted.IsZero() {
		s.logger.Warn("exchange banned ip", "ip", rec.IP, "until", adm.banStarted,
			"path", rec.Path)
	}
	if adm.refusal != nil {
		s.reply(w, rec, *adm.refusal)
		return
	}

	rec.Weight = weight
	resp := jsonResponse(http.StatusNotFound, errNotFound)
	switch {
	case found && ep.private != nil:
		resp = s.servePrivate(*ep.private, r, q, now)
	case found:
		resp = ep.serve(s, q, now)
	}
	resp.header.Set(usedWeightHeader, strconv.Itoa(adm.used))
	s.reply(w, rec, resp)
}

// reply records the request and writes the answer.
func (s *Server) reply(w http.ResponseWriter, rec Request, resp response) {
	rec.Status = resp.status
	s.log.add(rec)
	s.logger.Debug("exchange request", "method", rec.Method, "path", rec.Path,
		"query", rec.Query, "status", rec.Status, "weight", rec.Weight,
		"used_weight", rec.Used, "injected", rec.Injected)

	h := w.Header()
	for k, vs := range resp.header {
		h[k] = vs
	}
	w.WriteHeader(resp.status)
	// A write error means the client went away; there is no one to tell.
	_, _ = w.Write(resp.body)
}

// remoteIP is the caller's address without the port: the key the weight
// limit and bans are counted by.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) ping(url.Values, time.Time) response {
	return jsonResponse(http.StatusOK, struct{}{})
}

func (s *Server) serverTime(_ url.Values, now time.Time) response {
	return jsonResponse(http.StatusOK, struct {
		ServerTime int64 `json:"serverTime"`
	}{now.UnixMilli()})
}
