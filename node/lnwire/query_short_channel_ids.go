package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgQueryShortChannelIDs is the type of query_short_channel_ids.
const MsgQueryShortChannelIDs MessageType = 261

// QueryShortChannelIDs asks a peer for the announcements and updates of
// particular channels; it answers them, then reply_short_channel_ids_end.
type QueryShortChannelIDs struct {
	ChainHash chainhash.Hash
	// ShortChannelIDs are the channels asked about (encoded_short_ids,
	// always written uncompressed).
	ShortChannelIDs []ShortChannelID
	// QueryFlags (type 1, query_flags) say what to send for each id, one
	// flag per id; without them the peer sends everything.
	QueryFlags Optional[[]QueryFlag]
	Extra      TLVRecords
}

var _ Message = (*QueryShortChannelIDs)(nil)

// Type is MsgQueryShortChannelIDs.
func (m *QueryShortChannelIDs) Type() MessageType { return MsgQueryShortChannelIDs }

func (m *QueryShortChannelIDs) tlvs() []tlvField {
	return []tlvField{optField(1, &m.QueryFlags, queryFlagsCodec)}
}

// Encode writes chain_hash, len, encoded_short_ids and
// query_short_channel_ids_tlvs, refusing flags that do not match the ids
// one for one (Decode would refuse them).
func (m *QueryShortChannelIDs) Encode(w *bytes.Buffer) error {
	if m.QueryFlags.Present && len(m.QueryFlags.Value) != len(m.ShortChannelIDs) {
		return countError("query_flags", len(m.QueryFlags.Value), len(m.ShortChannelIDs))
	}
	w.Write(m.ChainHash[:])
	if err := putEncodedSCIDs(w, "encoded_short_ids", m.ShortChannelIDs); err != nil {
		return err
	}
	return encodeTLVStream(w, m.Extra, m.tlvs()...)
}

// Decode reads query_short_channel_ids. Both arrays must be uncompressed
// (encoding 0), and the flags, when present, one per id.
//
// BOLT 7, the receiver: if the incoming message includes
// `query_short_channel_ids_tlvs`: if `encoding_type` is not a known
// encoding type: MAY send a `warning`. MAY close the connection. if
// `encoded_query_flags` does not decode to exactly one flag per
// `short_channel_id`: MAY send a `warning`. MAY close the connection.
func (m *QueryShortChannelIDs) Decode(r *Reader) (err error) {
	m.ChainHash = r.Hash("chain_hash")
	m.ShortChannelIDs = r.encodedSCIDs("encoded_short_ids")
	if m.Extra, err = r.Extension(m.tlvs()...); err != nil {
		return err
	}
	if m.QueryFlags.Present && len(m.QueryFlags.Value) != len(m.ShortChannelIDs) {
		return countError("query_flags", len(m.QueryFlags.Value), len(m.ShortChannelIDs))
	}
	return nil
}
