package lnwire

import (
	"encoding/hex"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// ChannelID identifies a channel in every BOLT 2 message after funding, and
// (as temporary_channel_id, a random nonce) before it.
type ChannelID [32]byte

// NewChannelID derives a channel's id from its funding outpoint.
//
// BOLT 2: It's derived from the funding transaction by combining the
// `funding_txid` and the `funding_output_index`, using big-endian
// exclusive-OR (i.e. `funding_output_index` alters the last 2 bytes).
//
// txid is in wire (internal) byte order, as funding_created carries it.
func NewChannelID(txid chainhash.Hash, index uint16) ChannelID {
	id := ChannelID(txid)
	id[30] ^= byte(index >> 8)
	id[31] ^= byte(index)
	return id
}

// IsZero reports the all-zero id, which in error and warning means every
// channel with the peer.
//
// BOLT 1: The channel is referred to by `channel_id`, unless `channel_id`
// is 0 (i.e. all bytes are 0), in which case it refers to all channels.
func (c ChannelID) IsZero() bool { return c == ChannelID{} }

// String is the hex form, in wire order.
func (c ChannelID) String() string { return hex.EncodeToString(c[:]) }

// ChannelID reads a channel_id (or temporary_channel_id).
func (r *Reader) ChannelID(field string) ChannelID {
	return ChannelID(r.Bytes32(field))
}
