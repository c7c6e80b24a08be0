package lnwire

import "bytes"

// MsgPong is the type of pong.
const MsgPong MessageType = 19

// Pong answers a ping with the number of bytes it asked for.
//
// BOLT 1, a node receiving a `pong` message: if `byteslen` does not
// correspond to any `ping`'s `num_pong_bytes` value it has sent: MAY close
// the connection.
type Pong struct {
	Ignored []byte
	Extra   TLVRecords
}

var _ Message = (*Pong)(nil)

// Type is MsgPong.
func (m *Pong) Type() MessageType { return MsgPong }

// Encode writes byteslen and ignored.
func (m *Pong) Encode(w *bytes.Buffer) error {
	if err := putVarBytes(w, "ignored", m.Ignored); err != nil {
		return err
	}
	return encodeTLVStream(w, m.Extra)
}

// Decode reads byteslen and ignored.
func (m *Pong) Decode(r *Reader) (err error) {
	m.Ignored = r.VarBytes("ignored")
	m.Extra, err = r.Extension()
	return err
}
