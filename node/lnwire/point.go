package lnwire

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
)

// PointSize is the length of a compressed secp256k1 point.
const PointSize = 33

// ErrInvalidPoint is wrapped by every failure to read a point.
var ErrInvalidPoint = errors.New("not a valid compressed secp256k1 point")

// Point is a 33-byte compressed public key as it travels on the wire. It is
// kept as bytes (not *btcec.PublicKey) so messages compare with == and
// re-encode exactly; Reader.Point has already checked it is on the curve.
//
// BOLT 1: `point`: a 33-byte Elliptic Curve point (compressed encoding as
// per SEC 1 standard).
type Point [PointSize]byte

// NewPoint returns the compressed encoding of pk.
func NewPoint(pk *btcec.PublicKey) Point {
	var p Point
	copy(p[:], pk.SerializeCompressed())
	return p
}

// ParsePoint checks b is a valid compressed point and returns it.
func ParsePoint(b []byte) (Point, error) {
	var p Point
	if len(b) != PointSize {
		return p, fmt.Errorf("%w: %d bytes", ErrInvalidPoint, len(b))
	}
	copy(p[:], b)
	if _, err := p.PubKey(); err != nil {
		return Point{}, err
	}
	return p, nil
}

// PubKey parses the point for use in cryptography.
func (p Point) PubKey() (*btcec.PublicKey, error) {
	// btcec also accepts 65-byte forms; only 0x02/0x03 are compressed.
	if p[0] != 0x02 && p[0] != 0x03 {
		return nil, fmt.Errorf("%w: prefix 0x%02x", ErrInvalidPoint, p[0])
	}
	pk, err := btcec.ParsePubKey(p[:])
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPoint, err)
	}
	return pk, nil
}

// String is the hex form used by every Lightning tool.
func (p Point) String() string { return hex.EncodeToString(p[:]) }

// Point reads a point and checks it is on the curve.
//
// BOLT 2 (open_channel): The receiving node MUST fail the channel if:
// `funding_pubkey`, `revocation_basepoint`, `htlc_basepoint`,
// `payment_basepoint`, or `delayed_payment_basepoint` are not valid
// secp256k1 pubkeys in compressed format.
func (r *Reader) Point(field string) Point {
	var p Point
	r.Fixed(field, p[:])
	if r.err != nil {
		return Point{}
	}
	if _, err := p.PubKey(); err != nil {
		r.Fail(field, err)
		return Point{}
	}
	return p
}
