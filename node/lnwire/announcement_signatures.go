package lnwire

import "bytes"

// MsgAnnouncementSignatures is the type of announcement_signatures.
const MsgAnnouncementSignatures MessageType = 259

// AnnouncementSignatures carries one side's two signatures for its
// channel's channel_announcement, sent to the channel peer only.
//
// BOLT 7: The `announcement_signatures` message is created by constructing
// a `channel_announcement` message, corresponding to the newly established
// channel, and signing it with the secrets matching an endpoint's `node_id`
// and `bitcoin_key`.
type AnnouncementSignatures struct {
	ChannelID      ChannelID
	ShortChannelID ShortChannelID
	// NodeSignature and BitcoinSignature are over the announcement's
	// SignedHash; the channel checks them.
	NodeSignature    Sig
	BitcoinSignature Sig
	Extra            TLVRecords
}

var _ Message = (*AnnouncementSignatures)(nil)

// Type is MsgAnnouncementSignatures.
func (m *AnnouncementSignatures) Type() MessageType { return MsgAnnouncementSignatures }

// Encode writes channel_id, short_channel_id, node_signature and
// bitcoin_signature.
func (m *AnnouncementSignatures) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	putU64(w, uint64(m.ShortChannelID))
	w.Write(m.NodeSignature[:])
	w.Write(m.BitcoinSignature[:])
	return encodeTLVStream(w, m.Extra)
}

// Decode reads announcement_signatures.
func (m *AnnouncementSignatures) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.ShortChannelID = r.SCID("short_channel_id")
	m.NodeSignature = r.Sig("node_signature")
	m.BitcoinSignature = r.Sig("bitcoin_signature")
	m.Extra, err = r.Extension()
	return err
}
