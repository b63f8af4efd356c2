// Package exchange is a stand-in for the futures exchange's public REST API
// (Aster, whose API copies Binance USDⓈ-M futures). Tests and the demo
// command start it on loopback and point snapshotter at it.
//
// It imitates the exchange faithfully: it enforces the exchange's rules, not
// only its answers. Every request is charged its documented weight against
// the caller's IP for the current calendar minute and every answer carries
// X-MBX-USED-WEIGHT-1M. A request that would pass the per-minute limit gets
// HTTP 429; an IP that keeps sending after a 429 in the same minute is
// banned with HTTP 418, for 2 minutes at first and twice as long for each
// repeat offence, up to 3 days. Bad parameters get the exchange's error
// codes and messages with HTTP 400. The public endpoints served are ping,
// time, exchangeInfo and klines, under both /fapi/v1/ and /fapi/v3/.
//
// The private side serves Config.Accounts through three profiles: Aster V1
// and Binance, signed with an API key and HMAC-SHA256 over the exact
// parameter string with a millisecond timestamp inside recvWindow, and
// Aster V3, signed by an agent wallet with EIP-712 over the exact string
// with a microsecond nonce. Account, balance, positions, the user's trades,
// income history and open orders answer in each profile's recorded shape
// and with its documented weights, window rules and error codes. Each
// account follows a script: it trades its symbols at the prices of the
// server's own klines, pays fees and funding, and everything it reports is
// exact decimal arithmetic on those trades, a pure function of the clock.
//
// Candles come from markets. A generated market computes them from the
// symbol and the time alone, so the same question always gets the same
// bytes, for any interval. A replay market serves a recorded klines file,
// moved forward in time by whole intervals so that its newest candle is the
// one open when the server starts, and continues with generated candles as
// the clock moves on.
//
// Tests script failures with Server.Inject (an HTML 502 from a proxy, a 403
// from a firewall), impose a ban with Server.Ban, and read what reached the
// exchange with Server.Requests. Time is the Config's clock, so a fake clock
// drives minutes, bans and the open candle without sleeping.
//
// Where the documentation is silent the server makes a choice and sticks to
// it: /fapi/v1 and /fapi/v3 share one weight budget; answers with an error
// code are charged like any other; requests refused with 429 or 418 are not
// charged; and a klines request with an invalid limit costs weight 1. On
// the private side: a missing API key is refused like an unknown one
// (-2015, HTTP 401); a recvWindow over 60000 gets -1130 with Binance's
// text; a V3 nonce used twice gets the same -4225 "Nonce Expired" as a
// stale one; an unknown V3 signer is refused like an unknown API key; and
// the V3 nonces kept per account are the 100 highest.
package exchange
