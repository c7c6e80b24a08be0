package lnwire

import "bytes"

// MsgChannelReady is the type of channel_ready (once funding_locked).
const MsgChannelReady MessageType = 36

// ChannelReady says the funding transaction is deep enough for use.
type ChannelReady struct {
	ChannelID ChannelID
	// SecondPerCommitmentPoint is for commitment number 1.
	SecondPerCommitmentPoint Point
	// Alias (type 1, short_channel_id) is a short_channel_id the receiver
	// may use for this channel before (or instead of) the real one.
	//
	// BOLT 2, the sender: if `option_scid_alias` was negotiated: MUST set
	// `short_channel_id` `alias`. otherwise: MAY set `short_channel_id`
	// `alias`.
	Alias Optional[ShortChannelID]
	Extra TLVRecords
}

var _ Message = (*ChannelReady)(nil)

// Type is MsgChannelReady.
func (m *ChannelReady) Type() MessageType { return MsgChannelReady }

func (m *ChannelReady) tlvs() []tlvField {
	return []tlvField{optField(1, &m.Alias, scidCodec)}
}

// Encode writes channel_id, second_per_commitment_point and
// channel_ready_tlvs.
func (m *ChannelReady) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	w.Write(m.SecondPerCommitmentPoint[:])
	return encodeTLVStream(w, m.Extra, m.tlvs()...)
}

// Decode reads channel_ready.
func (m *ChannelReady) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.SecondPerCommitmentPoint = r.Point("second_per_commitment_point")
	m.Extra, err = r.Extension(m.tlvs()...)
	return err
}
