package lnwire

import "bytes"

// Unknown is a message of an odd type this package does not know, returned
// by ReadMessage so the caller can see and then ignore it. MsgType is its
// type (a field cannot share the Type method's name); Payload is the body.
type Unknown struct {
	MsgType MessageType
	Payload []byte
}

var _ Message = (*Unknown)(nil)

// Type is the type the message arrived with.
func (m *Unknown) Type() MessageType { return m.MsgType }

// Encode writes the body back unchanged.
func (m *Unknown) Encode(w *bytes.Buffer) error {
	w.Write(m.Payload)
	return nil
}

// Decode keeps the whole body: nothing in it can be interpreted.
func (m *Unknown) Decode(r *Reader) error {
	m.Payload = cloneBytes(r.rest())
	return r.Err()
}
