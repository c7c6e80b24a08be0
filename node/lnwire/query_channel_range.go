package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgQueryChannelRange is the type of query_channel_range.
const MsgQueryChannelRange MessageType = 263

// QueryOption is query_channel_range's query_option_flags.
type QueryOption uint64

// The query_option_flags bits: what to append to each reply.
const (
	QueryOptionTimestamps QueryOption = 1 << 0
	QueryOptionChecksums  QueryOption = 1 << 1
)

// QueryChannelRange asks a peer for the short_channel_ids of the channels
// funded in a range of blocks; it answers with reply_channel_range
// messages.
type QueryChannelRange struct {
	ChainHash      chainhash.Hash
	FirstBlocknum  uint32
	NumberOfBlocks uint32
	// QueryOption (type 1, query_option) asks for timestamps and/or
	// checksums with the ids, as a minimal BigSize.
	QueryOption Optional[QueryOption]
	Extra       TLVRecords
}

var _ Message = (*QueryChannelRange)(nil)

// Type is MsgQueryChannelRange.
func (m *QueryChannelRange) Type() MessageType { return MsgQueryChannelRange }

// EndBlock is first_blocknum + number_of_blocks, computed without the u32
// overflow a peer could otherwise cause: the replies are complete once they
// reach it.
func (m *QueryChannelRange) EndBlock() uint64 {
	return uint64(m.FirstBlocknum) + uint64(m.NumberOfBlocks)
}

func (m *QueryChannelRange) tlvs() []tlvField {
	return []tlvField{optField(1, &m.QueryOption, bigSizeCodec[QueryOption]())}
}

// Encode writes chain_hash, first_blocknum, number_of_blocks and
// query_channel_range_tlvs.
func (m *QueryChannelRange) Encode(w *bytes.Buffer) error {
	w.Write(m.ChainHash[:])
	putU32(w, m.FirstBlocknum)
	putU32(w, m.NumberOfBlocks)
	return encodeTLVStream(w, m.Extra, m.tlvs()...)
}

// Decode reads query_channel_range. A zero number_of_blocks, which the
// sender must not use, is left for the graph to answer.
func (m *QueryChannelRange) Decode(r *Reader) (err error) {
	m.ChainHash = r.Hash("chain_hash")
	m.FirstBlocknum = r.U32("first_blocknum")
	m.NumberOfBlocks = r.U32("number_of_blocks")
	m.Extra, err = r.Extension(m.tlvs()...)
	return err
}
