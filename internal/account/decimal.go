package account

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// Dec is an exact decimal number parsed from one of the exchange's strings.
// Sums and products are exact; rounding happens only where a result is
// shown, half away from zero (so 1.005 at 2 places is 1.01), at the
// precision stated there.
type Dec = decimal.Decimal

// Parse reads an exchange decimal string such as "0.10000000". An empty
// string is zero, as the exchange sends for some unset fields.
func Parse(s string) (Dec, error) {
	if s == "" {
		return decimal.Zero, nil
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Zero, fmt.Errorf("%q is not a decimal: %w", s, err)
	}
	return d, nil
}

// MustParse is Parse for strings already validated; it panics otherwise.
func MustParse(s string) Dec {
	d, err := Parse(s)
	if err != nil {
		panic(err)
	}
	return d
}

// Round formats d with places decimals, rounding half away from zero.
func Round(d Dec, places int32) string { return d.StringFixed(places) }
