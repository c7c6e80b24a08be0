// Package script owns BOLT 3's on-chain formats: the per-commitment key
// derivation, the witness scripts (funding, to_local, HTLC), and, as they
// are added, the commitment, HTLC and closing transaction templates with
// their weights and fees. Every function here is pure: given keys and
// amounts it returns bytes, so both peers compute identical transactions
// and the BOLT 3 appendix vectors can check them.
//
// It does not own secrets or their storage (per-commitment secret
// generation and the compact revocation store live in node/keys), nor
// signing policy, channel state, or watching the chain (node/channel and
// node/onchain).
package script
