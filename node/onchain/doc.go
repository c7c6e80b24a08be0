// Package onchain resolves a channel whose funding output a commitment
// transaction spent (BOLT 5): it recognises which commitment it is (ours,
// the peer's current one, a revoked one, or one from a state we lost) and
// lists every output that pays us as a Claim, with the block from which it
// may be spent and how. A Resolution then turns mature claims into signed
// sweep transactions paying our wallet, notices the peer's spends of the
// outputs we share (a second-level HTLC transaction from a revoked state
// is claimed in turn), and is done once every claim is settled.
//
// Like node/channel it does no I/O: the host watches the outpoints a
// resolution names, feeds it blocks and spends, broadcasts what it returns
// and persists it (JSON, no private keys: KeyRef says how to derive each
// key again from the channel's keys) before broadcasting.
//
// Not here: CPFP of our commitment through its anchor and fee inputs for
// zero-fee second-level transactions (anchors): both need wallet coins.
package onchain
