package lnwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// The encoding types of the query messages' `encoded_` arrays
// (encoded_short_ids, encoded_query_flags, encoded_timestamps), carried in
// the array's first byte.
//
// BOLT 7: Encoding types: `0`: uncompressed array of `short_channel_id`
// types, in ascending order. `1`: Previously used for zlib compression,
// this encoding MUST NOT be used.
const (
	EncodingUncompressed byte = 0
	// EncodingZlib is refused, not inflated: the spec has retired it,
	// current implementations do not send it, and refusing needs no cap on
	// what a few compressed bytes could inflate to.
	EncodingZlib byte = 1
)

// ErrUnsupportedEncoding is wrapped by the error for an `encoded_` array
// whose encoding type is not EncodingUncompressed.
//
// BOLT 7, the receiver: if the first byte of `encoded_short_ids` is not a
// known encoding type: MAY send a `warning`. MAY close the connection.
var ErrUnsupportedEncoding = errors.New("unsupported encoding type")

// decodeEncoded checks an `encoded_` array's encoding byte and returns the
// uncompressed elements after it, which must be a whole number of size-byte
// items (size 0: any length). The array must have its encoding byte: every
// implementation writes one, even for no elements.
//
// BOLT 7: MUST set the first byte of `encoded_short_ids` to the encoding
// type.
func decodeEncoded(b []byte, size int) ([]byte, error) {
	if len(b) == 0 {
		return nil, errors.New("empty, without its encoding type byte")
	}
	switch b[0] {
	case EncodingUncompressed:
	case EncodingZlib:
		return nil, fmt.Errorf("%w: 1 (zlib), which BOLT 7 says MUST NOT be used", ErrUnsupportedEncoding)
	default:
		return nil, fmt.Errorf("%w: %d", ErrUnsupportedEncoding, b[0])
	}
	if size > 0 && (len(b)-1)%size != 0 {
		return nil, fmt.Errorf("%d bytes are not a whole number of %d-byte items", len(b)-1, size)
	}
	return b[1:], nil
}

// decodeSCIDs parses encoded_short_ids. The count comes from the bytes
// present, so the slice is never larger than the message.
//
// BOLT 7, the receiver: if `encoded_short_ids` does not decode into a
// whole number of `short_channel_id`: MAY send a `warning`. MAY close the
// connection.
func decodeSCIDs(b []byte) ([]ShortChannelID, error) {
	data, err := decodeEncoded(b, 8)
	if err != nil || len(data) == 0 {
		return nil, err
	}
	ids := make([]ShortChannelID, len(data)/8)
	for i := range ids {
		ids[i] = ShortChannelID(binary.BigEndian.Uint64(data[8*i:]))
	}
	return ids, nil
}

// encodeSCIDs writes ids uncompressed, in the order given: BOLT 7 wants
// them ascending, which is the sender's to ensure.
func encodeSCIDs(ids []ShortChannelID) []byte {
	b := make([]byte, 1, 1+8*len(ids))
	b[0] = EncodingUncompressed
	for _, id := range ids {
		b = binary.BigEndian.AppendUint64(b, uint64(id))
	}
	return b
}

// encodedSCIDs reads `u16:len` and `len*byte:encoded_short_ids`.
func (r *Reader) encodedSCIDs(field string) []ShortChannelID {
	raw := r.next(field, int(r.U16(field+" length")))
	if r.err != nil {
		return nil
	}
	ids, err := decodeSCIDs(raw)
	if err != nil {
		r.Fail(field, err)
	}
	return ids
}

// putEncodedSCIDs writes `u16:len` and `len*byte:encoded_short_ids`.
func putEncodedSCIDs(w *bytes.Buffer, field string, ids []ShortChannelID) error {
	return putVarBytes(w, field, encodeSCIDs(ids))
}

// countError is the error for a per-id array (query flags, timestamps,
// checksums) whose length does not match the short_channel_ids.
func countError(field string, n, ids int) error {
	return &FieldError{Field: field, Err: fmt.Errorf("%d entries for %d short_channel_ids", n, ids)}
}

