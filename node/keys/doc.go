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
// identity key is family 6, index 0.
//
// On-chain wallet accounts (Ring.Account) follow the single-script BIPs, so
// any wallet that restores the words finds the coins:
//
//	m / 84' / coin' / account' / chain / index   P2WPKH (BIP84, bc1q…)
//	m / 86' / coin' / account' / chain / index   P2TR key path (BIP86, bc1p…)
//	m / 49' / coin' / account' / chain / index   P2WPKH in P2SH (BIP49, 3…)
//
// with the same coin type, account 0 for the wallet, and chain 0 for
// receive addresses, 1 for change. A P2TR output key is the derived key
// tweaked as BIP341 says for no script tree. Addresses are encoded for the
// ring's network (bc, tb on testnet and signet, bcrt on regtest). An
// account's XPub is plain BIP32 (xpub, or tpub on the test networks);
// SLIP132Pub gives the zpub/vpub (BIP84) and ypub/upub (BIP49) forms, and
// BIP86 has none of its own. Which indexes are handed out, the gap limit
// and the coins belong to node/wallet; this package only derives.
//
// Unlike lnd, the seed comes from a 24-word BIP39 mnemonic (no passphrase),
// not aezeed: an lnd node restored from a different seed format would derive
// other keys, and that is fine — the words restore an lnwasm node.
// SeedFromMnemonic also reads other wallets' phrases (12 to 24 words, with an
// ASCII passphrase).
//
// # Test vectors
//
// testdata/ holds the published vectors, each checked by the test named
// after it: BIP39 (Trezor's English list), BIP32 vectors 1-3, BIP84, BIP86,
// BIP49 and SLIP-0132.
//
// # Encryption at rest
//
// EncryptEntropy seals the mnemonic's 32 bytes of entropy with
// XChaCha20-Poly1305 under a key stretched from the password by scrypt
// (N=2^15, r=8, p=1: 32 MiB and well under a second natively; the
// parameters travel in the blob so they can be raised later). The header
// (version, parameters, salt) is authenticated as associated data, so any
// change to the blob fails as a wrong password would: the error says so.
// Seal and Open are the same construction for other secrets (node/backup's
// file), with the caller's own prefix authenticated too; SealedParams lets
// a reader refuse a foreign blob's costly parameters before stretching.
//
// # Per-commitment secrets
//
// PerCommitmentSecret is BOLT 3's generate_from_seed over a 48-bit index,
// and RevocationStore keeps the secrets a peer reveals in at most 49
// entries, refusing one that does not derive the earlier ones.
//
// The package does no I/O; callers store the blob.
package keys
