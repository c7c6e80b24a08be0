package invoice

import (
	"crypto/sha256"
	"strings"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
)

// Sizes of the fixed parts of the data part, in 5-bit values.
const (
	timestampLen = 7   // 35 bits
	signatureLen = 104 // 520 bits: r, s and the recovery id
)

// uriScheme is the URI prefix Decode strips.
//
// BOLT 11: If a URI scheme is desired, the current recommendation is to
// either use 'lightning:' as a prefix before the BOLT-11 encoding
const uriScheme = "lightning:"

// Decode parses and checks a BOLT 11 invoice for net: its checksum,
// prefix, amount, fields, features and signature. It accepts either case
// and a "lightning:" prefix. Every error wraps ErrInvalid; a known prefix
// for another network also wraps ErrWrongNetwork.
func Decode(s string, net *chaincfg.Params) (*Invoice, error) {
	if net == nil {
		return nil, invalidf("no network given")
	}
	if len(s) >= len(uriScheme) && strings.EqualFold(s[:len(uriScheme)], uriScheme) {
		s = s[len(uriScheme):]
	}
	hrp, data, err := decodeBech32(s)
	if err != nil {
		return nil, err
	}
	prefix, amount, err := splitHRP(hrp)
	if err != nil {
		return nil, err
	}
	if err := checkNetwork(prefix, net); err != nil {
		return nil, err
	}
	inv := &Invoice{Net: net}
	if inv.AmountMsat, err = parseAmount(amount); err != nil {
		return nil, err
	}
	if len(data) < timestampLen+signatureLen {
		return nil, invalidf("data part of %d values is too short for a timestamp and a signature", len(data))
	}
	body, sig := data[:len(data)-signatureLen], data[len(data)-signatureLen:]
	ts, _ := uintFrom5(body[:timestampLen]) // 35 bits always fit
	inv.Timestamp = time.Unix(int64(ts), 0).UTC()
	d := decoder{inv: inv}
	if err := d.fields(body[timestampLen:]); err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	if inv.Payee, err = verifySignature(sigHash(hrp, body), sig, inv.Payee); err != nil {
		return nil, err
	}
	return inv, nil
}

// check applies the rules that need every field, and the defaults.
func (d *decoder) check() error {
	inv := d.inv
	// BOLT 11, a writer: MUST include exactly one `p` field. A reader has
	// nothing to pay without it.
	if !d.seen[tagPaymentHash] {
		return invalidf("no payment hash (`p` field)")
	}
	if err := checkContent(inv); err != nil {
		return err
	}
	if !inv.hasExpiry {
		inv.Expiry = DefaultExpiry
	}
	if !inv.hasCLTV {
		inv.MinFinalCLTVExpiryDelta = DefaultMinFinalCLTVExpiryDelta
	}
	return nil
}

// checkContent holds the rules both Decode and Encode enforce.
func checkContent(inv *Invoice) error {
	// BOLT 11, a writer: MUST include either exactly one `d` or exactly
	// one `h` field.
	if (inv.Description == nil) == (inv.DescriptionHash == nil) {
		return invalidf("want exactly one of a description (`d`) or a description hash (`h`)")
	}
	if err := checkFeatures(inv.Features); err != nil {
		return err
	}
	// BOLT 11, a writer: MUST set an `s` field if and only if the
	// `payment_secret` feature is set. A reader cannot honour the feature
	// without the secret, and paying without it would be refused.
	if inv.Features.Supports(paymentSecretBit) && inv.PaymentSecret == nil {
		return invalidf("features set payment_secret but there is no payment secret (`s` field)")
	}
	if inv.AmountMsat > MaxAmountMsat {
		return invalidf("amount of %d msat is more than 21 million bitcoin", inv.AmountMsat)
	}
	return nil
}

// sigHash is what the signature signs: SHA-256 of the human-readable part
// and the data part before the signature, padded to whole bytes.
func sigHash(hrp string, body []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte(hrp))
	h.Write(from5Padded(body))
	var out [32]byte
	h.Sum(out[:0])
	return out
}
