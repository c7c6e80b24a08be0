package lnwire

import (
	"bytes"
	"hash/crc32"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgChannelUpdate is the type of channel_update.
const MsgChannelUpdate MessageType = 258

// UpdateMsgFlags is channel_update's message_flags. Bits without a meaning
// are kept as sent: they are signed.
type UpdateMsgFlags byte

const (
	// MsgFlagMustBeOne once said htlc_maximum_msat was present; the field
	// is now mandatory, so the bit is always set and ignored on receipt.
	//
	// BOLT 7: This field must now always be present, so `must_be_one` is a
	// constant value, and ignored by receivers.
	MsgFlagMustBeOne UpdateMsgFlags = 1 << 0
	// MsgFlagDontForward marks an update for the channel peer only.
	//
	// BOLT 7: MUST set `dont_forward` to 1 in `message_flags` [for an
	// unannounced channel]. MUST NOT forward such a `channel_update` to
	// other peers, for privacy reasons.
	MsgFlagDontForward UpdateMsgFlags = 1 << 1
)

// DontForward reports whether the update must stay with the peer that sent
// it.
func (f UpdateMsgFlags) DontForward() bool { return f&MsgFlagDontForward != 0 }

// UpdateChanFlags is channel_update's channel_flags. Bits without a meaning
// are kept as sent.
type UpdateChanFlags byte

const (
	// ChanFlagDirection is 0 when node_id_1 sent the update, 1 when
	// node_id_2 did.
	ChanFlagDirection UpdateChanFlags = 1 << 0
	// ChanFlagDisable says the channel should not be used for now.
	ChanFlagDisable UpdateChanFlags = 1 << 1
)

// Direction is 0 for an update from node_id_1, 1 for one from node_id_2:
// the node whose key verifies the signature.
//
// BOLT 7: The `node_id` for the signature verification is taken from the
// corresponding `channel_announcement`: `node_id_1` if the
// least-significant bit of flags is 0 or `node_id_2` otherwise.
func (f UpdateChanFlags) Direction() int { return int(f & ChanFlagDirection) }

// Disabled reports the disable bit.
func (f UpdateChanFlags) Disabled() bool { return f&ChanFlagDisable != 0 }

// ChannelUpdate is one side's relay policy for a channel.
type ChannelUpdate struct {
	Signature      Sig
	ChainHash      chainhash.Hash
	ShortChannelID ShortChannelID
	Timestamp      uint32
	MessageFlags   UpdateMsgFlags
	ChannelFlags   UpdateChanFlags
	// CLTVExpiryDelta is the number of blocks the node subtracts from an
	// incoming HTLC's cltv_expiry.
	CLTVExpiryDelta           uint16
	HTLCMinimumMsat           MilliSatoshi
	FeeBaseMsat               uint32
	FeeProportionalMillionths uint32
	// HTLCMaximumMsat is mandatory: an update without it (the old form
	// with must_be_one clear) is too short and fails to decode.
	HTLCMaximumMsat MilliSatoshi
	// Extra holds fields appended after htlc_maximum_msat (lnd's inbound
	// fees, type 55555, among them), which the signature covers.
	Extra TLVRecords
}

var (
	_ Message = (*ChannelUpdate)(nil)
	_ Signed  = (*ChannelUpdate)(nil)
)

// Type is MsgChannelUpdate.
func (m *ChannelUpdate) Type() MessageType { return MsgChannelUpdate }

// Encode writes the fields in BOLT 7 order, then the extension.
func (m *ChannelUpdate) Encode(w *bytes.Buffer) error {
	w.Write(m.Signature[:])
	w.Write(m.ChainHash[:])
	putU64(w, uint64(m.ShortChannelID))
	putU32(w, m.Timestamp)
	w.WriteByte(byte(m.MessageFlags))
	w.WriteByte(byte(m.ChannelFlags))
	putU16(w, m.CLTVExpiryDelta)
	putU64(w, uint64(m.HTLCMinimumMsat))
	putU32(w, m.FeeBaseMsat)
	putU32(w, m.FeeProportionalMillionths)
	putU64(w, uint64(m.HTLCMaximumMsat))
	return encodeTLVStream(w, m.Extra)
}

// Decode reads channel_update. Policy checks (htlc_maximum_msat against
// htlc_minimum_msat and the capacity, the timestamp against the last one)
// are the graph's.
func (m *ChannelUpdate) Decode(r *Reader) (err error) {
	m.Signature = r.Sig("signature")
	m.ChainHash = r.Hash("chain_hash")
	m.ShortChannelID = r.SCID("short_channel_id")
	m.Timestamp = r.U32("timestamp")
	m.MessageFlags = UpdateMsgFlags(r.Byte("message_flags"))
	m.ChannelFlags = UpdateChanFlags(r.Byte("channel_flags"))
	m.CLTVExpiryDelta = r.U16("cltv_expiry_delta")
	m.HTLCMinimumMsat = MilliSatoshi(r.U64("htlc_minimum_msat"))
	m.FeeBaseMsat = r.U32("fee_base_msat")
	m.FeeProportionalMillionths = r.U32("fee_proportional_millionths")
	m.HTLCMaximumMsat = MilliSatoshi(r.U64("htlc_maximum_msat"))
	m.Extra, err = r.Extension()
	return err
}

// SignedData is the message after its signature, to its end; the
// signature is made over its double-SHA256 (SignedHash) by the node
// ChannelFlags.Direction names.
//
// BOLT 7, the receiving node: if `signature` is not a valid signature,
// using `node_id` of the double-SHA256 of the entire message following the
// `signature` field (including unknown fields following
// `fee_proportional_millionths`): SHOULD send a `warning` and close the
// connection. MUST NOT process the message further.
func (m *ChannelUpdate) SignedData() ([]byte, error) {
	return signedTail(m, SigSize)
}

// castagnoli is the CRC32C table of RFC 3720.
var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Checksum is the update's checksum for reply_channel_range's
// checksums_tlv: CRC32C over the signed data without the timestamp, so that
// two updates differing only in timestamp (and signature) match.
//
// BOLT 7: The checksum of a `channel_update` is the CRC32C checksum as
// specified in [RFC3720] of this `channel_update` without its `signature`
// and `timestamp` fields.
func (m *ChannelUpdate) Checksum() (uint32, error) {
	data, err := m.SignedData()
	if err != nil {
		return 0, err
	}
	const tsStart = chainhash.HashSize + 8 // after chain_hash and short_channel_id
	crc := crc32.Update(0, castagnoli, data[:tsStart])
	return crc32.Update(crc, castagnoli, data[tsStart+4:]), nil
}
