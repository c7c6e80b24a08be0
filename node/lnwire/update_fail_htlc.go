package lnwire

import "bytes"

// MsgUpdateFailHTLC is the type of update_fail_htlc.
const MsgUpdateFailHTLC MessageType = 131

// UpdateFailHTLC fails an HTLC the peer offered, with an encrypted reason
// only the payment's sender can read (BOLT 4).
type UpdateFailHTLC struct {
	ChannelID ChannelID
	ID        uint64
	Reason    []byte
	Extra     TLVRecords
}

var _ Message = (*UpdateFailHTLC)(nil)

// Type is MsgUpdateFailHTLC.
func (m *UpdateFailHTLC) Type() MessageType { return MsgUpdateFailHTLC }

// Encode writes channel_id, id, len and reason.
func (m *UpdateFailHTLC) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	putU64(w, m.ID)
	if err := putVarBytes(w, "reason", m.Reason); err != nil {
		return err
	}
	return encodeTLVStream(w, m.Extra)
}

// Decode reads update_fail_htlc.
func (m *UpdateFailHTLC) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.ID = r.U64("id")
	m.Reason = r.VarBytes("reason")
	m.Extra, err = r.Extension()
	return err
}
