package lnwire

import "bytes"

// MsgAcceptChannel is the type of accept_channel.
const MsgAcceptChannel MessageType = 33

// AcceptChannel accepts an open_channel and gives the fundee's parameters
// and keys.
type AcceptChannel struct {
	// TemporaryChannelID echoes open_channel's.
	TemporaryChannelID       ChannelID
	DustLimitSatoshis        Satoshi
	MaxHTLCValueInFlightMsat MilliSatoshi
	ChannelReserveSatoshis   Satoshi
	HTLCMinimumMsat          MilliSatoshi
	// MinimumDepth is the confirmations the fundee waits for; zero with
	// option_zeroconf.
	MinimumDepth     uint32
	ToSelfDelay      uint16
	MaxAcceptedHTLCs uint16
	ChannelKeys
	OpeningTLVs
}

var _ Message = (*AcceptChannel)(nil)

// Type is MsgAcceptChannel.
func (m *AcceptChannel) Type() MessageType { return MsgAcceptChannel }

// Encode writes the fields in BOLT 2 order, then accept_channel_tlvs.
func (m *AcceptChannel) Encode(w *bytes.Buffer) error {
	w.Write(m.TemporaryChannelID[:])
	putU64(w, uint64(m.DustLimitSatoshis))
	putU64(w, uint64(m.MaxHTLCValueInFlightMsat))
	putU64(w, uint64(m.ChannelReserveSatoshis))
	putU64(w, uint64(m.HTLCMinimumMsat))
	putU32(w, m.MinimumDepth)
	putU16(w, m.ToSelfDelay)
	putU16(w, m.MaxAcceptedHTLCs)
	m.ChannelKeys.write(w)
	return m.OpeningTLVs.write(w)
}

// Decode reads accept_channel; every point must be valid.
func (m *AcceptChannel) Decode(r *Reader) error {
	m.TemporaryChannelID = r.ChannelID("temporary_channel_id")
	m.DustLimitSatoshis = Satoshi(r.U64("dust_limit_satoshis"))
	m.MaxHTLCValueInFlightMsat = MilliSatoshi(r.U64("max_htlc_value_in_flight_msat"))
	m.ChannelReserveSatoshis = Satoshi(r.U64("channel_reserve_satoshis"))
	m.HTLCMinimumMsat = MilliSatoshi(r.U64("htlc_minimum_msat"))
	m.MinimumDepth = r.U32("minimum_depth")
	m.ToSelfDelay = r.U16("to_self_delay")
	m.MaxAcceptedHTLCs = r.U16("max_accepted_htlcs")
	m.ChannelKeys.read(r)
	return m.OpeningTLVs.read(r)
}
