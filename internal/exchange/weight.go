package exchange

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"
)

// usedWeightHeader carries, on every answer, the weight the caller's IP has
// used in the current minute.
const usedWeightHeader = "X-MBX-USED-WEIGHT-1M"

// limiter counts request weight per IP per calendar minute and hands out
// 429s and bans the way the exchange does.
type limiter struct {
	limit    int
	banAfter int
	firstBan time.Duration
	maxBan   time.Duration

	mu     sync.Mutex
	global time.Time // end of a ban imposed on every IP by Server.Ban
	ips    map[string]*ipState
}

// ipState is what the exchange remembers about one IP.
type ipState struct {
	minute      int64 // Unix minute that used and refused belong to
	used        int   // weight charged this minute
	refused     int   // 429 answers this minute
	offences    int   // bans so far, for doubling
	bannedUntil time.Time
}

// admission is the limiter's verdict on one request.
type admission struct {
	used       int       // weight used this minute, for the header
	refusal    *response // nil when the request may go on
	banStarted time.Time // end of the ban this request started, if any
}

func newLimiter(cfg Config) *limiter {
	return &limiter{
		limit:    cfg.WeightLimit,
		banAfter: cfg.BanAfter,
		firstBan: cfg.FirstBan,
		maxBan:   cfg.MaxBan,
		ips:      make(map[string]*ipState),
	}
}

// admit charges weight to ip at now, or refuses the request with a 418
// during a ban, a new 418 ban for an IP that keeps going after a 429, or a
// 429 when the weight would pass the limit.
func (l *limiter) admit(ip string, weight int, now time.Time) admission {
	l.mu.Lock()
	defer l.mu.Unlock()
	st := l.state(ip, now)

	if until := l.banEnd(st); now.Before(until) {
		return admission{used: st.used, refusal: banned(st.used, until, now)}
	}
	if st.refused >= l.banAfter {
		until := l.ban(st, now)
		return admission{used: st.used, refusal: banned(st.used, until, now),
			banStarted: until}
	}
	if st.used+weight > l.limit {
		st.refused++
		return admission{used: st.used, refusal: l.tooMany(ip, st.used, now)}
	}
	st.used += weight
	return admission{used: st.used}
}

// state returns ip's record with its counters moved to now's minute.
func (l *limiter) state(ip string, now time.Time) *ipState {
	st, ok := l.ips[ip]
	if !ok {
		st = &ipState{}
		l.ips[ip] = st
	}
	if m := unixMinute(now); m != st.minute {
		st.minute, st.used, st.refused = m, 0, 0
	}
	return st
}

// banEnd is the later of the IP's own ban and a ban on everyone.
func (l *limiter) banEnd(st *ipState) time.Time {
	if l.global.After(st.bannedUntil) {
		return l.global
	}
	return st.bannedUntil
}

// ban starts a ban for a repeat offence: FirstBan, doubled for each earlier
// ban of the same IP, capped at MaxBan.
func (l *limiter) ban(st *ipState, now time.Time) time.Time {
	d := l.firstBan
	for i := 0; i < st.offences && d < l.maxBan; i++ {
		d *= 2
	}
	d = min(d, l.maxBan)
	st.offences++
	st.refused = 0
	st.bannedUntil = now.Add(d)
	return st.bannedUntil
}

// banAll refuses every IP until the given time.
func (l *limiter) banAll(until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.global = until
}

// tooMany is the 429 for an IP that would pass the limit; Retry-After is
// the wait until the next minute starts.
func (l *limiter) tooMany(ip string, used int, now time.Time) *response {
	msg := fmt.Sprintf("Too many requests; current limit of IP(%s) is %d requests "+
		"per minute. Please use the websocket for live updates to avoid polling "+
		"the API.", ip, l.limit)
	next := now.Truncate(time.Minute).Add(time.Minute)
	return refusal(http.StatusTooManyRequests, msg, used, next.Sub(now))
}

// banned is the 418 for a banned IP; Retry-After is the wait until the ban
// ends.
func banned(used int, until, now time.Time) *response {
	msg := fmt.Sprintf("Way too much request weight used; IP banned until %d. "+
		"Please use the websocket for live updates to avoid bans.", until.UnixMilli())
	return refusal(http.StatusTeapot, msg, used, until.Sub(now))
}

// refusal builds a -1003 answer with Retry-After in whole seconds, rounded
// up so that a client waiting that long is never early.
func refusal(status int, msg string, used int, wait time.Duration) *response {
	resp := jsonResponse(status, &apiError{-1003, msg})
	secs := max(1, int((wait+time.Second-1)/time.Second))
	resp.header.Set("Retry-After", strconv.Itoa(secs))
	resp.header.Set(usedWeightHeader, strconv.Itoa(used))
	return &resp
}

// unixMinute numbers the calendar minute (UTC) that t falls in. Truncate
// counts from the zero time, whose minutes line up with UTC's.
func unixMinute(t time.Time) int64 { return t.Truncate(time.Minute).Unix() / 60 }

// Ban refuses every request with HTTP 418 until the given time, as if the
// caller's IP had been banned. It does not count as an offence for the
// doubling of later bans.
func (s *Server) Ban(until time.Time) { s.limiter.banAll(until) }

// klinesWeight is the weight of a klines request, set by its limit: [1,100)
// costs 1, [100,500) 2, [500,1000] 5 and above 1000 10. No limit means the
// default 500. A limit the exchange refuses costs 1.
func klinesWeight(q url.Values) int {
	n := defaultLimit
	if q.Has("limit") {
		v, err := strconv.Atoi(q.Get("limit"))
		if err != nil || v < 1 || v > maxLimit {
			return 1
		}
		n = v
	}
	switch {
	case n < 100:
		return 1
	case n < 500:
		return 2
	case n <= 1000:
		return 5
	}
	return 10
}
