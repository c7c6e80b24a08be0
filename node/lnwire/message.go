package lnwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// MaxMessageSize is the largest Lightning message, type included.
//
// BOLT 1: The size of the message is required by the transport layer to fit
// into a 2-byte unsigned int; therefore, the maximum possible size is 65535
// bytes.
const MaxMessageSize = 65535

// MessageType is the 2-byte type that starts every message. Its parity
// follows the "it's ok to be odd" rule: an unknown odd type may be ignored,
// an unknown even type may not.
type MessageType uint16

// IsOdd reports whether a receiver that does not know the type may ignore
// the message.
func (t MessageType) IsOdd() bool { return t%2 == 1 }

// String names the type as BOLT does ("open_channel"), or "unknown_N".
func (t MessageType) String() string {
	if info, ok := registry[t]; ok {
		return info.name
	}
	return fmt.Sprintf("unknown_%d", uint16(t))
}

// Message is one Lightning message. Encode and Decode handle the body only,
// without the 2-byte type, which ReadMessage and WriteMessage own; the body
// includes the TLV extension, so messages signed over their bytes (BOLT 7)
// re-encode exactly what was received.
type Message interface {
	// Type is the message's BOLT type number.
	Type() MessageType
	// Encode appends the body to w.
	Encode(w *bytes.Buffer) error
	// Decode parses the body from r, which holds exactly the body.
	Decode(r *Reader) error
}

// ErrMessageTooLarge is returned for a message longer than MaxMessageSize,
// whether we are asked to write it or handed it to read.
var ErrMessageTooLarge = errors.New("lnwire: message exceeds 65535 bytes")

// ErrUnknownEven is returned by ReadMessage for an even message type this
// package does not know.
//
// BOLT 1: upon receiving a message of _even_, unknown type: MUST close the
// connection. MAY fail the channels.
type ErrUnknownEven struct {
	Type MessageType
}

func (e *ErrUnknownEven) Error() string {
	return fmt.Sprintf("lnwire: unknown even message type %d: the connection must be closed", uint16(e.Type))
}

// ReadMessage decodes one whole message (type and body) as the transport
// delivered it. The result never aliases payload.
//
// BOLT 1: upon receiving a message of _odd_, unknown type: MUST ignore the
// received message. So an unknown odd type comes back as *Unknown and a nil
// error; an unknown even one as *ErrUnknownEven.
func ReadMessage(payload []byte) (Message, error) {
	if len(payload) > MaxMessageSize {
		return nil, fmt.Errorf("%w: got %d", ErrMessageTooLarge, len(payload))
	}
	if len(payload) < 2 {
		return nil, fmt.Errorf("lnwire: message of %d bytes has no type: %w",
			len(payload), io.ErrUnexpectedEOF)
	}
	t := MessageType(binary.BigEndian.Uint16(payload))
	info, ok := registry[t]
	if !ok {
		if !t.IsOdd() {
			return nil, &ErrUnknownEven{Type: t}
		}
		return &Unknown{MsgType: t, Payload: cloneBytes(payload[2:])}, nil
	}
	m := info.new()
	if err := m.Decode(NewReader(payload[2:])); err != nil {
		return nil, fmt.Errorf("lnwire: %s: %w", info.name, err)
	}
	return m, nil
}

// WriteMessage encodes m with its type, refusing anything the transport
// could not carry.
func WriteMessage(m Message) ([]byte, error) {
	if m == nil {
		return nil, errors.New("lnwire: cannot write a nil message")
	}
	var w bytes.Buffer
	var typ [2]byte
	binary.BigEndian.PutUint16(typ[:], uint16(m.Type()))
	w.Write(typ[:])
	if err := m.Encode(&w); err != nil {
		return nil, fmt.Errorf("lnwire: encode %s: %w", m.Type(), err)
	}
	if w.Len() > MaxMessageSize {
		return nil, fmt.Errorf("%w: %s is %d bytes", ErrMessageTooLarge, m.Type(), w.Len())
	}
	return w.Bytes(), nil
}

// cloneBytes copies b so a decoded message never aliases the caller's
// buffer; an empty b gives nil so that equal messages compare equal.
func cloneBytes(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return append([]byte(nil), b...)
}
