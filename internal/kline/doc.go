// Package kline holds candles as the exchange sends them and the rules for
// keeping a series of them: intervals and their open times, parsing the
// exchange's array layout without touching the decimal strings, merging
// answers by open time, recording gaps, and planning the smallest calls that
// bring a series up to date.
package kline
