// Package script owns BOLT 3, the on-chain formats both peers of a channel
// must reproduce bit for bit:
//
//   - key derivation: per-commitment keys, revocation keys, and the keys of
//     one commitment (DeriveCommitKeys), plus the commitment-number
//     obscuring factor;
//   - scripts: funding 2-of-2, to_local, to_remote (P2WPKH, or the 1-CSV
//     anchors form), anchors, offered and received HTLCs, for the two
//     commitment types this node negotiates (option_static_remotekey and
//     option_anchors with zero-fee HTLC transactions);
//   - transaction templates: the commitment (trimming, fee, anchors, BIP69
//     and CLTV output order, obscured number), HTLC-timeout and
//     HTLC-success, the mutual close, and the BOLT 5 sweeps of a closed
//     channel's outputs (BuildSweep, SignSweepInput and the witness of
//     each branch we can spend alone);
//   - weights and fees from Appendix A, and the sighash rules;
//   - signing and verifying the inputs of those transactions
//     (deterministic RFC6979), and assembling their witnesses.
//
// Every function is pure: given keys, amounts and a feerate it returns
// bytes, so both peers compute identical transactions and the BOLT 3
// appendix vectors (testdata/, tests named after the appendix) check them.
//
// It does not own secrets or their storage (per-commitment secret
// generation and the compact revocation store live in node/keys), the
// wire form of signatures (node/lnwire converts *ecdsa.Signature to and
// from its 64-byte compact form), channel state and what may be signed
// when (node/channel), or watching the chain and deciding what to sweep
// when, at what feerate and in which batches (node/onchain, which builds
// its sweeps here).
package script
