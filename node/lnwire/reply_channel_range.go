package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgReplyChannelRange is the type of reply_channel_range.
const MsgReplyChannelRange MessageType = 264

// UpdateTimestamps are the timestamps of a channel's two latest
// channel_updates, 0 for a side with none (channel_update_timestamps).
type UpdateTimestamps struct{ Node1, Node2 uint32 }

// UpdateChecksums are the ChannelUpdate.Checksum of a channel's two latest
// channel_updates, 0 for a side with none (channel_update_checksums).
type UpdateChecksums struct{ Node1, Node2 uint32 }

// ReplyChannelRange is one answer to a query_channel_range: the channels
// funded in a range of blocks, and optionally their updates' timestamps
// and checksums, each array parallel to ShortChannelIDs.
type ReplyChannelRange struct {
	ChainHash      chainhash.Hash
	FirstBlocknum  uint32
	NumberOfBlocks uint32
	// SyncComplete (sync_complete) is set on the last reply. Any non-zero
	// byte reads as true.
	SyncComplete    bool
	ShortChannelIDs []ShortChannelID
	// Timestamps (type 1, timestamps_tlv), one pair per id.
	Timestamps Optional[[]UpdateTimestamps]
	// Checksums (type 3, checksums_tlv), one pair per id.
	Checksums Optional[[]UpdateChecksums]
	Extra     TLVRecords
}

var _ Message = (*ReplyChannelRange)(nil)

// Type is MsgReplyChannelRange.
func (m *ReplyChannelRange) Type() MessageType { return MsgReplyChannelRange }

// EndBlock is first_blocknum + number_of_blocks, without u32 overflow.
//
// BOLT 7: the final `reply_channel_range` message: MUST have
// `first_blocknum` plus `number_of_blocks` equal or greater than the
// `query_channel_range` `first_blocknum` plus `number_of_blocks`.
func (m *ReplyChannelRange) EndBlock() uint64 {
	return uint64(m.FirstBlocknum) + uint64(m.NumberOfBlocks)
}

func (m *ReplyChannelRange) tlvs() []tlvField {
	return []tlvField{
		optField(1, &m.Timestamps, pairCodec[UpdateTimestamps](true)),
		optField(3, &m.Checksums, pairCodec[UpdateChecksums](false)),
	}
}

// checkCounts refuses timestamps or checksums that are not one per id:
// the arrays are parallel, so a mismatched one cannot be read.
//
// BOLT 7: the receiver MAY append a `timestamps_tlv` that contains
// `channel_update` timestamps for all `short_channel_id`s in
// `encoded_short_ids` [and likewise a `checksums_tlv`].
func (m *ReplyChannelRange) checkCounts() error {
	n := len(m.ShortChannelIDs)
	if m.Timestamps.Present && len(m.Timestamps.Value) != n {
		return countError("timestamps_tlv", len(m.Timestamps.Value), n)
	}
	if m.Checksums.Present && len(m.Checksums.Value) != n {
		return countError("checksums_tlv", len(m.Checksums.Value), n)
	}
	return nil
}

// Encode writes chain_hash, first_blocknum, number_of_blocks,
// sync_complete, len, encoded_short_ids and reply_channel_range_tlvs.
func (m *ReplyChannelRange) Encode(w *bytes.Buffer) error {
	if err := m.checkCounts(); err != nil {
		return err
	}
	w.Write(m.ChainHash[:])
	putU32(w, m.FirstBlocknum)
	putU32(w, m.NumberOfBlocks)
	w.WriteByte(boolByte(m.SyncComplete))
	if err := putEncodedSCIDs(w, "encoded_short_ids", m.ShortChannelIDs); err != nil {
		return err
	}
	return encodeTLVStream(w, m.Extra, m.tlvs()...)
}

// Decode reads reply_channel_range. The ids and timestamps must be
// uncompressed, and both optional arrays one entry per id. Whether the ids
// ascend and fall within the range is the graph's check.
func (m *ReplyChannelRange) Decode(r *Reader) (err error) {
	m.ChainHash = r.Hash("chain_hash")
	m.FirstBlocknum = r.U32("first_blocknum")
	m.NumberOfBlocks = r.U32("number_of_blocks")
	m.SyncComplete = r.Byte("sync_complete") != 0
	m.ShortChannelIDs = r.encodedSCIDs("encoded_short_ids")
	if m.Extra, err = r.Extension(m.tlvs()...); err != nil {
		return err
	}
	return m.checkCounts()
}
