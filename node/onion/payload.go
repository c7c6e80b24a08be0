package onion

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"

	"lnwasm/node/lnwire"
)

// The tlv_payload record types BOLT 4 defines.
const (
	typeAmtToForward           uint64 = 2
	typeOutgoingCLTV           uint64 = 4
	typeShortChannelID         uint64 = 6
	typePaymentData            uint64 = 8
	typeEncryptedRecipientData uint64 = 10
	typeCurrentBlindingPoint   uint64 = 12
	typePaymentMetadata        uint64 = 16
	typeTotalAmountMsat        uint64 = 18
)

// hopPayloadsSize is the size of an onion's hop_payloads.
//
// BOLT 4: a 1300-byte `hop_payloads` consisting of multiple, variable
// length, `hop_payload` payloads
const hopPayloadsSize = 1300

// MaxPayloadSize is the largest hop payload that fits hop_payloads with
// its 3-byte length and 32-byte HMAC; DecodePayload refuses anything
// longer, which also keeps every offset within a u16.
const MaxPayloadSize = hopPayloadsSize - 3 - 32

// ErrInvalidPayload is wrapped by every error DecodePayload returns, and
// by New's for a payload that breaks the writer's rules.
var ErrInvalidPayload = errors.New("invalid onion payload")

// PayloadError says which record of a payload is wrong, so Peel can fill
// invalid_onion_payload's type and offset. Type is 0 when the fault is not
// in one record (the stream itself is malformed).
//
// BOLT 4: If the failure can be narrowed down to a specific tlv type in
// the payload, the erring node may include that `type` and its byte
// `offset` in the decrypted byte stream.
type PayloadError struct {
	Type   uint64
	Offset uint16
	Reason string
}

// Error names the record at fault and why.
func (e *PayloadError) Error() string {
	return fmt.Sprintf("%s: tlv type %d at offset %d: %s", ErrInvalidPayload, e.Type, e.Offset, e.Reason)
}

// Unwrap makes every PayloadError match ErrInvalidPayload.
func (e *PayloadError) Unwrap() error { return ErrInvalidPayload }

// Payload is one hop's tlv_payload.
type Payload struct {
	AmtToForwardMsat uint64                 // type 2
	OutgoingCLTV     uint32                 // type 4
	ShortChannelID   *lnwire.ShortChannelID // type 6, intermediate hops only
	// PaymentSecret and TotalMsat are payment_data (type 8), final hop
	// only; TotalMsat is written only with a PaymentSecret.
	PaymentSecret *[32]byte
	TotalMsat     uint64
	Metadata      []byte // type 16 payment_metadata; nil means absent
	// Extra holds the other records: on decode the unknown odd ones (an
	// unknown even one is an error), on encode anything the sender wants
	// to add outside the types BOLT 4 defines.
	Extra map[uint64][]byte
}

// Total is the amount of the whole (possibly multi-part) payment.
//
// BOLT 4, if it is the final node: MUST treat `total_msat` as if it were
// equal to `amt_to_forward` if it is not present.
func (p *Payload) Total() uint64 {
	if p.PaymentSecret == nil {
		return p.AmtToForwardMsat
	}
	return p.TotalMsat
}

// record is one TLV record before it is written.
type record struct {
	typ uint64
	val []byte
}

