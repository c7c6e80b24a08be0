// Package keys owns the node's secrets: the BIP39 mnemonic and seed, the
// BIP32 derivation of every key the node uses, and the seed's encryption at
// rest under the user's password.
//
// # Derivation paths
//
// Lightning keys follow lnd's key-family scheme, so anyone who knows lnd's
// layout reads ours on sight:
//
//	m / 1017' / coin' / family' / 0 / index
//
// where coin is 0 on mainnet and 1 on every test network (BIP44 coin types),
// and family is one of the KeyFamily constants (6 is the node identity; the
// channel engine's families are listed with their constants). The node
// identity key is family 6, index 0. On-chain wallet accounts (BIP84/86/49)
// arrive with the wallet issue.
//
// Unlike lnd, the seed comes from a 24-word BIP39 mnemonic (no passphrase),
// not aezeed: an lnd node restored from a different seed format would derive
// other keys, and that is fine — the words restore an lnwasm node.
//
// # Encryption at rest
//
// EncryptEntropy seals the mnemonic's 32 bytes of entropy with
// XChaCha20-Poly1305 under a key stretched from the password by scrypt
// (N=2^15, r=8, p=1: 32 MiB and well under a second natively; the
// parameters travel in the blob so they can be raised later). The header
// (version, parameters, salt) is authenticated as associated data, so any
// change to the blob fails as a wrong password would: the error says so.
//
// The package does no I/O; callers store the blob.
package keys
