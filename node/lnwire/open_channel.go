package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgOpenChannel is the type of open_channel.
const MsgOpenChannel MessageType = 32

// ChannelFlagAnnounce is the only defined bit of channel_flags.
//
// BOLT 2: Only the least-significant bit of `channel_flags` is currently
// defined: `announce_channel`.
const ChannelFlagAnnounce byte = 1

// OpenChannel asks the peer to open a v1 channel we fund.
type OpenChannel struct {
	ChainHash          chainhash.Hash
	TemporaryChannelID ChannelID
	FundingSatoshis    Satoshi
	PushMsat           MilliSatoshi
	DustLimitSatoshis  Satoshi
	// MaxHTLCValueInFlightMsat caps the HTLC value the peer may offer us.
	MaxHTLCValueInFlightMsat MilliSatoshi
	ChannelReserveSatoshis   Satoshi
	HTLCMinimumMsat          MilliSatoshi
	FeeratePerKw             uint32
	ToSelfDelay              uint16
	MaxAcceptedHTLCs         uint16
	ChannelKeys
	// ChannelFlags: the receiver MUST ignore undefined bits, so they are
	// kept as sent.
	ChannelFlags byte
	OpeningTLVs
}

var _ Message = (*OpenChannel)(nil)

// Type is MsgOpenChannel.
func (m *OpenChannel) Type() MessageType { return MsgOpenChannel }

// Encode writes the fields in BOLT 2 order, then open_channel_tlvs.
func (m *OpenChannel) Encode(w *bytes.Buffer) error {
	w.Write(m.ChainHash[:])
	w.Write(m.TemporaryChannelID[:])
	putU64(w, uint64(m.FundingSatoshis))
	putU64(w, uint64(m.PushMsat))
	putU64(w, uint64(m.DustLimitSatoshis))
	putU64(w, uint64(m.MaxHTLCValueInFlightMsat))
	putU64(w, uint64(m.ChannelReserveSatoshis))
	putU64(w, uint64(m.HTLCMinimumMsat))
	putU32(w, m.FeeratePerKw)
	putU16(w, m.ToSelfDelay)
	putU16(w, m.MaxAcceptedHTLCs)
	m.ChannelKeys.write(w)
	w.WriteByte(m.ChannelFlags)
	return m.OpeningTLVs.write(w)
}

// Decode reads open_channel; every point must be valid. Policy checks
// (push_msat against funding, max_accepted_htlcs <= 483, reserve against
// dust) belong to the channel, which can answer them with an error.
func (m *OpenChannel) Decode(r *Reader) error {
	m.ChainHash = r.Hash("chain_hash")
	m.TemporaryChannelID = r.ChannelID("temporary_channel_id")
	m.FundingSatoshis = Satoshi(r.U64("funding_satoshis"))
	m.PushMsat = MilliSatoshi(r.U64("push_msat"))
	m.DustLimitSatoshis = Satoshi(r.U64("dust_limit_satoshis"))
	m.MaxHTLCValueInFlightMsat = MilliSatoshi(r.U64("max_htlc_value_in_flight_msat"))
	m.ChannelReserveSatoshis = Satoshi(r.U64("channel_reserve_satoshis"))
	m.HTLCMinimumMsat = MilliSatoshi(r.U64("htlc_minimum_msat"))
	m.FeeratePerKw = r.U32("feerate_per_kw")
	m.ToSelfDelay = r.U16("to_self_delay")
	m.MaxAcceptedHTLCs = r.U16("max_accepted_htlcs")
	m.ChannelKeys.read(r)
	m.ChannelFlags = r.Byte("channel_flags")
	return m.OpeningTLVs.read(r)
}
