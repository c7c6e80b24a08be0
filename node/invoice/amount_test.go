package invoice

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

// TestParseAmount checks the human-readable amount against the spec's
// reader rules: multipliers, the trailing 0 of `p`, no leading zeros, and
// the 21 million bitcoin cap.
func TestParseAmount(t *testing.T) {
	ok := map[string]uint64{
		"":            0,
		"1":           msatPerBTC,
		"20m":         2_000_000_000,
		"2500u":       250_000_000,
		"1n":          100,
		"10p":         1,
		"9678785340p": 967_878_534,
		"21000000":    MaxAmountMsat,
	}
	for s, want := range ok {
		if got, err := parseAmount(s); err != nil || got != want {
			t.Errorf("parseAmount(%q) = %d, %v; want %d", s, got, err, want)
		}
	}
	bad := []string{
		"1p",                    // sub-millisatoshi
		"0", "0m", "01m", "007", // zero or leading zero
		"m", "2500x", "25m0", "1.5m", "-1", // no digits, bad multiplier, non-digit
		"21000001", "21000000001m", // over 21 million bitcoin
		"210000000000000000010p", // too many digits
		"18446744073709551616",   // overflows 64 bits
	}
	for _, s := range bad {
		if got, err := parseAmount(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("parseAmount(%q) = %d, %v; want ErrInvalid", s, got, err)
		}
	}
}

// TestFormatAmount checks the shortest form and that it parses back.
func TestFormatAmount(t *testing.T) {
	want := map[uint64]string{
		0:             "",
		1:             "10p",
		100:           "1n",
		250_000_000:   "2500u",
		2_000_000_000: "20m",
		msatPerBTC:    "1",
		967_878_534:   "9678785340p",
		MaxAmountMsat: "21000000",
	}
	for msat, s := range want {
		if got := formatAmount(msat); got != s {
			t.Errorf("formatAmount(%d) = %q, want %q", msat, got, s)
		}
	}
	for _, msat := range []uint64{1, 99, 101, 123_456_789, MaxAmountMsat - 1, MaxAmountMsat} {
		if got, err := parseAmount(formatAmount(msat)); err != nil || got != msat {
			t.Errorf("parseAmount(formatAmount(%d)) = %d, %v", msat, got, err)
		}
	}
}

// TestPrefix checks the prefix of each network, testnet4 included.
func TestPrefix(t *testing.T) {
	testnet4 := chaincfg.TestNet3Params
	testnet4.Name = "testnet4"
	cases := []struct {
		net  *chaincfg.Params
		want string
	}{
		{&chaincfg.MainNetParams, "lnbc"},
		{&chaincfg.TestNet3Params, "lntb"},
		{&testnet4, "lntb"},
		{&chaincfg.SigNetParams, "lntbs"},
		{&chaincfg.RegressionNetParams, "lnbcrt"},
	}
	for _, c := range cases {
		if got, err := Prefix(c.net); err != nil || got != c.want {
			t.Errorf("Prefix(%s) = %q, %v; want %q", c.net.Name, got, err, c.want)
		}
	}
	if p, err := Prefix(&chaincfg.SimNetParams); err == nil {
		t.Errorf("Prefix(simnet) = %q, want an error", p)
	}
	if _, err := Prefix(nil); err == nil {
		t.Error("Prefix(nil) succeeded")
	}
}
