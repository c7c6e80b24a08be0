package lnwire

import (
	"bytes"
	"fmt"
	"strings"
)

// MsgError is the type of error.
const MsgError MessageType = 17

// Error tells the peer that a channel (or, with a zero ChannelID, every
// channel) has failed.
//
// BOLT 1, the receiving node: upon receiving `error`: if `channel_id` is all
// zero: MUST fail all channels with the sending node. otherwise: MUST fail
// the channel referred to by `channel_id`, if that channel is with the
// sending node.
type Error struct {
	ChannelID ChannelID
	Data      []byte
	Extra     TLVRecords
}

var _ Message = (*Error)(nil)

// Type is MsgError.
func (m *Error) Type() MessageType { return MsgError }

// Encode writes channel_id, len and data.
func (m *Error) Encode(w *bytes.Buffer) error {
	return encodeChannelText(w, m.ChannelID, m.Data, m.Extra)
}

// Decode reads channel_id, len and data.
func (m *Error) Decode(r *Reader) (err error) {
	m.ChannelID, m.Data, m.Extra, err = decodeChannelText(r)
	return err
}

// String renders the error for a person, never printing peer bytes
// verbatim unless they are printable ASCII.
func (m *Error) String() string {
	return "error " + describeChannelText(m.ChannelID, m.Data)
}

// encodeChannelText and decodeChannelText are the shared layout of error
// and warning: channel_id, u16 len, len*byte data.
func encodeChannelText(w *bytes.Buffer, id ChannelID, data []byte, extra TLVRecords) error {
	w.Write(id[:])
	if err := putVarBytes(w, "data", data); err != nil {
		return err
	}
	return encodeTLVStream(w, extra)
}

func decodeChannelText(r *Reader) (ChannelID, []byte, TLVRecords, error) {
	id := r.ChannelID("channel_id")
	data := r.VarBytes("data")
	extra, err := r.Extension()
	return id, data, extra, err
}

// maxShownData caps how much of a peer's text a log line repeats.
const maxShownData = 512

// describeChannelText renders "for channel <id>: <data>" (or "for all
// channels").
//
// BOLT 1: if `data` is not composed solely of printable ASCII characters
// (For reference: the printable character set includes byte values 32
// through 126, inclusive): SHOULD NOT print out `data` verbatim.
func describeChannelText(id ChannelID, data []byte) string {
	target := "for all channels"
	if !id.IsZero() {
		target = "for channel " + id.String()
	}
	return target + ": " + PrintableData(data)
}

// PrintableData renders peer-supplied bytes safely: printable ASCII as is,
// anything else as \xNN (and a backslash as \\, so the output is
// unambiguous), cut after maxShownData bytes.
func PrintableData(data []byte) string {
	shown := data
	if len(shown) > maxShownData {
		shown = shown[:maxShownData]
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, c := range shown {
		switch {
		case c == '\\' || c == '"':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c >= 32 && c <= 126:
			b.WriteByte(c)
		default:
			fmt.Fprintf(&b, "\\x%02x", c)
		}
	}
	b.WriteByte('"')
	if len(data) > len(shown) {
		fmt.Fprintf(&b, " (%d more bytes)", len(data)-len(shown))
	}
	return b.String()
}
