package lnwire

import (
	"bytes"
	"fmt"
	"math"
)

// MsgCommitmentSigned is the type of commitment_signed.
const MsgCommitmentSigned MessageType = 132

// CommitmentSigned signs the peer's next commitment and each of its HTLC
// transactions.
type CommitmentSigned struct {
	ChannelID ChannelID
	Signature Sig
	// HTLCSignatures are in the commitment's output order (BOLT 3).
	HTLCSignatures []Sig
	Extra          TLVRecords
}

var _ Message = (*CommitmentSigned)(nil)

// Type is MsgCommitmentSigned.
func (m *CommitmentSigned) Type() MessageType { return MsgCommitmentSigned }

// Encode writes channel_id, signature, num_htlcs and htlc_signature.
func (m *CommitmentSigned) Encode(w *bytes.Buffer) error {
	if len(m.HTLCSignatures) > math.MaxUint16 {
		return &FieldError{Field: "num_htlcs", Err: fmt.Errorf("%d signatures do not fit a u16", len(m.HTLCSignatures))}
	}
	w.Write(m.ChannelID[:])
	w.Write(m.Signature[:])
	putU16(w, uint16(len(m.HTLCSignatures)))
	for _, s := range m.HTLCSignatures {
		w.Write(s[:])
	}
	return encodeTLVStream(w, m.Extra)
}

// Decode reads commitment_signed. num_htlcs is checked against the bytes
// left before any signature is allocated; whether it matches the
// commitment is the channel's check.
//
// BOLT 2: The `num_htlcs` field is redundant, but makes the packet length
// check fully self-contained.
func (m *CommitmentSigned) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.Signature = r.Sig("signature")
	n := r.U16("num_htlcs")
	m.HTLCSignatures = r.Sigs("htlc_signature", int(n))
	m.Extra, err = r.Extension()
	return err
}
