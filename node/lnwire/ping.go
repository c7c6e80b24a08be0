package lnwire

import "bytes"

// MsgPing is the type of ping.
const MsgPing MessageType = 18

// MaxPongBytes is the largest pong body a ping may ask for; a larger
// num_pong_bytes asks for no pong at all.
//
// BOLT 1: The largest possible message is 65535 bytes; thus, the maximum
// sensible `byteslen` is 65531 — in order to account for the type field
// (`pong`) and the `byteslen` itself.
const MaxPongBytes = 65531

// Ping keeps a connection alive and asks for a pong of a given size.
type Ping struct {
	NumPongBytes uint16
	// Ignored is padding; BOLT 1 says SHOULD be zeros and MUST NOT hold
	// secrets or uninitialized memory.
	Ignored []byte
	Extra   TLVRecords
}

var _ Message = (*Ping)(nil)

// Type is MsgPing.
func (m *Ping) Type() MessageType { return MsgPing }

// WantsPong reports whether the receiver must answer.
//
// BOLT 1, a node receiving a `ping` message: if `num_pong_bytes` is less
// than 65532: MUST respond by sending a `pong` message, with `byteslen`
// equal to `num_pong_bytes`. otherwise (`num_pong_bytes` is **not** less
// than 65532): MUST ignore the `ping`.
func (m *Ping) WantsPong() bool { return m.NumPongBytes <= MaxPongBytes }

// Pong is the reply the ping asks for, NumPongBytes zero bytes, or nil when
// it asks for none.
//
// BOLT 1, a node sending a `pong` message: SHOULD set `ignored` to 0s.
func (m *Ping) Pong() *Pong {
	if !m.WantsPong() {
		return nil
	}
	return &Pong{Ignored: make([]byte, m.NumPongBytes)}
}

// Encode writes num_pong_bytes, byteslen and ignored.
func (m *Ping) Encode(w *bytes.Buffer) error {
	putU16(w, m.NumPongBytes)
	if err := putVarBytes(w, "ignored", m.Ignored); err != nil {
		return err
	}
	return encodeTLVStream(w, m.Extra)
}

// Decode reads num_pong_bytes, byteslen and ignored.
func (m *Ping) Decode(r *Reader) (err error) {
	m.NumPongBytes = r.U16("num_pong_bytes")
	m.Ignored = r.VarBytes("ignored")
	m.Extra, err = r.Extension()
	return err
}
