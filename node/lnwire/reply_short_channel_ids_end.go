package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgReplyShortChannelIDsEnd is the type of reply_short_channel_ids_end.
const MsgReplyShortChannelIDsEnd MessageType = 262

// ReplyShortChannelIDsEnd ends the answer to a query_short_channel_ids.
type ReplyShortChannelIDsEnd struct {
	ChainHash chainhash.Hash
	// FullInformation (full_information, once `complete`) is false when
	// the peer does not keep up-to-date channel information for the chain,
	// a hint to ask elsewhere. Any non-zero byte reads as true.
	//
	// BOLT 7: if does not maintain up-to-date channel information for
	// `chain_hash`: MUST set `full_information` to 0. otherwise: SHOULD set
	// `full_information` to 1.
	FullInformation bool
	Extra           TLVRecords
}

var _ Message = (*ReplyShortChannelIDsEnd)(nil)

// Type is MsgReplyShortChannelIDsEnd.
func (m *ReplyShortChannelIDsEnd) Type() MessageType { return MsgReplyShortChannelIDsEnd }

// Encode writes chain_hash and full_information.
func (m *ReplyShortChannelIDsEnd) Encode(w *bytes.Buffer) error {
	w.Write(m.ChainHash[:])
	w.WriteByte(boolByte(m.FullInformation))
	return encodeTLVStream(w, m.Extra)
}

// Decode reads reply_short_channel_ids_end.
func (m *ReplyShortChannelIDsEnd) Decode(r *Reader) (err error) {
	m.ChainHash = r.Hash("chain_hash")
	m.FullInformation = r.Byte("full_information") != 0
	m.Extra, err = r.Extension()
	return err
}

// boolByte is a BOLT `byte` used as a boolean.
func boolByte(b bool) byte {
	if b {
		return 1
	}
	return 0
}
