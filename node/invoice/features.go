package invoice

import (
	"fmt"

	"lnwasm/node/lnwire"
)

// invoiceFeatures are the feature pairs BOLT 9 places in invoices (context
// `9`) and this package understands; an invoice that requires anything
// else cannot be paid correctly. var_onion_optin is ASSUMED today but was
// an invoice feature, so old invoices still set it.
var invoiceFeatures = lnwire.NewFeatureVector(
	lnwire.VarOnionOptinRequired,
	lnwire.PaymentSecretRequired,
	lnwire.BasicMPPRequired,
	lnwire.RouteBlindingRequired,
	lnwire.PaymentMetadataRequired,
)

// assumedFeatures count as set when checking dependencies: BOLT 9 marks
// them ASSUMED, so an invoice that depends on them without setting them
// is still well formed.
var assumedFeatures = lnwire.NewFeatureVector(lnwire.VarOnionOptinOptional)

// maxReportedUnknown bounds how many unknown bits an error lists.
const maxReportedUnknown = 8

// checkFeatures applies the reader's feature rules.
//
// BOLT 11, a reader: if the `9` field contains unknown _odd_ bits that are
// non-zero: MUST ignore the bit. if the `9` field contains unknown _even_
// bits that are non-zero: MUST fail the payment. SHOULD indicate the
// unknown bit to the user. [...] if the feature vector does not set all
// known, transitive feature dependencies: MUST NOT attempt the payment.
func checkFeatures(f lnwire.FeatureVector) error {
	var unknown []lnwire.FeatureBit
	for b := range f.All() {
		if b.IsRequired() && !invoiceFeatures.Supports(b) {
			unknown = append(unknown, b)
			if len(unknown) == maxReportedUnknown {
				break
			}
		}
	}
	if len(unknown) > 0 {
		return fieldErrorf(tagFeatures, "unknown required feature bits %v", unknown)
	}
	if err := f.Union(assumedFeatures).ValidateDependencies(); err != nil {
		return fieldErrorf(tagFeatures, "%v", err)
	}
	return nil
}

// featuresFrom5 reads the `9` field: a big-endian bitmap in 5-bit values,
// bit 0 being the lowest bit of the last value.
//
// BOLT 11: The field is big-endian. The least-significant bit is numbered
// 0, which is _even_, and the next most significant bit is numbered 1,
// which is _odd_.
func featuresFrom5(data []byte) lnwire.FeatureVector {
	le := make([]byte, (len(data)*5+7)/8)
	for i, v := range data {
		base := (len(data) - 1 - i) * 5
		for j := 0; j < 5; j++ {
			if v&(1<<j) != 0 {
				bit := base + j
				le[bit/8] |= 1 << (bit % 8)
			}
		}
	}
	be := make([]byte, len(le))
	for i, v := range le {
		be[len(be)-1-i] = v
	}
	return lnwire.DecodeFeatureVector(be)
}

// featuresTo5 is the `9` field's data in the fewest values, nil for no
// bits (the field is then left out).
//
// BOLT 11, a writer: if `9` contains non-zero bits: SHOULD use the minimum
// `data_length` possible. otherwise: MUST omit the `9` field altogether.
func featuresTo5(f lnwire.FeatureVector) ([]byte, error) {
	bits := f.Bits()
	if len(bits) == 0 {
		return nil, nil
	}
	n := int(bits[len(bits)-1])/5 + 1
	if n > maxFieldLen {
		return nil, fmt.Errorf("feature bit %d does not fit a field", bits[len(bits)-1])
	}
	out := make([]byte, n)
	for _, b := range bits {
		out[n-1-int(b)/5] |= 1 << (b % 5)
	}
	return out, nil
}
