// Package sign signs private requests to the exchange and checks such
// signatures, for the client and for the built-in exchange that tests it.
//
// Two schemes exist.
//
// Aster V1 and Binance USDⓈ-M use HMAC: the account has an API key, sent in
// the X-MBX-APIKEY header, and a secret that never leaves the machine. The
// signature is the lowercase hex HMAC-SHA256 of the parameter string under
// the secret, appended as the last parameter "signature". See [HMAC].
//
// Aster V3 uses an "API wallet" (an agent): a secp256k1 key pair whose
// address the account has approved. The request carries the agent's address
// as "signer" and a microsecond "nonce" instead of a timestamp, and
// "signature" is an EIP-712 typed-data signature, made with the agent key,
// over a one-field struct Message{msg} whose msg is the url-encoded
// parameter string. The domain is "AsterSignTransaction", version "1", with
// chain id [ChainMainnet] or [ChainTestnet] and the zero verifying contract.
// See [Agent.SignV3], [RecoverV3] and [Nonces].
//
// In both schemes the string signed must be, byte for byte, the string sent
// (less the trailing "&signature=..."). The exchange recomputes the
// signature over what it received; parameters reordered, escaped
// differently or re-encoded by an HTTP library after signing make it reject
// the request as badly signed. Callers therefore build the parameter string
// once, sign it, and send exactly that string as the query or the form body.
//
// Nothing in this package puts a secret into an error or into printed
// output: errors about a key name the problem, never the key, and an [Agent]
// prints only its address.
package sign
