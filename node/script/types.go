package script

import (
	"errors"
	"fmt"
)

// ErrCommitParams reports commitment or second-level transaction inputs
// that cannot describe a valid channel state: a missing key, an unknown
// commitment type, balances that do not add up to the funding amount.
// It is a programming or state error on our side, never the peer's.
var ErrCommitParams = errors.New("script: invalid commitment parameters")

// ErrOpenerCannotPay reports a commitment whose opener's balance does not
// cover the commitment fee (and, with anchors, the two anchor outputs). The
// channel uses it to refuse an update_fee or an HTLC that would leave the
// opener unable to pay for its own commitment.
//
// BOLT 2 (update_fee), the receiving node: if the sender cannot afford
// the new fee rate on the receiving node's current commitment transaction:
// SHOULD send a warning and close the connection, or send an error and fail
// the channel.
var ErrOpenerCannotPay = errors.New("script: opener cannot pay the commitment fee")

// CommitmentType is the commitment format negotiated by channel_type. It
// decides the to_remote script, whether anchors exist, the HTLC scripts'
// CSV, the base weight and the second-level fees and sighash.
type CommitmentType uint8

const (
	// StaticRemoteKey is option_static_remotekey: to_remote is a P2WPKH to
	// the peer's unchanged payment_basepoint. The same template with a
	// per-commitment remotepubkey is the legacy format of BOLT 3 Appendix C.
	StaticRemoteKey CommitmentType = iota
	// Anchors is option_anchors (zero_fee_htlc_tx): to_remote is a P2WSH
	// `<key> OP_CHECKSIGVERIFY 1 OP_CSV`, two 330-sat anchors are added, the
	// HTLC scripts carry `1 OP_CSV OP_DROP`, and second-level transactions
	// pay no fee and are signed by the peer with SIGHASH_SINGLE|ANYONECANPAY
	// so fees can be attached later.
	Anchors
)

// String names the type as BOLT 9 / channel_type does.
func (t CommitmentType) String() string {
	switch t {
	case StaticRemoteKey:
		return "static_remotekey"
	case Anchors:
		return "anchors_zero_fee_htlc_tx"
	default:
		return fmt.Sprintf("CommitmentType(%d)", uint8(t))
	}
}

// valid reports whether t is one of the types this package builds.
func (t CommitmentType) valid() bool {
	return t == StaticRemoteKey || t == Anchors
}

// checkType refuses an unknown commitment type before anything is built
// with it.
func checkType(t CommitmentType) error {
	if !t.valid() {
		return fmt.Errorf("%w: unknown commitment type %s", ErrCommitParams, t)
	}
	return nil
}

// HTLC is one HTLC as seen from the commitment holder, the owner of the
// commitment transaction being built ("local" in BOLT 3).
type HTLC struct {
	// Offered is true when the holder offered the HTLC: its output is an
	// offered-HTLC output, timed out by the holder's HTLC-timeout tx.
	Offered     bool
	AmountMsat  uint64
	PaymentHash [32]byte
	CltvExpiry  uint32
	// ID is opaque here; it is carried through so the caller can match
	// outputs (and htlc_signatures) back to its update log.
	ID uint64
}

// amountSat is the HTLC's output value: BOLT 3 rounds every output down to
// whole satoshis.
func (h HTLC) amountSat() int64 {
	return int64(h.AmountMsat / 1000)
}

// Output is a non-HTLC output of a commitment transaction.
type Output struct {
	Index uint32
	Value int64
	// WitnessScript is the P2WSH script spending needs; nil for the P2WPKH
	// to_remote of a StaticRemoteKey commitment.
	WitnessScript []byte
}

// HTLCOutput is an untrimmed HTLC with the commitment output it became.
type HTLCOutput struct {
	HTLC
	Index         uint32
	WitnessScript []byte
}
