package lnwire

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/lightningnetwork/lnd/tlv"
)

// TLVRecord is one record of an extension stream that this package does not
// know, kept as raw bytes.
type TLVRecord struct {
	Type  uint64
	Value []byte
}

// TLVRecords are the unknown odd records of a message's extension, in
// stream order. Decoding keeps them and encoding writes them back among the
// known records, so a message relayed or checked against a signature keeps
// every byte.
//
// BOLT 1: Nodes should store the _extension_ bytes even if they don't
// understand them to be able to correctly verify signatures.
type TLVRecords []TLVRecord

// ErrTLVNotCanonical is returned for a stream whose types do not strictly
// increase.
var ErrTLVNotCanonical = errors.New("tlv types are not strictly increasing")

// ErrUnknownEvenTLV is returned for a record of even type that the message
// does not define.
//
// BOLT 1: otherwise, if `type` is unknown: if `type` is even: MUST fail to
// parse the `tlv_stream`.
type ErrUnknownEvenTLV struct {
	Type uint64
}

func (e *ErrUnknownEvenTLV) Error() string {
	return fmt.Sprintf("unknown even tlv type %d", e.Type)
}

// tlvField is one known record of a message's extension: the lnd/tlv record
// that encodes and decodes it, whether it is set (only set fields are
// written) and how to clear it before decoding.
type tlvField struct {
	record tlv.Record
	isSet  bool
	reset  func()
}

// Extension decodes the rest of the body as the message's TLV stream:
// known records into fields (which must be in increasing type order),
// unknown odd records into the result, unknown even records refused.
func (r *Reader) Extension(fields ...tlvField) (TLVRecords, error) {
	data := r.rest()
	if r.err != nil {
		return nil, r.err
	}
	extra, err := decodeTLVStream(data, fields...)
	if err != nil {
		return nil, &FieldError{Field: "tlvs", Err: err}
	}
	return extra, nil
}

// decodeTLVStream first walks the stream itself, checking every BOLT 1
// structural rule (minimal BigSizes, strictly increasing types, lengths
// within the bytes left, no unknown even type) and collecting unknown odd
// records. Only a stream that passes is handed to lnd/tlv to decode the
// known values, so no length reaches an allocation unchecked.
func decodeTLVStream(data []byte, fields ...tlvField) (TLVRecords, error) {
	known := make(map[uint64]bool, len(fields))
	records := make([]tlv.Record, len(fields))
	for i, f := range fields {
		f.reset()
		known[uint64(f.record.Type())] = true
		records[i] = f.record
	}
	extra, err := scanTLVStream(data, known)
	if err != nil {
		return nil, err
	}
	if len(fields) == 0 {
		return extra, nil
	}
	stream, err := tlv.NewStream(records...)
	if err != nil {
		return nil, fmt.Errorf("known records out of order: %w", err)
	}
	if err := stream.DecodeP2P(bytes.NewReader(data)); err != nil {
		return nil, err
	}
	return extra, nil
}

// scanTLVStream checks the structure of a stream and returns its unknown
// odd records.
//
// BOLT 1, the receiving node: if zero bytes remain before parsing a `type`:
// MUST stop parsing the `tlv_stream`. if a `type` or `length` is not
// minimally encoded: MUST fail to parse the `tlv_stream`. if decoded
// `type`s are not strictly-increasing (including situations when two or
// more occurrences of the same `type` are met): MUST fail to parse the
// `tlv_stream`. if `length` exceeds the number of bytes remaining in the
// message: MUST fail to parse the `tlv_stream`.
func scanTLVStream(data []byte, known map[uint64]bool) (TLVRecords, error) {
	var extra TLVRecords
	r := bytes.NewReader(data)
	var prev uint64
	for first := true; r.Len() > 0; first = false {
		typ, err := ReadBigSize(r)
		if err != nil {
			return nil, fmt.Errorf("tlv type: %w", err)
		}
		if !first && typ <= prev {
			return nil, fmt.Errorf("%w: type %d after %d", ErrTLVNotCanonical, typ, prev)
		}
		prev = typ
		length, err := ReadBigSize(r)
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return nil, fmt.Errorf("tlv type %d length: %w", typ, err)
		}
		if length > uint64(r.Len()) {
			return nil, fmt.Errorf("tlv type %d: length %d exceeds the %d bytes left: %w",
				typ, length, r.Len(), io.ErrUnexpectedEOF)
		}
		start := len(data) - r.Len()
		value := data[start : start+int(length)]
		if _, err := r.Seek(int64(length), io.SeekCurrent); err != nil {
			return nil, err
		}
		if known[typ] {
			continue
		}
		if typ%2 == 0 {
			return nil, &ErrUnknownEvenTLV{Type: typ}
		}
		extra = append(extra, TLVRecord{Type: typ, Value: cloneBytes(value)})
	}
	return extra, nil
}

// encodeTLVStream writes the set fields and the kept unknown records as
// one stream in increasing type order.
//
// BOLT 1, the sending node: MUST order `tlv_record`s in a `tlv_stream` by
// strictly-increasing `type`, hence MUST not produce more than a single TLV
// record with the same `type`. MUST minimally encode `type` and `length`.
func encodeTLVStream(w *bytes.Buffer, extra TLVRecords, fields ...tlvField) error {
	records := make([]tlv.Record, 0, len(fields)+len(extra))
	for _, f := range fields {
		if f.isSet {
			records = append(records, f.record)
		}
	}
	for _, e := range extra {
		records = append(records, tlv.MakeStaticRecord(tlv.Type(e.Type), nil,
			uint64(len(e.Value)), tlv.StubEncoder(e.Value), nil))
	}
	tlv.SortRecords(records)
	stream, err := tlv.NewStream(records...)
	if err != nil {
		return &FieldError{Field: "tlvs", Err: fmt.Errorf("duplicate record type: %w", err)}
	}
	return stream.Encode(w)
}
