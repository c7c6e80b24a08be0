// Package lnwire encodes and decodes the Lightning peer messages of BOLT 1,
// BOLT 2 and BOLT 7, the fundamental types they are built from, the TLV
// extension streams at their ends, and the BOLT 9 feature vectors peers
// exchange in init.
//
// It owns, in layers:
//
//   - Fundamental types (Point, Sig, ChannelID, ShortChannelID, amounts) and
//     Reader, a bounded cursor over one message body: every length read from
//     a peer is checked against the bytes that remain before anything is
//     allocated, so a message can never make us allocate more than its own
//     size.
//   - TLV streams through github.com/lightningnetwork/lnd/tlv, wrapped so
//     that unknown even records are rejected, unknown odd records are kept
//     (TLVRecords) and written back unchanged, and no record length is
//     trusted before it is checked.
//   - Message, ReadMessage and WriteMessage: one file per message, dispatched
//     by the 2-byte type through a single table (registry.go). Adding a
//     message is its file plus one line in that table.
//   - FeatureVector and Negotiate: the BOLT 9 bits, their dependencies and
//     the init-time agreement between two nodes.
//   - BOLT 7 gossip: channel_announcement, node_announcement and
//     channel_update (Signed: a decoded one re-encodes byte for byte, padded
//     features, unknown address descriptors and unknown TLV records
//     included, and SignedData gives the bytes its signatures cover),
//     announcement_signatures, and the query messages with their
//     `encoded_` arrays, of which only the uncompressed encoding is
//     accepted (the retired zlib one is refused, never inflated).
//
// Every decode failure means the same thing to the caller: BOLT 1 says a
// node receiving a known message that is too short, or with an invalid
// extension, or an unknown even message type (ErrUnknownEven), MUST close
// the connection (and MAY fail the channels). An unknown odd type is not an
// error: ReadMessage returns it as *Unknown for the caller to ignore.
//
// It does not own: the transport that frames messages (node/noise), what a
// message means for a channel (node/channel) or a connection (node/peer),
// or whether gossip is true: verifying signatures, timestamps, ordering
// and funding outputs is node/graph's. It does no I/O and runs unchanged
// under GOOS=js.
package lnwire
