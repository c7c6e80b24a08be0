package invoice

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"
)

// Fields shared by the reader-rule cases.
var (
	testHash   = bytes.Repeat([]byte{0x01}, 32)
	testSecret = bytes.Repeat([]byte{0x11}, 32)
	testP      = field8(tagPaymentHash, testHash)
	testS      = field8(tagPaymentSecret, testSecret)
	testD      = field8(tagDescription, []byte("coffee"))
	testH      = field8(tagDescriptionHash, bytes.Repeat([]byte{0x22}, 32))
)

// features9 is a `9` field with the given bits.
func features9(bits ...uint32) []byte {
	var f []byte
	for _, b := range bits {
		for int(b)/5 >= len(f) {
			f = append([]byte{0}, f...)
		}
		f[len(f)-1-int(b)/5] |= 1 << (b % 5)
	}
	return field5(tagFeatures, f)
}

// TestDecodeReaderRules checks BOLT 11's reader requirements on invoices
// that are otherwise valid: correct checksum, correct signature.
func TestDecodeReaderRules(t *testing.T) {
	key := specKey(t)
	other, _ := btcec.NewPrivateKey()
	cases := []struct {
		name    string
		hrp     string
		fields  []byte
		wantErr string // "" for success
	}{
		{"minimal", "lnbc", joinFields(testP, testD), ""},
		{"no payment hash", "lnbc", joinFields(testD), "no payment hash"},
		{"two payment hashes", "lnbc", joinFields(testP, testP, testD), `field "p": appears more than once`},
		{"short p skipped, then a valid one", "lnbc", joinFields(field5(tagPaymentHash, make([]byte, 51)), testP, testD), ""},
		{"only a short p", "lnbc", joinFields(field5(tagPaymentHash, make([]byte, 51)), testD), "no payment hash"},
		{"p with non-zero padding", "lnbc", joinFields(field5(tagPaymentHash, append(make([]byte, 51), 1)), testD), "padding bits are not zero"},
		{"both d and h", "lnbc", joinFields(testP, testD, testH), "exactly one of a description"},
		{"neither d nor h", "lnbc", joinFields(testP), "exactly one of a description"},
		{"d not UTF-8", "lnbc", joinFields(testP, field8(tagDescription, []byte{0xff, 0xfe})), "not valid UTF-8"},
		{"payment_secret feature without s", "lnbc", joinFields(testP, testD, features9(8, 14)), "no payment secret"},
		{"optional payment_secret without s", "lnbc", joinFields(testP, testD, features9(15)), "no payment secret"},
		{"basic_mpp without payment_secret", "lnbc", joinFields(testP, testD, testS, features9(16)), "requires payment_secret"},
		{"basic_mpp with payment_secret", "lnbc", joinFields(testP, testD, testS, features9(14, 17)), ""},
		{"unknown odd feature ignored", "lnbc", joinFields(testP, testD, features9(1001)), ""},
		{"unknown even feature", "lnbc", joinFields(testP, testD, features9(1000)), "unknown(1000)"},
		{"n matches the signer", "lnbc", joinFields(testP, testD, field8(tagNodeID, key.PubKey().SerializeCompressed())), ""},
		{"n is another key", "lnbc", joinFields(testP, testD, field8(tagNodeID, other.PubKey().SerializeCompressed())), "does not match the payee"},
		{"n not a point", "lnbc", joinFields(testP, testD, field8(tagNodeID, append([]byte{5}, make([]byte, 32)...))), "not a public key"},
		{"route of 50 bytes", "lnbc", joinFields(testP, testD, field8(tagRoute, make([]byte, 50))), "whole number of 51-byte hops"},
		{"fallback version 19 skipped", "lnbc", joinFields(testP, testD, field5(tagFallback, append([]byte{19}, make([]byte, 32)...))), ""},
		{"fallback v0 of 21 bytes", "lnbc", joinFields(testP, testD, field5(tagFallback, append([]byte{0}, to5(make([]byte, 21))...))), "want 20 or 32"},
		{"fallback p2pkh of 19 bytes", "lnbc", joinFields(testP, testD, field5(tagFallback, append([]byte{17}, to5(make([]byte, 19))...))), `field "f"`},
		{"expiry beyond time.Duration", "lnbc", joinFields(testP, testD, field5(tagExpiry, uintTo5(1<<40))), "too long to represent"},
		{"expiry with leading zero values", "lnbc", joinFields(testP, testD, field5(tagExpiry, append(make([]byte, 20), 3))), ""},
		{"cltv beyond 64 bits", "lnbc", joinFields(testP, testD, field5(tagMinFinalCLTV, append([]byte{1}, make([]byte, 13)...))), "does not fit 64 bits"},
		{"field longer than the data", "lnbc", joinFields(testP, testD, []byte{tagMetadata, 1, 0}), "data_length 32 but only 0"},
		{"dangling header", "lnbc", joinFields(testP, testD, []byte{tagMetadata, 1}), "too few for a field header"},
		{"leading zero amount", "lnbc01m", joinFields(testP, testD), "leading 0"},
		{"over 21 million bitcoin", "lnbc21000001", joinFields(testP, testD), "more than 21 million"},
		{"unknown prefix", "lnxy", joinFields(testP, testD), `unknown prefix "lnxy"`},
		{"not ln", "bc", joinFields(testP, testD), `does not start with "ln"`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			inv, err := Decode(signRaw(c.hrp, 1496314658, c.fields, key), &chaincfg.MainNetParams)
			if c.wantErr == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if !inv.Payee.IsEqual(key.PubKey()) {
					t.Error("payee is not the signer")
				}
				return
			}
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), c.wantErr) {
				t.Fatalf("Decode error %v, want ErrInvalid saying %q", err, c.wantErr)
			}
		})
	}
}

