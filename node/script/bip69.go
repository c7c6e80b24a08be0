package script

import (
	"bytes"
	"sort"

	"github.com/btcsuite/btcd/wire"
)

// sortableOutput is an output being placed, with what the ordering and the
// caller need to find it afterwards.
type sortableOutput struct {
	txOut *wire.TxOut
	// cltv breaks ties between identical HTLC outputs; zero for others.
	cltv uint32
	// tag identifies the output to the builder once sorted.
	tag int
	// witnessScript is the P2WSH script behind txOut, nil for P2WPKH.
	witnessScript []byte
}

// sortOutputs orders outputs the way both peers must, since signatures
// cover the order and htlc_signatures follow it. The sort is stable, so
// outputs that are identical in every respect (which are interchangeable on
// chain) keep the caller's order.
//
// BOLT 3: "Outputs in transactions are always sorted according to: first
// according to their value, smallest first (in whole satoshis, note that
// for HTLC outputs, the millisatoshi part must be ignored); followed by
// scriptpubkey, comparing the common-length prefix lexicographically as if
// by memcmp, then selecting the shorter script (if they differ in length);
// finally, for HTLC outputs, in increasing cltv_expiry order."
func sortOutputs(outs []sortableOutput) {
	sort.SliceStable(outs, func(i, j int) bool {
		a, b := outs[i], outs[j]
		if a.txOut.Value != b.txOut.Value {
			return a.txOut.Value < b.txOut.Value
		}
		// bytes.Compare is memcmp on the common prefix, then shorter first.
		if c := bytes.Compare(a.txOut.PkScript, b.txOut.PkScript); c != 0 {
			return c < 0
		}
		return a.cltv < b.cltv
	})
}
