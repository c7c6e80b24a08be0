package invoice

import (
	"fmt"
	"time"

	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// maxTimestamp is the first second the 35-bit timestamp cannot hold.
const maxTimestamp = 1 << 35

// defaultOrder is where Encode puts known fields the layout does not place:
// every field of an invoice built in code, and fields added to a decoded
// one.
var defaultOrder = []byte{
	tagPaymentHash, tagPaymentSecret, tagDescription, tagDescriptionHash,
	tagNodeID, tagExpiry, tagMinFinalCLTV, tagFallback, tagRoute,
	tagFeatures, tagMetadata,
}

// Encode writes the invoice as a lower-case BOLT 11 string, signed by
// sign. sign returns a compact recoverable signature as
// btcec/ecdsa.SignCompact makes it (header byte first); Encode moves the
// recovery id to the end as BOLT 11 wants. A decoded invoice keeps its
// field order and the fields Decode skipped, so re-signing it with the same
// key gives the same string. If Payee is set, the signature must be by
// Payee.
func (inv *Invoice) Encode(sign func(hash [32]byte) ([65]byte, error)) (string, error) {
	hrp, data, err := inv.unsigned()
	if err != nil {
		return "", err
	}
	compact, err := sign(sigHash(hrp, data))
	if err != nil {
		return "", fmt.Errorf("invoice: signing: %w", err)
	}
	if compact[0] < compactHeader || compact[0] > compactHeader+3 {
		return "", fmt.Errorf("invoice: signer returned header byte %d, want a compressed-key compact signature (31 to 34)", compact[0])
	}
	recID := compact[0] - compactHeader
	if err := inv.checkSigner(sigHash(hrp, data), compact); err != nil {
		return "", err
	}
	sig := append(append([]byte(nil), compact[1:]...), recID)
	s := encodeBech32(hrp, append(data, to5(sig)...))
	if len(s) > MaxLength {
		return "", fmt.Errorf("invoice: encoded invoice is %d characters, more than %d", len(s), MaxLength)
	}
	return s, nil
}

// checkSigner recovers the signing key, so a signer that used the wrong key
// is caught here rather than by every payer.
//
// BOLT 11, a writer: [`n`] MUST set `n` to the public key used to create
// the `signature`.
func (inv *Invoice) checkSigner(hash [32]byte, compact [65]byte) error {
	key, _, err := ecdsa.RecoverCompact(compact[:], hash[:])
	if err != nil {
		return fmt.Errorf("invoice: signer returned an invalid signature: %w", err)
	}
	if inv.Payee != nil && !key.IsEqual(inv.Payee) {
		return fmt.Errorf("invoice: signed by %x, but Payee is %x",
			key.SerializeCompressed(), inv.Payee.SerializeCompressed())
	}
	return nil
}

// unsigned is the human-readable part and the data part up to the
// signature.
func (inv *Invoice) unsigned() (string, []byte, error) {
	prefix, err := Prefix(inv.Net)
	if err != nil {
		return "", nil, err
	}
	if err := checkContent(inv); err != nil {
		return "", nil, err
	}
	ts := inv.Timestamp.Unix()
	if inv.Timestamp.IsZero() || ts < 0 || ts >= maxTimestamp {
		return "", nil, fmt.Errorf("invoice: timestamp %v does not fit 35 bits of seconds since 1970", inv.Timestamp)
	}
	fields, err := inv.knownFields()
	if err != nil {
		return "", nil, err
	}
	data := uintTo5Fixed(uint64(ts), timestampLen)
	for _, f := range inv.arrange(fields) {
		data = append(data, f.tag, byte(len(f.data)>>5), byte(len(f.data)&31))
		data = append(data, f.data...)
	}
	return prefix + formatAmount(inv.AmountMsat), data, nil
}

// arrange orders the fields: first as the layout of a decoded invoice had
// them (its raw fields included), then the rest in defaultOrder. Within a
// type, fields keep their order (the most preferred first).
//
// BOLT 11, a writer: if a writer offers more than one of any field type,
// it: MUST specify the most-preferred field first, followed by
// less-preferred fields, in order.
func (inv *Invoice) arrange(fields map[byte][][]byte) []slot {
	out := make([]slot, 0, len(inv.layout)+len(defaultOrder))
	for _, s := range inv.layout {
		if s.raw {
			out = append(out, s)
			continue
		}
		if q := fields[s.tag]; len(q) > 0 {
			out = append(out, slot{tag: s.tag, data: q[0]})
			fields[s.tag] = q[1:]
		}
	}
	for _, tag := range defaultOrder {
		for _, d := range fields[tag] {
			out = append(out, slot{tag: tag, data: d})
		}
	}
	return out
}

// knownFields encodes every field the exported values call for, by type.
func (inv *Invoice) knownFields() (map[byte][][]byte, error) {
	f := map[byte][][]byte{}
	add := func(tag byte, data []byte) error {
		if len(data) > maxFieldLen {
			return fmt.Errorf("invoice: field %q: %d values, more than %d", tagName(tag), len(data), maxFieldLen)
		}
		f[tag] = append(f[tag], data)
		return nil
	}
	if err := add(tagPaymentHash, to5(inv.PaymentHash[:])); err != nil {
		return nil, err
	}
	if err := inv.optionalFields(add); err != nil {
		return nil, err
	}
	for _, addr := range inv.Fallbacks {
		d, err := encodeFallback(addr, inv.Net)
		if err != nil {
			return nil, fmt.Errorf("invoice: field %q: %w", "f", err)
		}
		if err := add(tagFallback, d); err != nil {
			return nil, err
		}
	}
	for _, route := range inv.RouteHints {
		d, err := encodeRoute(route)
		if err != nil {
			return nil, fmt.Errorf("invoice: field %q: %w", "r", err)
		}
		if err := add(tagRoute, d); err != nil {
			return nil, err
		}
	}
	return f, nil
}

// optionalFields adds the single-valued fields an invoice may leave out.
func (inv *Invoice) optionalFields(add func(byte, []byte) error) error {
	var fields []slot
	if inv.PaymentSecret != nil {
		fields = append(fields, slot{tag: tagPaymentSecret, data: to5(inv.PaymentSecret[:])})
	}
	if inv.Description != nil {
		fields = append(fields, slot{tag: tagDescription, data: to5([]byte(*inv.Description))})
	}
	if inv.DescriptionHash != nil {
		fields = append(fields, slot{tag: tagDescriptionHash, data: to5(inv.DescriptionHash[:])})
	}
	if inv.hasNodeID && inv.Payee != nil {
		fields = append(fields, slot{tag: tagNodeID, data: to5(inv.Payee.SerializeCompressed())})
	}
	if exp := inv.expiry(); inv.hasExpiry || exp != DefaultExpiry {
		if exp < 0 || exp%time.Second != 0 {
			return fmt.Errorf("invoice: expiry %v is not a whole, non-negative number of seconds", exp)
		}
		fields = append(fields, slot{tag: tagExpiry, data: uintTo5(uint64(exp / time.Second))})
	}
	if c := inv.minFinalCLTV(); inv.hasCLTV || c != DefaultMinFinalCLTVExpiryDelta {
		fields = append(fields, slot{tag: tagMinFinalCLTV, data: uintTo5(c)})
	}
	feat, err := featuresTo5(inv.Features)
	if err != nil {
		return fmt.Errorf("invoice: field %q: %w", "9", err)
	}
	if feat != nil {
		fields = append(fields, slot{tag: tagFeatures, data: feat})
	}
	if inv.Metadata != nil {
		fields = append(fields, slot{tag: tagMetadata, data: to5(inv.Metadata)})
	}
	for _, s := range fields {
		if err := add(s.tag, s.data); err != nil {
			return err
		}
	}
	return nil
}
