package invoice

import (
	"math"
	"time"
	"unicode/utf8"

	"github.com/btcsuite/btcd/btcec/v2"
)

// The tagged field types of BOLT 11, by their 5-bit value.
const (
	tagPaymentHash     byte = 1  // p
	tagRoute           byte = 3  // r
	tagFeatures        byte = 5  // 9
	tagExpiry          byte = 6  // x
	tagFallback        byte = 9  // f
	tagDescription     byte = 13 // d
	tagPaymentSecret   byte = 16 // s
	tagNodeID          byte = 19 // n
	tagDescriptionHash byte = 23 // h
	tagMinFinalCLTV    byte = 24 // c
	tagMetadata        byte = 27 // m
)

// The data_length of the fixed-size fields, in 5-bit values.
const (
	hash32Len = 52 // 256 bits and 4 of padding
	nodeIDLen = 53 // 264 bits and 1 of padding
	// maxFieldLen is the most a 10-bit data_length can say.
	maxFieldLen = 1023
)

// maxExpirySeconds is the longest expiry time.Duration holds; an `x`
// beyond it (some 292 years) is refused rather than silently shortened.
const maxExpirySeconds = math.MaxInt64 / uint64(time.Second)

// multiValued are the field types an invoice may repeat; a second copy of
// any other known field is refused, since the spec lets a writer include
// only one and two would make the invoice mean two things.
//
// BOLT 11, a writer: MAY include one or more `f` fields. [...] MAY include
// more than one `r` field to provide multiple routing options.
var multiValued = map[byte]bool{tagFallback: true, tagRoute: true}

// decoder carries one Decode's progress through the tagged fields.
type decoder struct {
	inv  *Invoice
	seen [32]bool // known field types already read
}

// fields walks the tagged fields between the timestamp and the signature.
//
// BOLT 11: Each Tagged Field is of the form: 1. `type` (5 bits) 1.
// `data_length` (10 bits, big-endian) 1. `data` (`data_length` x 5 bits)
func (d *decoder) fields(data []byte) error {
	for len(data) > 0 {
		if len(data) < 3 {
			return invalidf("%d values after the last field, too few for a field header", len(data))
		}
		tag, n := data[0], int(data[1])<<5|int(data[2])
		if n > len(data)-3 {
			return fieldErrorf(tag, "data_length %d but only %d values remain", n, len(data)-3)
		}
		payload := data[3 : 3+n]
		data = data[3+n:]
		known, err := d.field(tag, payload)
		if err != nil {
			return err
		}
		if !known {
			d.inv.layout = append(d.inv.layout, slot{tag: tag, raw: true, data: payload})
			continue
		}
		if d.seen[tag] && !multiValued[tag] {
			return fieldErrorf(tag, "appears more than once")
		}
		d.seen[tag] = true
		d.inv.layout = append(d.inv.layout, slot{tag: tag})
	}
	return nil
}

// field reads one tagged field into the invoice. known is false for a field
// the spec says to skip; it is then kept only for re-encoding.
//
// BOLT 11, a reader: MUST skip over unknown fields, OR an `f` field with
// unknown `version`, OR `p`, `h`, `s` or `n` fields that do NOT have
// `data_length`s of 52, 52, 52 or 53, respectively.
func (d *decoder) field(tag byte, data []byte) (known bool, err error) {
	inv := d.inv
	switch tag {
	case tagPaymentHash:
		return read32(tag, data, &inv.PaymentHash)
	case tagPaymentSecret, tagDescriptionHash:
		var v [32]byte
		if known, err = read32(tag, data, &v); !known || err != nil {
			return known, err
		}
		if tag == tagPaymentSecret {
			inv.PaymentSecret = &v
		} else {
			inv.DescriptionHash = &v
		}
		return true, nil
	case tagNodeID:
		return d.nodeID(data)
	case tagDescription:
		return true, d.description(data)
	case tagMetadata:
		inv.Metadata, err = from5(data)
		if err != nil {
			return false, fieldErrorf(tag, "%v", err)
		}
		return true, nil
	case tagExpiry, tagMinFinalCLTV:
		return true, d.number(tag, data)
	case tagFallback:
		return d.fallback(data)
	case tagRoute:
		route, err := parseRoute(data)
		if err != nil {
			return false, err
		}
		inv.RouteHints = append(inv.RouteHints, route)
		return true, nil
	case tagFeatures:
		inv.Features = featuresFrom5(data)
		return true, nil
	}
	return false, nil
}

// read32 reads a 256-bit field (p, s, h) into dst, or reports it skipped
// when its length is not 52.
func read32(tag byte, data []byte, dst *[32]byte) (bool, error) {
	if len(data) != hash32Len {
		return false, nil
	}
	b, err := from5(data)
	if err != nil {
		return false, fieldErrorf(tag, "%v", err)
	}
	copy(dst[:], b)
	return true, nil
}

// nodeID reads `n`, the payee's public key.
//
// BOLT 11: `n` (19): `data_length` 53. 33-byte public key of the payee node
func (d *decoder) nodeID(data []byte) (bool, error) {
	if len(data) != nodeIDLen {
		return false, nil
	}
	b, err := from5(data)
	if err != nil {
		return false, fieldErrorf(tagNodeID, "%v", err)
	}
	key, err := btcec.ParsePubKey(b)
	if err != nil {
		return false, fieldErrorf(tagNodeID, "not a public key: %v", err)
	}
	d.inv.Payee, d.inv.hasNodeID = key, true
	return true, nil
}

// description reads `d`, which is shown to the payer.
//
// BOLT 11, a writer: if `d` is included: MUST set `d` to a valid UTF-8
// string. A reader refuses anything else because the text goes to a
// screen, where invalid UTF-8 would be replaced or, worse, misread.
func (d *decoder) description(data []byte) error {
	b, err := from5(data)
	if err != nil {
		return fieldErrorf(tagDescription, "%v", err)
	}
	if !utf8.Valid(b) {
		return fieldErrorf(tagDescription, "not valid UTF-8")
	}
	s := string(b)
	d.inv.Description = &s
	return nil
}

// number reads the big-endian integers `x` (expiry, seconds) and `c`
// (min_final_cltv_expiry_delta).
func (d *decoder) number(tag byte, data []byte) error {
	v, err := uintFrom5(data)
	if err != nil {
		return fieldErrorf(tag, "%v", err)
	}
	if tag == tagMinFinalCLTV {
		d.inv.MinFinalCLTVExpiryDelta, d.inv.hasCLTV = v, true
		return nil
	}
	if v > maxExpirySeconds {
		return fieldErrorf(tag, "expiry of %d seconds is too long to represent", v)
	}
	d.inv.Expiry, d.inv.hasExpiry = time.Duration(v)*time.Second, true
	return nil
}

// fallback reads one `f` field for the invoice's network.
func (d *decoder) fallback(data []byte) (bool, error) {
	addr, err := parseFallback(data, d.inv.Net)
	if err != nil || addr == nil {
		return false, err
	}
	d.inv.Fallbacks = append(d.inv.Fallbacks, addr)
	return true, nil
}
