// Package account holds a trading account as the exchange reports it:
// balances, positions, the user's trades, income history and open orders,
// every amount kept as the exchange's decimal string. Arithmetic on those
// strings is exact (see Dec); nothing goes through float64.
package account
