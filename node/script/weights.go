package script

import "github.com/btcsuite/btcd/wire"

// Expected weights from BOLT 3 Appendix A. They assume 73-byte signatures
// and both balance outputs present, so both peers compute the same fee
// whatever the real transaction looks like.
//
// BOLT 3:
//
//	Commitment weight (no option_anchors):   724 + 172 * num-untrimmed-htlc-outputs
//	Commitment weight (option_anchors):     1124 + 172 * num-untrimmed-htlc-outputs
//	HTLC-timeout weight (no option_anchors): 663
//	HTLC-success weight (no option_anchors): 703
//
// The anchors HTLC weights (666 and 706) set no fee here, since zero-fee
// HTLC transactions pay none; they are what a sweeper needs when it adds
// an input to pay for one.
const (
	CommitBaseWeight        = 724
	AnchorCommitBaseWeight  = 1124
	HTLCOutputWeight        = 172
	HTLCTimeoutWeight       = 663
	HTLCSuccessWeight       = 703
	AnchorHTLCTimeoutWeight = 666
	AnchorHTLCSuccessWeight = 706
)

// AnchorSat is the value of each anchor output.
//
// BOLT 3: "The amount of the output is fixed at 330 sats, the default dust
// limit for P2WSH."
const AnchorSat = 330

// CommitWeight is the expected weight of a commitment transaction with
// numHTLCOutputs untrimmed HTLCs.
func CommitWeight(t CommitmentType, numHTLCOutputs int) int64 {
	base := int64(CommitBaseWeight)
	if t == Anchors {
		base = AnchorCommitBaseWeight
	}
	return base + HTLCOutputWeight*int64(numHTLCOutputs)
}

// CommitFee is the base fee of a commitment transaction, the part the
// opener pays explicitly; trimmed outputs add to the real fee.
//
// BOLT 3: "The base fee for a commitment transaction: MUST be calculated
// to match: 1. Start with weight = 724 (1124 if option_anchors applies).
// 2. For each committed HTLC, if that output is not trimmed as specified
// in Trimmed Outputs, add 172 to weight. 3. Multiply feerate_per_kw by
// weight, divide by 1000 (rounding down)."
func CommitFee(t CommitmentType, feeratePerKw uint32, numHTLCOutputs int) int64 {
	return int64(feeratePerKw) * CommitWeight(t, numHTLCOutputs) / 1000
}

// HTLCTimeoutFee is the fee an HTLC-timeout transaction pays out of the
// HTLC amount.
//
// BOLT 3: "The fee for an HTLC-timeout transaction: If
// option_anchors_zero_fee_htlc_tx applies: MUST be 0. Otherwise, MUST be
// calculated to match: Multiply feerate_per_kw by 663 ... and divide by
// 1000 (rounding down)."
func HTLCTimeoutFee(t CommitmentType, feeratePerKw uint32) int64 {
	if t == Anchors {
		return 0
	}
	return int64(feeratePerKw) * HTLCTimeoutWeight / 1000
}

// HTLCSuccessFee is the fee an HTLC-success transaction pays out of the
// HTLC amount.
//
// BOLT 3: "The fee for an HTLC-success transaction: If
// option_anchors_zero_fee_htlc_tx applies: MUST be 0. Otherwise, MUST be
// calculated to match: Multiply feerate_per_kw by 703 ... and divide by
// 1000 (rounding down)."
func HTLCSuccessFee(t CommitmentType, feeratePerKw uint32) int64 {
	if t == Anchors {
		return 0
	}
	return int64(feeratePerKw) * HTLCSuccessWeight / 1000
}

// secondLevelFee is the fee of the transaction that would spend h from the
// holder's commitment: HTLC-timeout for offered, HTLC-success for received.
func secondLevelFee(t CommitmentType, h HTLC, feeratePerKw uint32) int64 {
	if h.Offered {
		return HTLCTimeoutFee(t, feeratePerKw)
	}
	return HTLCSuccessFee(t, feeratePerKw)
}

// IsTrimmed reports whether h gets no output on the holder's commitment,
// its value going to fees instead, because the second-level transaction
// spending it would itself be dust.
//
// BOLT 3: "for every offered HTLC: if the HTLC amount minus the
// HTLC-timeout fee would be less than dust_limit_satoshis set by the
// transaction owner: MUST NOT contain that output." and likewise for every
// received HTLC with the HTLC-success fee.
func IsTrimmed(t CommitmentType, h HTLC, dustLimitSat int64, feeratePerKw uint32) bool {
	return h.amountSat()-secondLevelFee(t, h, feeratePerKw) < dustLimitSat
}

// Closing transaction sizes, counted the way BOLT 3 Appendix A counts the
// commitment: 73-byte signatures, one input spending the 2-of-2.
const (
	// closingBaseSize is version, input count, the funding input (outpoint,
	// empty script_sig, sequence), output count and locktime.
	closingBaseSize = 4 + 1 + 41 + 1 + 4
	// fundingWitnessWeight is the marker, flag and the 2-of-2 witness:
	// item count, empty item, two 73-byte signatures with their lengths,
	// and the 71-byte funding script with its length.
	fundingWitnessWeight = 2 + 1 + 1 + 2*(1+73) + 1 + 71
)

// ClosingWeight is the expected weight of a mutual close paying to the two
// shutdown scripts, for fee proposals in closing_signed. An empty script
// stands for an output the closer drops.
func ClosingWeight(localScript, remoteScript []byte) int64 {
	size := int64(closingBaseSize)
	for _, s := range [][]byte{localScript, remoteScript} {
		if len(s) > 0 {
			size += 8 + int64(wire.VarIntSerializeSize(uint64(len(s)))) + int64(len(s))
		}
	}
	return size*4 + fundingWitnessWeight
}
