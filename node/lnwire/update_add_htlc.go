package lnwire

import "bytes"

// MsgUpdateAddHTLC is the type of update_add_htlc.
const MsgUpdateAddHTLC MessageType = 128

// OnionPacketSize is the fixed size of onion_routing_packet (BOLT 4).
const OnionPacketSize = 1366

// UpdateAddHTLC offers an HTLC to the peer.
type UpdateAddHTLC struct {
	ChannelID ChannelID
	// ID counts our offers from 0 and never resets.
	ID          uint64
	AmountMsat  MilliSatoshi
	PaymentHash [32]byte
	// CLTVExpiry is a block height; BOLT 2 requires it below 500000000, a
	// check for the channel.
	CLTVExpiry         uint32
	OnionRoutingPacket [OnionPacketSize]byte
	// PathKey (type 0, blinded_path; formerly blinding_point) is set when
	// relaying inside a blinded route; the receiver must use it to decrypt
	// the onion.
	PathKey Optional[Point]
	Extra   TLVRecords
}

var _ Message = (*UpdateAddHTLC)(nil)

// Type is MsgUpdateAddHTLC.
func (m *UpdateAddHTLC) Type() MessageType { return MsgUpdateAddHTLC }

func (m *UpdateAddHTLC) tlvs() []tlvField {
	return []tlvField{optField(0, &m.PathKey, pointCodec)}
}

// Encode writes the fields in BOLT 2 order, then update_add_htlc_tlvs.
func (m *UpdateAddHTLC) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	putU64(w, m.ID)
	putU64(w, uint64(m.AmountMsat))
	w.Write(m.PaymentHash[:])
	putU32(w, m.CLTVExpiry)
	w.Write(m.OnionRoutingPacket[:])
	return encodeTLVStream(w, m.Extra, m.tlvs()...)
}

// Decode reads update_add_htlc.
func (m *UpdateAddHTLC) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.ID = r.U64("id")
	m.AmountMsat = MilliSatoshi(r.U64("amount_msat"))
	m.PaymentHash = r.Bytes32("payment_hash")
	m.CLTVExpiry = r.U32("cltv_expiry")
	r.Fixed("onion_routing_packet", m.OnionRoutingPacket[:])
	m.Extra, err = r.Extension(m.tlvs()...)
	return err
}
