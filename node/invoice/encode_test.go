package invoice

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/bech32"
	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/lnwire"
)

// newTestInvoice is an invoice built in code with every kind of field.
func newTestInvoice(t *testing.T) *Invoice {
	t.Helper()
	net := &chaincfg.RegressionNetParams
	hop, _ := btcec.NewPrivateKey()
	scid, _ := lnwire.NewShortChannelID(700000, 12, 1)
	desc := "two coffees"
	secret := [32]byte{7}
	inv := &Invoice{
		Net:                     net,
		AmountMsat:              12_345,
		Timestamp:               time.Unix(1_700_000_000, 0),
		PaymentHash:             [32]byte{1, 2, 3},
		PaymentSecret:           &secret,
		Description:             &desc,
		Expiry:                  2 * time.Hour,
		MinFinalCLTVExpiryDelta: 80,
		Features: lnwire.NewFeatureVector(lnwire.VarOnionOptinRequired,
			lnwire.PaymentSecretRequired, lnwire.BasicMPPOptional, lnwire.PaymentMetadataOptional),
		RouteHints: [][]HopHint{{{NodeID: hop.PubKey(), ShortChannelID: scid,
			FeeBaseMsat: 1000, FeeProportionalMillionths: 1, CLTVExpiryDelta: 144}}},
		Metadata: []byte{0xde, 0xad},
	}
	for _, mk := range []func() (btcutil.Address, error){
		func() (btcutil.Address, error) { return btcutil.NewAddressPubKeyHash(make([]byte, 20), net) },
		func() (btcutil.Address, error) { return btcutil.NewAddressScriptHashFromHash(make([]byte, 20), net) },
		func() (btcutil.Address, error) { return btcutil.NewAddressWitnessPubKeyHash(make([]byte, 20), net) },
		func() (btcutil.Address, error) { return btcutil.NewAddressWitnessScriptHash(make([]byte, 32), net) },
		func() (btcutil.Address, error) { return btcutil.NewAddressTaproot(make([]byte, 32), net) },
		func() (btcutil.Address, error) { return witnessFallback(2, []byte{1, 2, 3}, net) },
	} {
		a, err := mk()
		if err != nil {
			t.Fatal(err)
		}
		inv.Fallbacks = append(inv.Fallbacks, a)
	}
	return inv
}

// TestEncodeNewInvoice encodes an invoice built in code, with every field
// and fallback kind, and decodes it back.
func TestEncodeNewInvoice(t *testing.T) {
	key := specKey(t)
	inv := newTestInvoice(t)
	s, err := inv.Encode(SignWith(key))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(s, "lnbcrt123450p1") {
		t.Errorf("encoded %s, want prefix lnbcrt123450p1", s)
	}
	got, err := Decode(s, inv.Net)
	if err != nil {
		t.Fatal(err)
	}
	inv.Payee = key.PubKey()
	for _, d := range diffInvoices(inv, got) {
		t.Error(d)
	}
	checkWitnessV2(t, got.Fallbacks[5].EncodeAddress())
	if want := inv.Timestamp.Add(2 * time.Hour); !got.ExpiresAt().Equal(want) {
		t.Errorf("ExpiresAt %v, want %v", got.ExpiresAt(), want)
	}
	if got.Memo() != "two coffees" {
		t.Errorf("Memo %q", got.Memo())
	}
}

// checkWitnessV2 decodes the v2 fallback address independently: BIP 350
// says versions above 0 use bech32m.
func checkWitnessV2(t *testing.T, addr string) {
	t.Helper()
	hrp, data, version, err := bech32.DecodeGeneric(addr)
	if err != nil || hrp != "bcrt" || version != bech32.VersionM || len(data) == 0 || data[0] != 2 {
		t.Fatalf("v2 fallback %s: hrp %q version %v err %v", addr, hrp, version, err)
	}
	if prog, err := bech32.ConvertBits(data[1:], 5, 8, false); err != nil || !bytes.Equal(prog, []byte{1, 2, 3}) {
		t.Errorf("v2 fallback program %x, %v", prog, err)
	}
}

