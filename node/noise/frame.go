package noise

import (
	"encoding/binary"
	"fmt"
)

// Sizes of the BOLT 8 message framing: "2 + 16 + 65535 + 16 = 65569 bytes".
const (
	// MaxMessageSize is the largest Lightning message: "The maximum size of
	// any Lightning message MUST NOT exceed 65535 bytes."
	MaxMessageSize = 65535
	// MACSize is the size of a Poly1305 tag.
	MACSize = 16
	// HeaderSize is the encrypted 2-byte length prefix plus its tag.
	HeaderSize = 2 + MACSize
	// MaxBodySize is the largest encrypted message body, tag included; no
	// decoder here allocates more than this for one frame.
	MaxBodySize = MaxMessageSize + MACSize
	// MaxFrameSize is the largest frame on the wire.
	MaxFrameSize = HeaderSize + MaxBodySize
)

// EncryptFrame appends the frame carrying msg to dst: the encrypted length
// (HeaderSize bytes), then the encrypted msg and its tag. It uses two nonces
// of send. A msg over MaxMessageSize yields ErrMessageTooLarge and leaves
// send untouched.
func EncryptFrame(dst []byte, send *Cipher, msg []byte) ([]byte, error) {
	if len(msg) > MaxMessageSize {
		return dst, fmt.Errorf("%w: %d bytes", ErrMessageTooLarge, len(msg))
	}
	// BOLT 8: "Serialize l into 2 bytes encoded as a big-endian integer",
	// encrypt it, then "encrypt the message itself (m) using the same
	// procedure"; the nonce is incremented after each.
	var l [2]byte
	binary.BigEndian.PutUint16(l[:], uint16(len(msg)))
	dst = send.seal(dst, l[:])
	return send.seal(dst, msg), nil
}

// DecryptHeader decrypts a frame's HeaderSize-byte length prefix and returns
// how many body bytes follow it: the message length plus MACSize, so never
// more than MaxBodySize. Reading the body is the caller's business; it then
// passes the body to DecryptBody.
func DecryptHeader(recv *Cipher, header []byte) (bodySize int, err error) {
	if len(header) != HeaderSize {
		return 0, fmt.Errorf("%w: header is %d bytes, want %d", ErrBadFrame, len(header), HeaderSize)
	}
	var l [2]byte
	p, err := recv.open(l[:0], header)
	if err != nil {
		return 0, fmt.Errorf("%w: header MAC check failed", ErrBadFrame)
	}
	return int(binary.BigEndian.Uint16(p)) + MACSize, nil
}

// DecryptBody decrypts a frame body (message plus tag) in place and returns
// the message, which shares body's memory. body must be the size
// DecryptHeader returned.
func DecryptBody(recv *Cipher, body []byte) ([]byte, error) {
	if len(body) < MACSize || len(body) > MaxBodySize {
		return nil, fmt.Errorf("%w: body is %d bytes, want %d to %d", ErrBadFrame, len(body), MACSize, MaxBodySize)
	}
	msg, err := recv.open(body[:0], body)
	if err != nil {
		return nil, fmt.Errorf("%w: body MAC check failed", ErrBadFrame)
	}
	return msg, nil
}
