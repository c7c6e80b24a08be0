package lnwire

import (
	"encoding/binary"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// FieldError names the field of a message that failed to decode, so a
// warning sent back to the peer (or a log line) says what was wrong.
type FieldError struct {
	Field string
	Err   error
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Err.Error() }

func (e *FieldError) Unwrap() error { return e.Err }

// Reader is a bounded cursor over one message body. Every read checks the
// bytes that remain before it copies or allocates anything, so no length a
// peer writes can make us allocate more than the body already holds.
//
// The first failure sticks: later reads return zero values and Err reports
// the first error, wrapped in a FieldError. That keeps each Decode a flat
// list of fields in BOLT order with one error check at the end.
type Reader struct {
	buf []byte
	off int
	err error
}

// NewReader returns a Reader over b. It does not copy b; values it returns
// are copies, so they outlive b.
func NewReader(b []byte) *Reader { return &Reader{buf: b} }

// Err is the first error any read met, or nil.
func (r *Reader) Err() error { return r.err }

// Len is the number of bytes not yet read.
func (r *Reader) Len() int { return len(r.buf) - r.off }

// Fail records err against field unless an earlier error is already held;
// decoders use it for checks beyond the byte layout (an invalid point).
func (r *Reader) Fail(field string, err error) {
	if r.err == nil {
		r.err = &FieldError{Field: field, Err: err}
	}
}

// next returns the following n bytes without copying, or nil (and a sticky
// error) when fewer remain.
func (r *Reader) next(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > r.Len() {
		r.Fail(field, fmt.Errorf("need %d bytes, %d left: %w", n, r.Len(), io.ErrUnexpectedEOF))
		return nil
	}
	b := r.buf[r.off : r.off+n]
	r.off += n
	return b
}

// Byte reads one byte.
func (r *Reader) Byte(field string) byte {
	if b := r.next(field, 1); b != nil {
		return b[0]
	}
	return 0
}

// U16 reads a big-endian u16.
func (r *Reader) U16(field string) uint16 {
	if b := r.next(field, 2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

// U32 reads a big-endian u32.
func (r *Reader) U32(field string) uint32 {
	if b := r.next(field, 4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

// U64 reads a big-endian u64.
func (r *Reader) U64(field string) uint64 {
	if b := r.next(field, 8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// Fixed fills dst entirely, for fixed-size arrays (hashes, the onion).
func (r *Reader) Fixed(field string, dst []byte) {
	if b := r.next(field, len(dst)); b != nil {
		copy(dst, b)
	}
}

// Bytes32 reads a 32-byte value: a sha256, a preimage, a secret.
func (r *Reader) Bytes32(field string) [32]byte {
	var v [32]byte
	r.Fixed(field, v[:])
	return v
}

// Hash reads a chain_hash or a txid in wire (internal) byte order.
func (r *Reader) Hash(field string) chainhash.Hash {
	return chainhash.Hash(r.Bytes32(field))
}

// Bytes reads n bytes into a fresh slice; n is checked against what remains
// before the slice is made. Zero bytes give nil.
func (r *Reader) Bytes(field string, n int) []byte {
	return cloneBytes(r.next(field, n))
}

// VarBytes reads a u16 length and that many bytes, the `u16:len` +
// `len*byte` pattern of BOLT 1 and 2.
func (r *Reader) VarBytes(field string) []byte {
	n := r.U16(field + " length")
	return r.Bytes(field, int(n))
}

// rest returns every byte not yet read, without copying, and consumes them.
func (r *Reader) rest() []byte {
	if r.err != nil {
		return nil
	}
	return r.next("", r.Len())
}