// TestDefaults checks that leaving x and c out means 3600 s and 18, both
// for a struct literal and after decoding, and that an explicit x=0 is
// kept as "expires at once".
func TestDefaults(t *testing.T) {
	key := specKey(t)
	inv := newTestInvoice(t)
	inv.Expiry, inv.MinFinalCLTVExpiryDelta = 0, 0
	if want := inv.Timestamp.Add(time.Hour); !inv.ExpiresAt().Equal(want) {
		t.Errorf("struct literal ExpiresAt %v, want %v", inv.ExpiresAt(), want)
	}
	s, err := inv.Encode(SignWith(key))
	if err != nil {
		t.Fatal(err)
	}
	got, err := Decode(s, inv.Net)
	if err != nil {
		t.Fatal(err)
	}
	if got.Expiry != DefaultExpiry || got.MinFinalCLTVExpiryDelta != DefaultMinFinalCLTVExpiryDelta || got.hasExpiry || got.hasCLTV {
		t.Errorf("decoded expiry %v cltv %d, want defaults from absent fields", got.Expiry, got.MinFinalCLTVExpiryDelta)
	}
	ts := inv.Timestamp
	if got.Expired(ts.Add(time.Hour)) || !got.Expired(ts.Add(time.Hour+time.Second)) {
		t.Error("Expired is not strictly after timestamp + expiry")
	}
	zero := signRaw("lnbc", uint64(ts.Unix()), joinFields(testP, testD, field5(tagExpiry, nil)), key)
	inst, err := Decode(zero, &chaincfg.MainNetParams)
	if err != nil {
		t.Fatal(err)
	}
	if !inst.ExpiresAt().Equal(ts) || !inst.Expired(ts.Add(time.Second)) {
		t.Errorf("x=0 invoice expires at %v, want %v", inst.ExpiresAt(), ts)
	}
	if again, err := inst.Encode(SignWith(key)); err != nil || again != zero {
		t.Errorf("x=0 invoice re-encoded to %s (%v), want %s", again, err, zero)
	}
}

// TestEncodeErrors checks that Encode refuses what it could not write
// correctly, and a signer that signs with the wrong key or format.
func TestEncodeErrors(t *testing.T) {
	key := specKey(t)
	other, _ := btcec.NewPrivateKey()
	cases := []struct {
		name   string
		change func(*Invoice)
		sign   func([32]byte) ([65]byte, error)
		want   string
	}{
		{"no network", func(i *Invoice) { i.Net = nil }, nil, "no network"},
		{"no description", func(i *Invoice) { i.Description = nil }, nil, "exactly one of"},
		{"description and hash", func(i *Invoice) { i.DescriptionHash = &[32]byte{} }, nil, "exactly one of"},
		{"secret feature, no secret", func(i *Invoice) { i.PaymentSecret = nil }, nil, "no payment secret"},
		{"unmet dependency", func(i *Invoice) { i.Features.Unset(lnwire.PaymentSecretRequired) }, nil, "requires payment_secret"},
		{"zero timestamp", func(i *Invoice) { i.Timestamp = time.Time{} }, nil, "timestamp"},
		{"timestamp past 35 bits", func(i *Invoice) { i.Timestamp = time.Unix(1<<35, 0) }, nil, "timestamp"},
		{"sub-second expiry", func(i *Invoice) { i.Expiry = 1500 * time.Millisecond }, nil, "whole"},
		{"amount too large", func(i *Invoice) { i.AmountMsat = MaxAmountMsat + 1 }, nil, "21 million"},
		{"description too long", func(i *Invoice) { d := strings.Repeat("x", 640); i.Description = &d }, nil, "more than 1023"},
		{"empty route", func(i *Invoice) { i.RouteHints = [][]HopHint{{}} }, nil, "1 to 12"},
		{"13-hop route", func(i *Invoice) { i.RouteHints = [][]HopHint{make([]HopHint, 13)} }, nil, "1 to 12"},
		{"fallback for mainnet", func(i *Invoice) {
			a, _ := btcutil.NewAddressWitnessPubKeyHash(make([]byte, 20), &chaincfg.MainNetParams)
			i.Fallbacks = []btcutil.Address{a}
		}, nil, "is not for regtest"},
		{"payee is another key", func(i *Invoice) { i.Payee = other.PubKey() }, nil, "but Payee is"},
		{"signer fails", nil, func([32]byte) ([65]byte, error) { return [65]byte{}, errors.New("locked") }, "locked"},
		{"uncompressed header", nil, func(h [32]byte) ([65]byte, error) {
			sig, err := SignWith(key)(h)
			sig[0] -= 4
			return sig, err
		}, "header byte"},
		{"signature over another hash", nil, func(h [32]byte) ([65]byte, error) { return SignWith(key)([32]byte{}) }, "but Payee is"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv := newTestInvoice(t)
			inv.Payee = key.PubKey()
			if c.change != nil {
				c.change(inv)
			}
			sign := c.sign
			if sign == nil {
				sign = SignWith(key)
			}
			s, err := inv.Encode(sign)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Encode = %.30s, %v; want an error saying %q", s, err, c.want)
			}
		})
	}
}
