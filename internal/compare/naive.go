package compare

import (
	"time"

	"snapshotter/internal/exchange"
)

// runPerView plays the per-view design: at each view the dashboard asks
// the exchange for everything it shows, the klines of every symbol, the
// account, the trades of every symbol and the income, and shows what
// comes back. It runs inside a bubble whose clock is at w.Start.
func runPerView(w Workload, views []time.Time, fresh *tracker) *upstream {
	up := newUpstream(exchange.New(w.exchangeConfig()))
	d := dashboard{w: w, hc: up.client()}
	for _, v := range views {
		sleepUntil(v)
		now := time.Now()
		for _, sym := range w.Symbols {
			observeKlines(fresh, sym, d.klines(sym), now)
		}
		d.account()
		for _, sym := range w.Symbols {
			d.trades(sym)
		}
		d.income()
	}
	sleepUntil(w.End())
	return up
}

// The cached proxy's rules.
const (
	proxyTTL      = 60 * time.Second // a klines answer is served this long
	proxyPerMin   = 10               // requests a minute to each other endpoint
	proxyLimitWin = time.Minute
)

// proxy is the common fix: a dashboard backend that keeps each klines
// answer for proxyTTL, then asks again for all Keep candles, and lets at
// most proxyPerMin requests a minute through to each other endpoint,
// serving its last answer past that. It has no budget and does not know
// about bans.
type proxy struct {
	d     dashboard
	fresh *tracker
	// cachedAt is when each symbol's klines answer was fetched.
	cachedAt map[string]time.Time
	// passed holds, per endpoint path, the times of the requests let
	// through in the last proxyLimitWin.
	passed map[string][]time.Time
}

// runProxy plays the cached proxy at each view. It runs inside a bubble
// whose clock is at w.Start.
func runProxy(w Workload, views []time.Time, fresh *tracker) *upstream {
	up := newUpstream(exchange.New(w.exchangeConfig()))
	p := &proxy{d: dashboard{w: w, hc: up.client()}, fresh: fresh,
		cachedAt: map[string]time.Time{}, passed: map[string][]time.Time{}}
	for _, v := range views {
		sleepUntil(v)
		p.view(time.Now())
	}
	sleepUntil(w.End())
	return up
}

// view serves one dashboard view. A klines answer that failed leaves the
// stale one in the cache, so the next view asks again.
func (p *proxy) view(now time.Time) {
	for _, sym := range p.d.w.Symbols {
		at, ok := p.cachedAt[sym]
		if ok && now.Sub(at) < proxyTTL {
			continue
		}
		a := p.d.klines(sym)
		if a.ok() {
			p.cachedAt[sym] = now
			observeKlines(p.fresh, sym, a, now)
		}
	}
	p.limited(pathAccount, now, p.d.account)
	for _, sym := range p.d.w.Symbols {
		p.limited(pathTrades, now, func() answer { return p.d.trades(sym) })
	}
	p.limited(pathIncome, now, p.d.income)
}

// limited sends a request to path unless the path had proxyPerMin in the
// last minute; then the view gets the last answer, which needs no request.
func (p *proxy) limited(path string, now time.Time, send func() answer) {
	recent := p.passed[path][:0]
	for _, t := range p.passed[path] {
		if now.Sub(t) < proxyLimitWin {
			recent = append(recent, t)
		}
	}
	if len(recent) >= proxyPerMin {
		p.passed[path] = recent
		return
	}
	p.passed[path] = append(recent, now)
	send()
}
