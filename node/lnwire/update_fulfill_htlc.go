package lnwire

import "bytes"

// MsgUpdateFulfillHTLC is the type of update_fulfill_htlc.
const MsgUpdateFulfillHTLC MessageType = 130

// UpdateFulfillHTLC settles an HTLC the peer offered by revealing its
// preimage.
type UpdateFulfillHTLC struct {
	ChannelID       ChannelID
	ID              uint64
	PaymentPreimage [32]byte
	Extra           TLVRecords
}

var _ Message = (*UpdateFulfillHTLC)(nil)

// Type is MsgUpdateFulfillHTLC.
func (m *UpdateFulfillHTLC) Type() MessageType { return MsgUpdateFulfillHTLC }

// Encode writes channel_id, id and payment_preimage.
func (m *UpdateFulfillHTLC) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	putU64(w, m.ID)
	w.Write(m.PaymentPreimage[:])
	return encodeTLVStream(w, m.Extra)
}

// Decode reads update_fulfill_htlc.
func (m *UpdateFulfillHTLC) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.ID = r.U64("id")
	m.PaymentPreimage = r.Bytes32("payment_preimage")
	m.Extra, err = r.Extension()
	return err
}
