package lnwire

import (
	"fmt"
)

// ShortChannelID locates a channel's funding output on chain: block height
// (3 bytes), transaction index in the block (3 bytes), output index (2
// bytes), packed big-endian into 8 bytes. It is kept as the packed uint64 so
// that every wire value round-trips, and gives its parts through methods.
//
// BOLT 7: the `short_channel_id` is the unique description of the funding
// transaction. It is constructed as follows: 1. the most significant 3
// bytes: indicating the block height 2. the next 3 bytes: indicating the
// transaction index within the block 3. the least significant 2 bytes:
// indicating the output index that pays to the channel.
type ShortChannelID uint64

// maxU24 bounds the block height and transaction index.
const maxU24 = 1<<24 - 1

// NewShortChannelID packs the three parts, refusing parts that would not
// fit their 3 bytes instead of silently wrapping them.
func NewShortChannelID(block, tx uint32, output uint16) (ShortChannelID, error) {
	if block > maxU24 || tx > maxU24 {
		return 0, fmt.Errorf("short_channel_id: block %d or tx index %d exceeds 3 bytes", block, tx)
	}
	return ShortChannelID(uint64(block)<<40 | uint64(tx)<<16 | uint64(output)), nil
}

// BlockHeight is the height of the block holding the funding transaction.
func (s ShortChannelID) BlockHeight() uint32 { return uint32(s >> 40) }

// TxIndex is the funding transaction's position in its block.
func (s ShortChannelID) TxIndex() uint32 { return uint32(s>>16) & maxU24 }

// OutputIndex is the funding output's index in the transaction.
func (s ShortChannelID) OutputIndex() uint16 { return uint16(s) }

// String is the human-readable form BOLT 7 uses, block x tx x output
// ("539268x845x1").
func (s ShortChannelID) String() string {
	return fmt.Sprintf("%dx%dx%d", s.BlockHeight(), s.TxIndex(), s.OutputIndex())
}

// SCID reads a short_channel_id.
func (r *Reader) SCID(field string) ShortChannelID {
	return ShortChannelID(r.U64(field))
}
