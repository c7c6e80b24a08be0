package lnwire

import "bytes"

// MsgUpdateFee is the type of update_fee.
const MsgUpdateFee MessageType = 134

// UpdateFee changes the commitment feerate; only the funder sends it.
type UpdateFee struct {
	ChannelID    ChannelID
	FeeratePerKw uint32
	Extra        TLVRecords
}

var _ Message = (*UpdateFee)(nil)

// Type is MsgUpdateFee.
func (m *UpdateFee) Type() MessageType { return MsgUpdateFee }

// Encode writes channel_id and feerate_per_kw.
func (m *UpdateFee) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	putU32(w, m.FeeratePerKw)
	return encodeTLVStream(w, m.Extra)
}

// Decode reads update_fee.
func (m *UpdateFee) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.FeeratePerKw = r.U32("feerate_per_kw")
	m.Extra, err = r.Extension()
	return err
}
