package sign

import (
	"strings"
	"testing"
)

// The example from the Aster V1 and Binance "SIGNED endpoint" docs.
const (
	docSecret  = "2b5eb11e18796d12d88f13dc27dbbd02c2cc51ff7059765ed9821957d82bb4d9"
	docPayload = "symbol=BTCUSDT&side=BUY&type=LIMIT&quantity=1&price=9000" +
		"&timeInForce=GTC&recvWindow=5000&timestamp=1591702613943"
	docSig = "3c661234138461fcc7a7d8746c6558c9842d4e10870d2ecbedf7777cad694af9"
)

func TestHMAC_DocsVector(t *testing.T) {
	if got := HMAC(docSecret, docPayload); got != docSig {
		t.Errorf("HMAC = %s, want %s", got, docSig)
	}
}

func TestVerifyHMAC_Behaviour(t *testing.T) {
	flipped := "4" + docSig[1:]
	tests := []struct {
		name    string
		secret  string
		payload string
		sig     string
		want    bool
	}{
		{"lowercase", docSecret, docPayload, docSig, true},
		{"uppercase", docSecret, docPayload, strings.ToUpper(docSig), true},
		{"one digit wrong", docSecret, docPayload, flipped, false},
		{"other payload", docSecret, docPayload + "&x=1", docSig, false},
		{"other secret", docSecret[1:], docPayload, docSig, false},
		{"truncated", docSecret, docPayload, docSig[:62], false},
		{"not hex", docSecret, docPayload, "zz" + docSig[2:], false},
		{"empty", docSecret, docPayload, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := VerifyHMAC(tt.secret, tt.payload, tt.sig)
			if got != tt.want {
				t.Errorf("VerifyHMAC = %v, want %v", got, tt.want)
			}
		})
	}
}
