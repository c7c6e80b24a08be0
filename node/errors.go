package node

import "errors"

// Errors a caller can act on; the JS API maps each to a stable code.
var (
	ErrWalletExists  = errors.New("a wallet already exists here; unlock it instead")
	ErrNoWallet      = errors.New("no wallet yet; create one first")
	ErrWalletLocked  = errors.New("the wallet is locked; unlock it first")
	ErrWeakPassword  = errors.New("the password must be at least 8 characters")
	ErrInvalidPubkey = errors.New("invalid node public key: want 66 hex characters (33 bytes, compressed)")
	ErrInvalidHost   = errors.New("invalid host: want host:port")
)
