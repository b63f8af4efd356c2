package fetch

// Request weights as the exchange documents them.
const (
	weightPing         = 1
	weightTime         = 1
	weightExchangeInfo = 1
)

// KlinesWeight returns the weight of a klines request for limit candles:
// 1 below 100, 2 below 500, 5 up to 1000 and 10 above.
func KlinesWeight(limit int) int {
	switch {
	case limit < 100:
		return 1
	case limit < 500:
		return 2
	case limit <= 1000:
		return 5
	default:
		return 10
	}
}