// TestDecodeNetworkAndForm checks the wrong-network error, the URI
// prefix, upper case, the length bound and a nil network.
func TestDecodeNetworkAndForm(t *testing.T) {
	v := loadVectors(t).Valid[0] // mainnet donation
	_, err := Decode(v.Invoice, &chaincfg.TestNet3Params)
	if !errors.Is(err, ErrWrongNetwork) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("mainnet invoice on testnet: %v, want ErrWrongNetwork and ErrInvalid", err)
	}
	if msg := err.Error(); !strings.Contains(msg, "mainnet") || !strings.Contains(msg, "testnet3") {
		t.Errorf("error %q does not name both networks", msg)
	}
	for _, s := range []string{"lightning:" + v.Invoice, "LIGHTNING:" + strings.ToUpper(v.Invoice)} {
		if _, err := Decode(s, &chaincfg.MainNetParams); err != nil {
			t.Errorf("Decode(%.20s...): %v", s, err)
		}
	}
	if _, err := Decode("lightning://"+v.Invoice, &chaincfg.MainNetParams); err == nil {
		t.Error(`accepted "lightning://", which the spec says is not the prefix`)
	}
	long := v.Invoice + strings.Repeat("q", MaxLength)
	if _, err := Decode(long, &chaincfg.MainNetParams); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "QR") {
		t.Errorf("over-long invoice: %v", err)
	}
	if _, err := Decode(v.Invoice, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("nil network: %v", err)
	}
}

// rewriteSig changes the signature bytes (r, s, recovery id) of an
// invoice and fixes up the checksum.
func rewriteSig(t *testing.T, s string, change func(sig []byte)) string {
	t.Helper()
	hrp, data, err := decodeBech32(s)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := from5(data[len(data)-signatureLen:])
	if err != nil {
		t.Fatal(err)
	}
	change(sig)
	return encodeBech32(hrp, append(data[:len(data)-signatureLen:len(data)-signatureLen], to5(sig)...))
}

// TestDecodeRecoveryID checks that a recovery id beyond 3 is refused even
// though the rest of the signature is sound.
func TestDecodeRecoveryID(t *testing.T) {
	s := signRaw("lnbc", 1496314658, joinFields(testP, testD), specKey(t))
	bad := rewriteSig(t, s, func(sig []byte) { sig[64] = 4 })
	_, err := Decode(bad, &chaincfg.MainNetParams)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "recovery id 4") {
		t.Fatalf("Decode: %v, want the recovery id refused", err)
	}
}

// TestDecodeHighS checks that a high-S signature (s replaced by N-s, which
// flips the recovery id's parity) is accepted both by recovery and against
// an `n` field: BOLT 11 asks for a valid signature, and low S is a
// transaction-relay rule, not an ECDSA one. Encode always writes low S, so
// such an invoice re-encodes to a different string with the same fields.
func TestDecodeHighS(t *testing.T) {
	key := specKey(t)
	withN := joinFields(testP, testD, field8(tagNodeID, key.PubKey().SerializeCompressed()))
	for _, fields := range [][]byte{joinFields(testP, testD), withN} {
		low := signRaw("lnbc", 1496314658, fields, key)
		high := rewriteSig(t, low, func(sig []byte) {
			var s btcec.ModNScalar
			s.SetByteSlice(sig[32:64])
			b := s.Negate().Bytes()
			copy(sig[32:64], b[:])
			sig[64] ^= 1
		})
		inv, err := Decode(high, &chaincfg.MainNetParams)
		if err != nil {
			t.Fatalf("high-S invoice: %v", err)
		}
		if !inv.Payee.IsEqual(key.PubKey()) {
			t.Error("high-S invoice: wrong payee")
		}
		if again, err := inv.Encode(SignWith(key)); err != nil || again != low {
			t.Errorf("high-S invoice re-encoded to %s (%v), want the low-S %s", again, err, low)
		}
	}
}