// Encode writes the payload as a TLV stream, without the length prefix
// (lightning-onion adds it).
//
// BOLT 1, the sending node: MUST order `tlv_record`s in a `tlv_stream` by
// strictly-increasing `type`. MUST minimally encode `type` and `length`.
func (p *Payload) Encode() ([]byte, error) {
	recs := []record{
		{typeAmtToForward, appendTruncated(nil, p.AmtToForwardMsat)},
		{typeOutgoingCLTV, appendTruncated(nil, uint64(p.OutgoingCLTV))},
	}
	if p.ShortChannelID != nil {
		recs = append(recs, record{typeShortChannelID, binary.BigEndian.AppendUint64(nil, uint64(*p.ShortChannelID))})
	}
	if p.PaymentSecret != nil {
		data := append(make([]byte, 0, 40), p.PaymentSecret[:]...)
		recs = append(recs, record{typePaymentData, appendTruncated(data, p.TotalMsat)})
	} else if p.TotalMsat != 0 {
		return nil, fmt.Errorf("%w: total_msat %d without a payment_secret", ErrInvalidPayload, p.TotalMsat)
	}
	if p.Metadata != nil {
		recs = append(recs, record{typePaymentMetadata, p.Metadata})
	}
	for typ, val := range p.Extra {
		if definedType(typ) {
			return nil, fmt.Errorf("%w: extra record %d is a type BOLT 4 defines", ErrInvalidPayload, typ)
		}
		recs = append(recs, record{typ, val})
	}
	sort.Slice(recs, func(i, j int) bool { return recs[i].typ < recs[j].typ })
	var w bytes.Buffer
	for _, r := range recs {
		// Writes to a bytes.Buffer cannot fail.
		_ = lnwire.WriteBigSize(&w, r.typ)
		_ = lnwire.WriteBigSize(&w, uint64(len(r.val)))
		w.Write(r.val)
	}
	return w.Bytes(), nil
}

// definedType reports whether BOLT 4 gives typ a meaning in tlv_payload.
func definedType(typ uint64) bool {
	switch typ {
	case typeAmtToForward, typeOutgoingCLTV, typeShortChannelID, typePaymentData,
		typeEncryptedRecipientData, typeCurrentBlindingPoint, typePaymentMetadata, typeTotalAmountMsat:
		return true
	}
	return false
}

// DecodePayload parses a hop's payload (without its length prefix) and
// applies the BOLT 4 reader rules for a final or an intermediate hop. Every
// error wraps ErrInvalidPayload and is a *PayloadError.
func DecodePayload(b []byte, final bool) (*Payload, error) {
	if len(b) > MaxPayloadSize {
		return nil, &PayloadError{Reason: fmt.Sprintf("%d bytes exceed the onion", len(b))}
	}
	p := &Payload{}
	present := make(map[uint64]uint16)
	r := bytes.NewReader(b)
	var prev uint64
	for r.Len() > 0 {
		off := uint16(len(b) - r.Len())
		typ, val, err := readRecord(r)
		if err != nil {
			return nil, &PayloadError{Type: typ, Offset: off, Reason: err.Error()}
		}
		// BOLT 1: if decoded `type`s are not strictly-increasing
		// (including situations when two or more occurrences of the same
		// `type` are met): MUST fail to parse the `tlv_stream`.
		if len(present) > 0 && typ <= prev {
			return nil, &PayloadError{Type: typ, Offset: off, Reason: fmt.Sprintf("type after %d", prev)}
		}
		prev, present[typ] = typ, off
		if err := p.setRecord(typ, val); err != nil {
			return nil, &PayloadError{Type: typ, Offset: off, Reason: err.Error()}
		}
	}
	if err := p.check(final, present); err != nil {
		return nil, err
	}
	return p, nil
}

// readRecord reads one record's type, length and value.
//
// BOLT 1: if a `type` or `length` is not minimally encoded: MUST fail to
// parse the `tlv_stream`. if `length` exceeds the number of bytes
// remaining in the message: MUST fail to parse the `tlv_stream`.
func readRecord(r *bytes.Reader) (uint64, []byte, error) {
	typ, err := lnwire.ReadBigSize(r)
	if err != nil {
		return 0, nil, fmt.Errorf("type: %w", err)
	}
	length, err := lnwire.ReadBigSize(r)
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return typ, nil, fmt.Errorf("length: %w", err)
	}
	if length > uint64(r.Len()) {
		return typ, nil, fmt.Errorf("length %d exceeds the %d bytes left", length, r.Len())
	}
	val := make([]byte, length)
	_, _ = io.ReadFull(r, val) // length was checked against r.Len()
	return typ, val, nil
}
