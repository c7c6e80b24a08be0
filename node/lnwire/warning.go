package lnwire

import "bytes"

// MsgWarning is the type of warning.
const MsgWarning MessageType = 1

// Warning reports a problem without failing any channel.
//
// BOLT 1, the receiving node: upon receiving `warning`: SHOULD log the
// message for later diagnosis. MAY attempt `shutdown` if permitted at this
// point.
type Warning struct {
	ChannelID ChannelID
	Data      []byte
	Extra     TLVRecords
}

var _ Message = (*Warning)(nil)

// Type is MsgWarning.
func (m *Warning) Type() MessageType { return MsgWarning }

// Encode writes channel_id, len and data.
func (m *Warning) Encode(w *bytes.Buffer) error {
	return encodeChannelText(w, m.ChannelID, m.Data, m.Extra)
}

// Decode reads channel_id, len and data.
func (m *Warning) Decode(r *Reader) (err error) {
	m.ChannelID, m.Data, m.Extra, err = decodeChannelText(r)
	return err
}

// String renders the warning for a person, like Error.String.
func (m *Warning) String() string {
	return "warning " + describeChannelText(m.ChannelID, m.Data)
}
