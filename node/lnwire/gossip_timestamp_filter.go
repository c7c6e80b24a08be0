package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgGossipTimestampFilter is the type of gossip_timestamp_filter.
const MsgGossipTimestampFilter MessageType = 265

// GossipTimestampFilter tells a peer which relayed gossip to send us from
// now on; each one replaces the last.
//
// BOLT 7: A node which wants any gossip messages has to send this,
// otherwise no gossip messages would be received.
type GossipTimestampFilter struct {
	ChainHash      chainhash.Hash
	FirstTimestamp uint32
	TimestampRange uint32
	Extra          TLVRecords
}

var _ Message = (*GossipTimestampFilter)(nil)

// Type is MsgGossipTimestampFilter.
func (m *GossipTimestampFilter) Type() MessageType { return MsgGossipTimestampFilter }

// Matches reports whether gossip with timestamp ts passes the filter,
// computed without u32 overflow.
//
// BOLT 7, the receiver: SHOULD send all gossip messages whose `timestamp`
// is greater or equal to `first_timestamp`, and less than
// `first_timestamp` plus `timestamp_range`.
func (m *GossipTimestampFilter) Matches(ts uint32) bool {
	return ts >= m.FirstTimestamp && uint64(ts) < uint64(m.FirstTimestamp)+uint64(m.TimestampRange)
}

// Encode writes chain_hash, first_timestamp and timestamp_range.
func (m *GossipTimestampFilter) Encode(w *bytes.Buffer) error {
	w.Write(m.ChainHash[:])
	putU32(w, m.FirstTimestamp)
	putU32(w, m.TimestampRange)
	return encodeTLVStream(w, m.Extra)
}

// Decode reads gossip_timestamp_filter.
func (m *GossipTimestampFilter) Decode(r *Reader) (err error) {
	m.ChainHash = r.Hash("chain_hash")
	m.FirstTimestamp = r.U32("first_timestamp")
	m.TimestampRange = r.U32("timestamp_range")
	m.Extra, err = r.Extension()
	return err
}
