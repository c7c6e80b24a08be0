// Package channel is the state machine of one BOLT 2 payment channel: v1
// establishment (as opener and as accepter, with channel_type), channel
// readiness, the update log (update_add/fulfill/fail/fail_malformed_htlc
// and update_fee) with its two-sided commitment bookkeeping,
// commitment_signed and revoke_and_ack, channel_reestablish after a
// disconnect, and the cooperative close (shutdown and closing_signed).
//
// It does no I/O (DESIGN.md, principle 1). A Machine takes an Event — a
// peer message, a user command, a chain observation — and returns an
// Output: the messages to send, whether the state must be persisted first,
// and effects for the host (fund, publish, watch, notify). The host saves
// Machine.State before it sends any message of that Output, which is how
// "persist, then speak" holds: a commitment_signed or revoke_and_ack never
// leaves before the state it commits to is durable. A Handle that returns
// an error leaves the machine's state exactly as it was.
//
// It does not own the wallet (funding inputs come from the host through
// NeedFunding/FundingReady), the chain (confirmations arrive as events),
// on-chain enforcement after a force close (node/onchain), or the network.
package channel
