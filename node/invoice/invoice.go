package invoice

import (
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/lnwire"
)

// Defaults that apply when an invoice leaves a field out.
const (
	// DefaultExpiry applies without an `x` field.
	//
	// BOLT 11: `x` (6): `expiry` time in seconds (big-endian). Default is
	// 3600 (1 hour) if not specified.
	DefaultExpiry = 3600 * time.Second
	// DefaultMinFinalCLTVExpiryDelta applies without a `c` field.
	//
	// BOLT 11, a reader: if the `c` field (`min_final_cltv_expiry_delta`)
	// is not provided: MUST use an expiry delta of at least 18 when making
	// the payment.
	DefaultMinFinalCLTVExpiryDelta = 18
)

// HopHint is one channel of a private route from an `r` field: the channel
// starting at NodeID, with the fees and delta that channel charges.
type HopHint struct {
	NodeID                    *btcec.PublicKey
	ShortChannelID            lnwire.ShortChannelID
	FeeBaseMsat               uint32
	FeeProportionalMillionths uint32
	CLTVExpiryDelta           uint16
}

// Invoice is a BOLT 11 payment request. The zero values of Expiry and
// MinFinalCLTVExpiryDelta mean "the default" to Encode unless the invoice
// was decoded with that field present, so a struct literal does not make
// an instantly expiring invoice by accident.
type Invoice struct {
	Net                     *chaincfg.Params
	AmountMsat              uint64 // 0: no amount (payer chooses)
	Timestamp               time.Time
	PaymentHash             [32]byte
	PaymentSecret           *[32]byte
	Description             *string
	DescriptionHash         *[32]byte
	Payee                   *btcec.PublicKey // from the n field, or recovered from the signature; always set after Decode
	Expiry                  time.Duration    // default 3600 s when absent
	MinFinalCLTVExpiryDelta uint64           // default 18 when absent
	Features                lnwire.FeatureVector
	RouteHints              [][]HopHint
	Fallbacks               []btcutil.Address
	Metadata                []byte // nil: no `m` field

	// layout is the decoded field order, with the fields Decode skipped
	// or did not know kept verbatim, so Encode writes the same string.
	layout []slot
	// hasExpiry, hasCLTV and hasNodeID record that Decode saw `x`, `c`
	// and `n`, so that Encode writes them even at their default values.
	hasExpiry, hasCLTV, hasNodeID bool
}

// slot is one tagged field in decoded order: either a known field, whose
// value Encode takes from the Invoice's exported fields, or a raw one
// (unknown type, skipped length, unknown fallback version) written back
// unchanged.
type slot struct {
	tag  byte
	raw  bool
	data []byte // 5-bit values, for raw slots
}

// expiry is Expiry with the default applied to an unset zero.
func (inv *Invoice) expiry() time.Duration {
	if inv.Expiry == 0 && !inv.hasExpiry {
		return DefaultExpiry
	}
	return inv.Expiry
}

// minFinalCLTV is MinFinalCLTVExpiryDelta with the default applied to an
// unset zero.
func (inv *Invoice) minFinalCLTV() uint64 {
	if inv.MinFinalCLTVExpiryDelta == 0 && !inv.hasCLTV {
		return DefaultMinFinalCLTVExpiryDelta
	}
	return inv.MinFinalCLTVExpiryDelta
}

// ExpiresAt is when the invoice stops being payable: timestamp plus expiry.
//
// BOLT 11, a payer: after the `timestamp` plus `expiry` has passed: SHOULD
// NOT attempt a payment. A payee: after the `timestamp` plus `expiry` has
// passed: SHOULD NOT accept a payment.
func (inv *Invoice) ExpiresAt() time.Time {
	return inv.Timestamp.Add(inv.expiry())
}

// Expired reports whether now is past ExpiresAt.
func (inv *Invoice) Expired(now time.Time) bool {
	return now.After(inv.ExpiresAt())
}

// Memo is the description, or "" when the invoice only commits to a hash
// of one.
func (inv *Invoice) Memo() string {
	if inv.Description == nil {
		return ""
	}
	return *inv.Description
}
