package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgChannelAnnouncement is the type of channel_announcement.
const MsgChannelAnnouncement MessageType = 256

// channelAnnouncementSigned is where the signed part of a
// channel_announcement body starts: after its four signatures.
const channelAnnouncementSigned = 4 * SigSize

// ChannelAnnouncement ties a funding output to the two nodes that own it, so
// that the rest of the network can route through the channel.
//
// BOLT 7: Proving the existence of a channel between `node_1` and `node_2`
// requires: 1. proving that the funding transaction pays to `bitcoin_key_1`
// and `bitcoin_key_2` 2. proving that `node_1` owns `bitcoin_key_1` 3.
// proving that `node_2` owns `bitcoin_key_2`.
type ChannelAnnouncement struct {
	NodeSignature1    Sig
	NodeSignature2    Sig
	BitcoinSignature1 Sig
	BitcoinSignature2 Sig
	// Features are the channel's features, kept as signed.
	//
	// BOLT 7, the receiving node: if there is an unknown even bit in the
	// `features` field: MUST NOT attempt to route messages through the
	// channel.
	Features       FeatureBytes
	ChainHash      chainhash.Hash
	ShortChannelID ShortChannelID
	// NodeID1 is the lexicographically lesser of the two node ids; the
	// graph checks the order along with the signatures.
	NodeID1     Point
	NodeID2     Point
	BitcoinKey1 Point
	BitcoinKey2 Point
	// Extra holds fields appended by later versions, which the signatures
	// cover too.
	Extra TLVRecords
}

var (
	_ Message = (*ChannelAnnouncement)(nil)
	_ Signed  = (*ChannelAnnouncement)(nil)
)

// Type is MsgChannelAnnouncement.
func (m *ChannelAnnouncement) Type() MessageType { return MsgChannelAnnouncement }

// Encode writes the four signatures, len, features, chain_hash,
// short_channel_id, the two node ids and the two bitcoin keys, then the
// extension.
func (m *ChannelAnnouncement) Encode(w *bytes.Buffer) error {
	for _, s := range []*Sig{&m.NodeSignature1, &m.NodeSignature2, &m.BitcoinSignature1, &m.BitcoinSignature2} {
		w.Write(s[:])
	}
	if err := putVarBytes(w, "features", m.Features); err != nil {
		return err
	}
	w.Write(m.ChainHash[:])
	putU64(w, uint64(m.ShortChannelID))
	for _, p := range []*Point{&m.NodeID1, &m.NodeID2, &m.BitcoinKey1, &m.BitcoinKey2} {
		w.Write(p[:])
	}
	return encodeTLVStream(w, m.Extra)
}

// Decode reads channel_announcement; the four keys must be valid points,
// since no signature could be checked against one that is not.
func (m *ChannelAnnouncement) Decode(r *Reader) (err error) {
	m.NodeSignature1 = r.Sig("node_signature_1")
	m.NodeSignature2 = r.Sig("node_signature_2")
	m.BitcoinSignature1 = r.Sig("bitcoin_signature_1")
	m.BitcoinSignature2 = r.Sig("bitcoin_signature_2")
	m.Features = FeatureBytes(r.VarBytes("features"))
	m.ChainHash = r.Hash("chain_hash")
	m.ShortChannelID = r.SCID("short_channel_id")
	m.NodeID1 = r.Point("node_id_1")
	m.NodeID2 = r.Point("node_id_2")
	m.BitcoinKey1 = r.Point("bitcoin_key_1")
	m.BitcoinKey2 = r.Point("bitcoin_key_2")
	m.Extra, err = r.Extension()
	return err
}

// SignedData is the body after the four signatures, to its end. All four
// signatures are made over its double-SHA256 (SignedHash).
//
// BOLT 7: MUST compute the double-SHA256 hash `h` of the message, beginning
// at offset 256, up to the end of the message. Note: the hash skips the 4
// signatures but hashes the rest of the message, including any future
// fields appended to the end.
func (m *ChannelAnnouncement) SignedData() ([]byte, error) {
	return signedTail(m, channelAnnouncementSigned)
}
