package lnwire

import "bytes"

// MsgUpdateFailMalformedHTLC is the type of update_fail_malformed_htlc.
const MsgUpdateFailMalformedHTLC MessageType = 135

// FailureBadOnion is the BADONION bit of a failure code (BOLT 4).
const FailureBadOnion uint16 = 0x8000

// UpdateFailMalformedHTLC fails an HTLC whose onion the peer could not
// parse; we then build the failure for the sender ourselves.
type UpdateFailMalformedHTLC struct {
	ChannelID     ChannelID
	ID            uint64
	SHA256OfOnion [32]byte
	// FailureCode must have the BADONION bit set.
	//
	// BOLT 2, a receiving node: if the `BADONION` bit in `failure_code` is
	// not set for `update_fail_malformed_htlc`: MUST send a `warning` and
	// close the connection, or send an `error` and fail the channel. That
	// answer is the channel's, so Decode accepts any code.
	FailureCode uint16
	Extra       TLVRecords
}

var _ Message = (*UpdateFailMalformedHTLC)(nil)

// Type is MsgUpdateFailMalformedHTLC.
func (m *UpdateFailMalformedHTLC) Type() MessageType { return MsgUpdateFailMalformedHTLC }

// Encode writes channel_id, id, sha256_of_onion and failure_code.
func (m *UpdateFailMalformedHTLC) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	putU64(w, m.ID)
	w.Write(m.SHA256OfOnion[:])
	putU16(w, m.FailureCode)
	return encodeTLVStream(w, m.Extra)
}

// Decode reads update_fail_malformed_htlc.
func (m *UpdateFailMalformedHTLC) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.ID = r.U64("id")
	m.SHA256OfOnion = r.Bytes32("sha256_of_onion")
	m.FailureCode = r.U16("failure_code")
	m.Extra, err = r.Extension()
	return err
}
