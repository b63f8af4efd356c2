package sign

import "errors"

// Errors returned by this package. They are wrapped with context; test for
// them with errors.Is. None of them carries key material.
var (
	// ErrBadKey means an agent private key is not 32 bytes of hex in the
	// valid range of secp256k1 scalars.
	ErrBadKey = errors.New("invalid agent private key")

	// ErrBadSignature means a signature is not 65 bytes of hex in the form
	// r ‖ s ‖ v, or does not recover a public key.
	ErrBadSignature = errors.New("invalid signature")

	// ErrBadChainID means a chain id is below 1.
	ErrBadChainID = errors.New("invalid chain id")

	// ErrNoKey means a signing method was called on an Agent that holds no
	// key, such as the zero value.
	ErrNoKey = errors.New("agent has no key")
)

// errTypedData means a value does not fit the EIP-712 type it is encoded
// as. Only this package builds typed data, so it signals a programming
// error here rather than bad input.
var errTypedData = errors.New("invalid typed data")
