package exchange

import (
	"fmt"
	"sync"
	"time"

	"github.com/shopspring/decimal"
)

// Account is a private account on the exchange: its credentials and the
// script that makes up its trading. An account is reachable with HMAC
// signatures when it has an APIKey (the Aster V1 and Binance profiles),
// with EIP-712 wallet signatures when it has a User and Signer (Aster V3),
// or both.
//
// The account's history is a pure function of the exchange clock: from
// Start it trades its Symbols at the markets' own prices, on a schedule
// drawn from Seed, so every query at the same time gets the same answer
// and later queries extend earlier ones.
type Account struct {
	// APIKey is sent in the X-MBX-APIKEY header. Empty means the account
	// cannot be reached with HMAC signatures.
	APIKey string
	// Secret signs HMAC requests. It never appears in an answer, the
	// request log or a log line. Required with APIKey.
	Secret string
	// User is the main wallet address ("0x…") of an Aster V3 account.
	User string
	// Signer is the address of the agent (API wallet) registered to User:
	// the address V3 signatures must recover to. Required with User.
	Signer string
	// Balance is the first deposit, in USDT, as a decimal string such as
	// "10000.00000000". Empty means 10000.
	Balance string
	// Start is when the account opened with its deposit. Zero means
	// midnight UTC 30 days before the server was created.
	Start time.Time
	// Symbols are the markets the account trades; each must be one of the
	// server's markets. Empty means the account only holds its deposit.
	Symbols []string
	// Seed varies the trading schedule, sizes and sides between accounts
	// that trade the same symbols.
	Seed int64
}

// defaultDeposit is the Balance of an Account that does not set one.
const defaultDeposit = "10000"

// defaultHistory is how long before the server's creation an Account
// without a Start opened.
const defaultHistory = 30 * 24 * time.Hour

// privateAccount is an Account placed on a server: defaults applied, its
// symbols resolved to markets, the history computed so far and the V3
// nonces it has used.
type privateAccount struct {
	Account
	deposit decimal.Decimal
	books   []*book // one per traded symbol, in Symbols order

	mu     sync.Mutex // guards ledger and nonces
	ledger *ledger
	nonces nonceSet
}

// buildAccounts checks the configured accounts against the markets and
// applies their defaults. It panics on a configuration that cannot work:
// an unknown symbol, a deposit that is not a decimal, a key without a
// secret, a user without a signer, or credentials shared by two accounts.
func buildAccounts(list []Account, bySymbol map[string]*market,
	now time.Time) []*privateAccount {
	var out []*privateAccount
	seen := map[string]int{}
	for i, cfg := range list {
		a := &privateAccount{Account: cfg}
		if err := a.place(bySymbol, now); err != nil {
			panic(fmt.Sprintf("exchange: account %d: %v", i, err))
		}
		// Keys are compared, never printed: they are credentials.
		for _, id := range []string{"key:" + cfg.APIKey, "user:" + lowerHex(cfg.User),
			"signer:" + lowerHex(cfg.Signer)} {
			if id[len(id)-1] == ':' {
				continue
			}
			if j, dup := seen[id]; dup {
				panic(fmt.Sprintf("exchange: accounts %d and %d share credentials", j, i))
			}
			seen[id] = i
		}
		out = append(out, a)
	}
	return out
}

// place applies the defaults and resolves the symbols.
func (a *privateAccount) place(bySymbol map[string]*market, now time.Time) error {
	if (a.APIKey == "") != (a.Secret == "") {
		return fmt.Errorf("APIKey and Secret go together")
	}
	if (a.User == "") != (a.Signer == "") {
		return fmt.Errorf("User and Signer go together")
	}
	if a.Balance == "" {
		a.Balance = defaultDeposit
	}
	dep, err := decimal.NewFromString(a.Balance)
	if err != nil || dep.Sign() < 0 {
		return fmt.Errorf("balance %q is not a decimal of at least zero", a.Balance)
	}
	a.deposit = dep
	if a.Start.IsZero() {
		a.Start = now.Add(-defaultHistory).Truncate(24 * time.Hour)
	}
	a.Start = a.Start.UTC()

	seen := map[string]bool{}
	for i, sym := range a.Symbols {
		m, ok := bySymbol[sym]
		if !ok {
			return fmt.Errorf("symbol %q is not a market of the server", sym)
		}
		if seen[sym] {
			return fmt.Errorf("symbol %q listed twice", sym)
		}
		seen[sym] = true
		a.books = append(a.books, newBook(a, m, i))
	}
	a.ledger = newLedger(a)
	return nil
}

// lowerHex folds an address's case; the checksum case carries no meaning
// for identity.
func lowerHex(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// history returns the account's ledger computed at least up to now. The
// caller must hold a.mu.
func (a *privateAccount) history(now time.Time) *ledger {
	a.ledger.advance(now)
	return a.ledger
}
