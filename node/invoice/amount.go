package invoice

import (
	"strconv"
	"strings"
)

// Millisatoshi per unit of each multiplier; the bare amount is in bitcoin.
const (
	msatPerBTC   = 100_000_000_000
	msatPerMilli = 100_000_000
	msatPerMicro = 100_000
	msatPerNano  = 100
)

// MaxAmountMsat is 21 million bitcoin: no payment can ask for more, and
// refusing it early keeps every later sum far from overflowing.
const MaxAmountMsat uint64 = 21_000_000 * msatPerBTC

// maxAmountDigits bounds the amount string before it is parsed: the
// largest valid amount in pico-bitcoin has 20 digits.
const maxAmountDigits = 20

// splitHRP separates the human-readable part into its prefix (`ln` plus the
// currency letters) and the amount that follows it.
func splitHRP(hrp string) (prefix, amount string, err error) {
	if !strings.HasPrefix(hrp, "ln") {
		return "", "", invalidf("human-readable part %q does not start with \"ln\"", hrp)
	}
	i := strings.IndexAny(hrp, "0123456789")
	if i < 0 {
		return hrp, "", nil
	}
	return hrp[:i], hrp[i:], nil
}

// parseAmount converts the amount of the human-readable part to
// millisatoshi; "" means no amount (0).
//
// BOLT 11, a reader: if `amount` contains a non-digit OR is followed by
// anything except a `multiplier`: MUST fail the payment. if the
// `multiplier` is present: MUST multiply `amount` by the `multiplier` value
// to derive the amount required for payment. if multiplier is `p` and the
// last decimal of `amount` is not 0: MUST fail the payment.
func parseAmount(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	digits, mult := s[:len(s)-1], s[len(s)-1]
	if mult >= '0' && mult <= '9' {
		digits, mult = s, 0
	}
	if err := checkDigits(digits); err != nil {
		return 0, err
	}
	var unit uint64
	switch mult {
	case 0:
		unit = msatPerBTC
	case 'm':
		unit = msatPerMilli
	case 'u':
		unit = msatPerMicro
	case 'n':
		unit = msatPerNano
	case 'p':
		if digits[len(digits)-1] != '0' {
			return 0, invalidf("amount %q is not a whole number of millisatoshi", s)
		}
		// Dropping the 0 as text divides by 10 before parsing, so amounts
		// near the maximum do not overflow 64 bits in pico-bitcoin.
		digits, unit = digits[:len(digits)-1], 1
	default:
		return 0, invalidf("amount %q has invalid multiplier %q", s, mult)
	}
	v, err := strconv.ParseUint(digits, 10, 64)
	if err != nil || v > MaxAmountMsat/unit {
		return 0, invalidf("amount %q is more than 21 million bitcoin", s)
	}
	return v * unit, nil
}

// checkDigits validates the amount's decimal number.
//
// BOLT 11, a writer: MUST encode `amount` as a positive decimal integer
// with no leading 0s. A reader that accepted "0" or "007" would let two
// strings mean one amount, so those are refused as well.
func checkDigits(d string) error {
	if d == "" {
		return invalidf("amount has a multiplier but no digits")
	}
	if len(d) > maxAmountDigits {
		return invalidf("amount %q is too long", d)
	}
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return invalidf("amount %q contains a non-digit", d)
		}
	}
	if d[0] == '0' {
		return invalidf("amount %q is zero or has a leading 0", d)
	}
	return nil
}

// formatAmount is the amount part of the human-readable prefix for msat.
//
// BOLT 11, a writer: SHOULD use the shortest representation possible, by
// using the largest multiplier or omitting the multiplier. If the `p`
// multiplier is used the last decimal of `amount` MUST be `0`.
func formatAmount(msat uint64) string {
	switch {
	case msat == 0:
		return ""
	case msat%msatPerBTC == 0:
		return strconv.FormatUint(msat/msatPerBTC, 10)
	case msat%msatPerMilli == 0:
		return strconv.FormatUint(msat/msatPerMilli, 10) + "m"
	case msat%msatPerMicro == 0:
		return strconv.FormatUint(msat/msatPerMicro, 10) + "u"
	case msat%msatPerNano == 0:
		return strconv.FormatUint(msat/msatPerNano, 10) + "n"
	}
	// Appending the 0 as text avoids multiplying by 10, which could
	// overflow for amounts near MaxAmountMsat.
	return strconv.FormatUint(msat, 10) + "0p"
}
