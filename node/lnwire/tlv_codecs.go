package lnwire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/lightningnetwork/lnd/tlv"
)

// valueCodec is how one Go type is written as, and read from, a TLV value.
// decode gets exactly the record's value bytes, already bounded by the
// stream scan; fixed, when non-zero, is the only length it accepts.
//
// BOLT 1: if `length` is not exactly equal to that required for the known
// encoding for `type`: MUST fail to parse the `tlv_stream`.
type valueCodec[T any] struct {
	fixed  uint64
	size   func(T) uint64
	encode func(w io.Writer, v T) error
	decode func(b []byte) (T, error)
}

// optField binds an Optional message field to its record type and codec,
// giving the lnd/tlv record that encodes it when present and fills it (and
// marks it present) when the stream holds it.
func optField[T any](typ tlv.Type, o *Optional[T], c valueCodec[T]) tlvField {
	size := func() uint64 {
		if c.fixed != 0 {
			return c.fixed
		}
		return c.size(o.Value)
	}
	enc := func(w io.Writer, _ interface{}, _ *[8]byte) error {
		return c.encode(w, o.Value)
	}
	dec := func(r io.Reader, _ interface{}, _ *[8]byte, l uint64) error {
		b, err := readValue(r, l, c.fixed)
		if err == nil {
			o.Value, err = c.decode(b)
		}
		if err != nil {
			return fmt.Errorf("tlv type %d: %w", typ, err)
		}
		o.Present = true
		return nil
	}
	return tlvField{
		record: tlv.MakeDynamicRecord(typ, o, size, enc, dec),
		isSet:  o.Present,
		reset:  func() { *o = Optional[T]{} },
	}
}

// readValue reads a record's l value bytes. The stream scan has already
// checked l against the bytes left; the MaxMessageSize cap keeps this safe
// even if a record is decoded on its own.
func readValue(r io.Reader, l, fixed uint64) ([]byte, error) {
	if fixed != 0 && l != fixed {
		return nil, fmt.Errorf("length %d, want %d", l, fixed)
	}
	if l > MaxMessageSize {
		return nil, fmt.Errorf("length %d exceeds a message", l)
	}
	b := make([]byte, l)
	if _, err := io.ReadFull(r, b); err != nil {
		return nil, err
	}
	return b, nil
}

func writeAll(w io.Writer, b []byte) error {
	_, err := w.Write(b)
	return err
}

// bytesCodec is `...*byte`: the value is the whole record. Empty decodes to
// nil, as Reader.Bytes does.
var bytesCodec = valueCodec[[]byte]{
	size:   func(v []byte) uint64 { return uint64(len(v)) },
	encode: writeAll,
	decode: func(b []byte) ([]byte, error) { return cloneBytes(b), nil },
}

// pointCodec is a `point`, checked to be on the curve.
var pointCodec = valueCodec[Point]{
	fixed:  PointSize,
	encode: func(w io.Writer, p Point) error { return writeAll(w, p[:]) },
	decode: ParsePoint,
}

// scidCodec is a `short_channel_id`.
var scidCodec = valueCodec[ShortChannelID]{
	fixed: 8,
	encode: func(w io.Writer, s ShortChannelID) error {
		return writeAll(w, binary.BigEndian.AppendUint64(nil, uint64(s)))
	},
	decode: func(b []byte) (ShortChannelID, error) {
		return ShortChannelID(binary.BigEndian.Uint64(b)), nil
	},
}

// hashCodec is a `sha256` or txid, in wire order.
var hashCodec = valueCodec[chainhash.Hash]{
	fixed:  chainhash.HashSize,
	encode: func(w io.Writer, h chainhash.Hash) error { return writeAll(w, h[:]) },
	decode: func(b []byte) (chainhash.Hash, error) { return chainhash.Hash(b), nil },
}

// featuresCodec is a feature bitmap filling the record (channel_type).
var featuresCodec = valueCodec[FeatureVector]{
	size:   func(f FeatureVector) uint64 { return uint64(f.EncodedLen()) },
	encode: func(w io.Writer, f FeatureVector) error { return writeAll(w, f.Encode()) },
	decode: func(b []byte) (FeatureVector, error) { return DecodeFeatureVector(b), nil },
}

// chainsCodec is `...*chain_hash`: any number of 32-byte hashes.
var chainsCodec = valueCodec[[]chainhash.Hash]{
	size: func(v []chainhash.Hash) uint64 { return uint64(len(v) * chainhash.HashSize) },
	encode: func(w io.Writer, v []chainhash.Hash) error {
		var b bytes.Buffer
		for _, h := range v {
			b.Write(h[:])
		}
		return writeAll(w, b.Bytes())
	},
	decode: func(b []byte) ([]chainhash.Hash, error) {
		if len(b)%chainhash.HashSize != 0 {
			return nil, fmt.Errorf("%d bytes is not a whole number of chain hashes", len(b))
		}
		if len(b) == 0 {
			return nil, nil
		}
		v := make([]chainhash.Hash, len(b)/chainhash.HashSize)
		for i := range v {
			v[i] = chainhash.Hash(b[i*chainhash.HashSize:])
		}
		return v, nil
	},
}

// u16Codec is a fixed `u16`.
var u16Codec = valueCodec[uint16]{
	fixed: 2,
	encode: func(w io.Writer, v uint16) error {
		return writeAll(w, binary.BigEndian.AppendUint16(nil, v))
	},
	decode: func(b []byte) (uint16, error) { return binary.BigEndian.Uint16(b), nil },
}

// tu64Codec is a `tu64`, through lnd/tlv's truncated-integer codec, which
// rejects a value with leading zero bytes.
//
// BOLT 1: For the final value in TLV records, truncated integers may be
// used. Leading zeros in truncated integers MUST be omitted.
var tu64Codec = valueCodec[uint64]{
	size: tlv.SizeTUint64,
	encode: func(w io.Writer, v uint64) error {
		var buf [8]byte
		return tlv.ETUint64T(w, v, &buf)
	},
	decode: func(b []byte) (uint64, error) {
		var v uint64
		var buf [8]byte
		err := tlv.DTUint64(bytes.NewReader(b), &v, &buf, uint64(len(b)))
		return v, err
	},
}

// tu32Codec is a `tu32`, like tu64Codec.
var tu32Codec = valueCodec[uint32]{
	size: tlv.SizeTUint32,
	encode: func(w io.Writer, v uint32) error {
		var buf [8]byte
		return tlv.ETUint32T(w, v, &buf)
	},
	decode: func(b []byte) (uint32, error) {
		var v uint32
		var buf [8]byte
		err := tlv.DTUint32(bytes.NewReader(b), &v, &buf, uint64(len(b)))
		return v, err
	},
}
