package lnwire

import (
	"errors"
	"io"

	"github.com/lightningnetwork/lnd/tlv"
)

// ErrBigSizeNotCanonical is returned for a BigSize that could have been
// encoded in fewer bytes. Its text is the one BOLT 1 Appendix A expects.
//
// BOLT 1: All values decoded with BigSize should be checked to ensure they
// are minimally encoded.
var ErrBigSizeNotCanonical = errors.New("decoded bigsize is not canonical")

// ReadBigSize reads one BigSize (lnd/tlv's varint). It returns io.EOF only
// when r was empty, so a caller can tell "no more records" from a record
// cut short (io.ErrUnexpectedEOF).
func ReadBigSize(r io.Reader) (uint64, error) {
	var buf [8]byte
	v, err := tlv.ReadVarInt(r, &buf)
	if errors.Is(err, tlv.ErrVarIntNotCanonical) {
		return 0, ErrBigSizeNotCanonical
	}
	return v, err
}

// WriteBigSize writes v in the fewest bytes BigSize allows.
func WriteBigSize(w io.Writer, v uint64) error {
	var buf [8]byte
	return tlv.WriteVarInt(w, v, &buf)
}

// BigSizeLen is the number of bytes WriteBigSize uses for v.
func BigSizeLen(v uint64) int { return int(tlv.VarIntSize(v)) }
