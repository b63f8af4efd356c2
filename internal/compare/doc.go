// Package compare measures snapshotter against the two designs people use
// today, on the built-in exchange and one reference workload: ten symbols
// of 5-minute candles, 288 on each chart, an account (balances and
// positions, trades, income), and twenty viewers who each reload the
// dashboard every 30 seconds.
//
// The strategies are:
//
//   - per-view: every dashboard view asks the exchange for what it shows,
//     through a plain HTTP client with no budget;
//   - cached proxy: a dashboard backend that caches each klines request for
//     60 seconds and refetches all 288 candles when it expires, and lets at
//     most 10 requests a minute through to each other endpoint, serving its
//     last answer past that;
//   - snapshotter: the product itself, its daemon wired as the snapshotter
//     command wires it, with viewers that read only the published files.
//
// Each strategy runs over the same simulated stretch inside a
// testing/synctest bubble, whose clock jumps ahead whenever every goroutine
// waits, so hours take seconds. Nothing leaves the process: the exchange is
// reached through an http.RoundTripper that calls its handler directly,
// because the bubble's clock cannot move while a goroutine waits on a real
// socket. The figures (requests, weight, the busiest minute, requests
// during bans, requests that viewers caused, and how long after a candle
// closes it is there to be seen) are read from that transport's log, which
// takes each request's weight from the exchange's own used-weight header.
//
// Memory is measured apart from this, in real time: RunMemory starts the
// exchange on loopback and the snapshotter binary under /usr/bin/time -v.
package compare