// QueryFlag says what a query_short_channel_ids asks for about one channel.
type QueryFlag uint64

// The query_flags bits.
const (
	QueryChannelAnnouncement QueryFlag = 1 << 0
	QueryChannelUpdate1      QueryFlag = 1 << 1
	QueryChannelUpdate2      QueryFlag = 1 << 2
	QueryNodeAnnouncement1   QueryFlag = 1 << 3
	QueryNodeAnnouncement2   QueryFlag = 1 << 4
)

// queryFlagsCodec is the query_flags record: `encoding_type`, then one
// minimal BigSize per short_channel_id. Each flag takes at least one byte,
// so the slice is never larger than the record.
//
// BOLT 7: Query flags must be minimally encoded, which means that one flag
// will be encoded with a single byte.
var queryFlagsCodec = valueCodec[[]QueryFlag]{
	size: func(v []QueryFlag) uint64 {
		n := uint64(1)
		for _, f := range v {
			n += uint64(BigSizeLen(uint64(f)))
		}
		return n
	},
	encode: func(w io.Writer, v []QueryFlag) error {
		var b bytes.Buffer
		b.WriteByte(EncodingUncompressed)
		for _, f := range v {
			if err := WriteBigSize(&b, uint64(f)); err != nil {
				return err
			}
		}
		return writeAll(w, b.Bytes())
	},
	decode: func(b []byte) ([]QueryFlag, error) {
		data, err := decodeEncoded(b, 0)
		if err != nil {
			return nil, err
		}
		var flags []QueryFlag
		r := bytes.NewReader(data)
		for r.Len() > 0 {
			v, err := ReadBigSize(r)
			if err != nil {
				return nil, fmt.Errorf("query flag %d: %w", len(flags), err)
			}
			flags = append(flags, QueryFlag(v))
		}
		return flags, nil
	},
}

// u32Pair is the layout reply_channel_range's per-channel pairs share:
// a value for node_id_1's update, then node_id_2's.
type u32Pair = struct{ Node1, Node2 uint32 }

// pairCodec is an array of u32 pairs, after an encoding byte when encoded
// is set: encoded_timestamps (with one) and checksums (without).
func pairCodec[T ~u32Pair](encoded bool) valueCodec[[]T] {
	head := 0
	if encoded {
		head = 1
	}
	return valueCodec[[]T]{
		size: func(v []T) uint64 { return uint64(head + 8*len(v)) },
		encode: func(w io.Writer, v []T) error {
			b := make([]byte, head, head+8*len(v))
			for _, p := range v {
				b = binary.BigEndian.AppendUint32(b, u32Pair(p).Node1)
				b = binary.BigEndian.AppendUint32(b, u32Pair(p).Node2)
			}
			return writeAll(w, b)
		},
		decode: func(b []byte) ([]T, error) {
			data := b
			if encoded {
				var err error
				if data, err = decodeEncoded(b, 8); err != nil {
					return nil, err
				}
			} else if len(b)%8 != 0 {
				return nil, fmt.Errorf("%d bytes are not a whole number of 8-byte items", len(b))
			}
			if len(data) == 0 {
				return nil, nil
			}
			v := make([]T, len(data)/8)
			for i := range v {
				v[i] = T(u32Pair{Node1: binary.BigEndian.Uint32(data[8*i:]), Node2: binary.BigEndian.Uint32(data[8*i+4:])})
			}
			return v, nil
		},
	}
}

// bigSizeCodec is a record holding exactly one minimal BigSize.
func bigSizeCodec[T ~uint64]() valueCodec[T] {
	return valueCodec[T]{
		size: func(v T) uint64 { return uint64(BigSizeLen(uint64(v))) },
		encode: func(w io.Writer, v T) error {
			return WriteBigSize(w, uint64(v))
		},
		decode: func(b []byte) (T, error) {
			r := bytes.NewReader(b)
			v, err := ReadBigSize(r)
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			if err == nil && r.Len() != 0 {
				err = fmt.Errorf("%d bytes after the bigsize", r.Len())
			}
			return T(v), err
		},
	}
}
