package invoice

import (
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// fuzzKey is a fixed key other than the spec's, so a round trip proves
// Encode signs with what it is given rather than echoing the input.
func fuzzKey() *btcec.PrivateKey {
	seed := sha256.Sum256([]byte("lnwasm invoice fuzz key"))
	key, _ := btcec.PrivKeyFromBytes(seed[:])
	return key
}

// FuzzDecode feeds Decode arbitrary strings, seeded with every BOLT 11
// example. Decode must never panic and must fail only with ErrInvalid; an
// invoice it accepts must re-encode under another key and decode again to
// the same fields.
func FuzzDecode(f *testing.F) {
	vf := loadVectors(f)
	for _, v := range vf.Valid {
		f.Add(v.Invoice)
	}
	for _, v := range vf.Invalid {
		f.Add(v.Invoice)
	}
	key := fuzzKey()
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range []string{"mainnet", "testnet3", "signet", "regtest"} {
			inv, err := Decode(s, networks[name])
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v does not wrap ErrInvalid", err)
				}
				continue
			}
			checkRoundTrip(t, inv, key)
		}
	})
}

// checkRoundTrip re-signs inv with key and decodes the result.
func checkRoundTrip(t *testing.T, inv *Invoice, key *btcec.PrivateKey) {
	t.Helper()
	if inv.Payee == nil {
		t.Fatal("decoded invoice has no payee")
	}
	inv.Payee = key.PubKey()
	s, err := inv.Encode(SignWith(key))
	if err != nil {
		t.Fatalf("Encode of a decoded invoice: %v", err)
	}
	again, err := Decode(s, inv.Net)
	if err != nil {
		t.Fatalf("Decode(Encode(inv)) = %v\n%s", err, s)
	}
	for _, d := range diffInvoices(inv, again) {
		t.Errorf("round trip changed %s", d)
	}
	if s2, err := again.Encode(SignWith(key)); err != nil || s2 != s {
		t.Errorf("second encode differs (%v):\n%s\n%s", err, s, s2)
	}
}

// FuzzDecodeSigned fuzzes what lies behind the checksum and the signature,
// which random strings almost never get past: it signs whatever tagged
// fields it is given under a fuzzed human-readable part, then holds Decode
// to the same rules as FuzzDecode, and to recovering the signing key.
func FuzzDecodeSigned(f *testing.F) {
	for _, v := range loadVectors(f).Valid {
		hrp, data, err := decodeBech32(v.Invoice)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(hrp, data[timestampLen:len(data)-signatureLen])
	}
	key := fuzzKey()
	f.Fuzz(func(t *testing.T, hrp string, fields []byte) {
		if !validHRP(hrp) {
			return
		}
		for i := range fields {
			fields[i] &= 31
		}
		s := signRaw(hrp, 1496314658, fields, key)
		for _, name := range []string{"mainnet", "testnet3", "signet", "regtest"} {
			inv, err := Decode(s, networks[name])
			if err != nil {
				if !errors.Is(err, ErrInvalid) {
					t.Fatalf("error %v does not wrap ErrInvalid", err)
				}
				continue
			}
			if !inv.Payee.IsEqual(key.PubKey()) {
				t.Fatalf("payee %x, want the signer", inv.Payee.SerializeCompressed())
			}
			checkRoundTrip(t, inv, key)
		}
	})
}

// validHRP reports whether bech32 allows hrp (BIP 173: 1 to 83 printable
// ASCII characters; lower case, as the encoder writes).
func validHRP(hrp string) bool {
	if len(hrp) == 0 || len(hrp) > 83 {
		return false
	}
	for i := 0; i < len(hrp); i++ {
		if c := hrp[i]; c < 33 || c > 126 || (c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}
