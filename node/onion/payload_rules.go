package onion

import (
	"encoding/binary"
	"errors"
	"fmt"

	"lnwasm/node/lnwire"
)

// errRouteBlinding refuses the records of a blinded route, which this node
// does not support (and so never advertises).
var errRouteBlinding = errors.New("route blinding is not supported")

// setRecord stores one record's value in p, checking its length and
// encoding.
//
// BOLT 1: if `length` is not exactly equal to that required for the known
// encoding for `type`: MUST fail to parse the `tlv_stream`. otherwise, if
// `type` is unknown: if `type` is even: MUST fail to parse the
// `tlv_stream`. otherwise, if `type` is odd: MUST discard the next
// `length` bytes.
func (p *Payload) setRecord(typ uint64, val []byte) error {
	var err error
	switch typ {
	case typeAmtToForward:
		p.AmtToForwardMsat, err = readTruncated(val, 8)
	case typeOutgoingCLTV:
		var v uint64
		v, err = readTruncated(val, 4)
		p.OutgoingCLTV = uint32(v)
	case typeShortChannelID:
		if len(val) != 8 {
			return fmt.Errorf("short_channel_id of %d bytes, want 8", len(val))
		}
		scid := lnwire.ShortChannelID(binary.BigEndian.Uint64(val))
		p.ShortChannelID = &scid
	case typePaymentData:
		if len(val) < 32 {
			return fmt.Errorf("payment_data of %d bytes, want 32 to 40", len(val))
		}
		var secret [32]byte
		copy(secret[:], val)
		p.PaymentSecret = &secret
		p.TotalMsat, err = readTruncated(val[32:], 8)
	case typePaymentMetadata:
		p.Metadata = append([]byte{}, val...)
	case typeEncryptedRecipientData, typeCurrentBlindingPoint, typeTotalAmountMsat:
		// BOLT 4, otherwise (it is not part of a blinded route): MUST
		// return an error if `blinding_point` is set in the incoming
		// `update_add_htlc` or `current_blinding_point` is present.
		return errRouteBlinding
	default:
		if typ%2 == 0 {
			return errors.New("unknown even type")
		}
		if p.Extra == nil {
			p.Extra = make(map[uint64][]byte)
		}
		p.Extra[typ] = val
	}
	return err
}

// check applies the BOLT 4 rules on which records a hop's payload must and
// must not hold. present maps each record type found to its offset; New
// passes the records a payload would write, with offset 0.
//
// BOLT 4, the reader, otherwise (it is not part of a blinded route): MUST
// return an error if `amt_to_forward` or `outgoing_cltv_value` are not
// present. if it is not the final node: MUST return an error if:
// `short_channel_id` is not present.
//
// BOLT 4, the writer, for every node outside of a blinded route: for every
// non-final node: MUST include `short_channel_id`, MUST NOT include
// `payment_data`. For the final node: MUST NOT include `short_channel_id`.
// A reader refuses what a writer must not send, as lnd does, so a
// misbuilt onion fails at the hop it was built wrongly for.
func (p *Payload) check(final bool, present map[uint64]uint16) error {
	missing := func(typ uint64, name string) error {
		return &PayloadError{Type: typ, Reason: name + " is missing"}
	}
	forbidden := func(typ uint64, name, hop string) error {
		return &PayloadError{Type: typ, Offset: present[typ], Reason: name + " is not allowed for " + hop}
	}
	hasSCID := has(present, typeShortChannelID)
	switch {
	case !has(present, typeAmtToForward):
		return missing(typeAmtToForward, "amt_to_forward")
	case !has(present, typeOutgoingCLTV):
		return missing(typeOutgoingCLTV, "outgoing_cltv_value")
	case !final && !hasSCID:
		return missing(typeShortChannelID, "short_channel_id")
	case !final && has(present, typePaymentData):
		return forbidden(typePaymentData, "payment_data", "an intermediate hop")
	case final && hasSCID:
		return forbidden(typeShortChannelID, "short_channel_id", "the final hop")
	}
	return nil
}

// has reports whether present holds typ.
func has(present map[uint64]uint16, typ uint64) bool {
	_, ok := present[typ]
	return ok
}

// writtenRecords is the present map for a payload we are about to send:
// amt_to_forward and outgoing_cltv_value are always written.
func (p *Payload) writtenRecords() map[uint64]uint16 {
	present := map[uint64]uint16{typeAmtToForward: 0, typeOutgoingCLTV: 0}
	if p.ShortChannelID != nil {
		present[typeShortChannelID] = 0
	}
	if p.PaymentSecret != nil {
		present[typePaymentData] = 0
	}
	return present
}

// readTruncated reads a tu64/tu32 of at most max bytes.
//
// BOLT 1: Leading zeros in truncated integers MUST be omitted.
func readTruncated(b []byte, max int) (uint64, error) {
	if len(b) > max {
		return 0, fmt.Errorf("truncated integer of %d bytes exceeds %d", len(b), max)
	}
	if len(b) > 0 && b[0] == 0 {
		return 0, errors.New("truncated integer is not minimal")
	}
	var v uint64
	for _, c := range b {
		v = v<<8 | uint64(c)
	}
	return v, nil
}

// appendTruncated appends v as a truncated integer: big-endian without
// leading zero bytes (zero is empty).
func appendTruncated(dst []byte, v uint64) []byte {
	b := binary.BigEndian.AppendUint64(nil, v)
	for len(b) > 0 && b[0] == 0 {
		b = b[1:]
	}
	return append(dst, b...)
}
