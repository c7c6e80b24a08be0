package invoice

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg"
)

// specKeyHex is the key every BOLT 11 example is signed with.
const specKeyHex = "e126f68f7eafcc8b74f54d269fe206be715000f94dac067d1c04a8ca3b2db734"

// specKey parses specKeyHex.
func specKey(t testing.TB) *btcec.PrivateKey {
	t.Helper()
	b, err := hex.DecodeString(specKeyHex)
	if err != nil {
		t.Fatal(err)
	}
	key, _ := btcec.PrivKeyFromBytes(b)
	return key
}

// networks are the params a test may name.
var networks = map[string]*chaincfg.Params{
	"mainnet":  &chaincfg.MainNetParams,
	"testnet3": &chaincfg.TestNet3Params,
	"signet":   &chaincfg.SigNetParams,
	"regtest":  &chaincfg.RegressionNetParams,
}

// diffInvoices lists every exported field in which a and b differ.
func diffInvoices(a, b *Invoice) []string {
	var d []string
	add := func(name string, x, y any) {
		if !reflect.DeepEqual(x, y) {
			d = append(d, fmt.Sprintf("%s: %v != %v", name, x, y))
		}
	}
	add("Net", a.Net.Name, b.Net.Name)
	add("AmountMsat", a.AmountMsat, b.AmountMsat)
	add("Timestamp", a.Timestamp.Unix(), b.Timestamp.Unix())
	add("PaymentHash", a.PaymentHash, b.PaymentHash)
	add("PaymentSecret", a.PaymentSecret, b.PaymentSecret)
	add("Description", a.Description, b.Description)
	add("DescriptionHash", a.DescriptionHash, b.DescriptionHash)
	add("Payee", keyHex(a.Payee), keyHex(b.Payee))
	add("Expiry", a.Expiry, b.Expiry)
	add("MinFinalCLTVExpiryDelta", a.MinFinalCLTVExpiryDelta, b.MinFinalCLTVExpiryDelta)
	add("Features", a.Features.Bits(), b.Features.Bits())
	add("RouteHints", routeStrings(a.RouteHints), routeStrings(b.RouteHints))
	add("Fallbacks", addrStrings(a), addrStrings(b))
	if !bytes.Equal(a.Metadata, b.Metadata) || (a.Metadata == nil) != (b.Metadata == nil) {
		d = append(d, fmt.Sprintf("Metadata: %x != %x", a.Metadata, b.Metadata))
	}
	return d
}

// keyHex is a key in compressed hex, for messages and comparison.
func keyHex(k *btcec.PublicKey) string {
	if k == nil {
		return "<nil>"
	}
	return hex.EncodeToString(k.SerializeCompressed())
}

// routeStrings renders route hints for comparison and messages.
func routeStrings(routes [][]HopHint) [][]string {
	var out [][]string
	for _, r := range routes {
		var hops []string
		for _, h := range r {
			hops = append(hops, fmt.Sprintf("%s %s %d %d %d", keyHex(h.NodeID), h.ShortChannelID,
				h.FeeBaseMsat, h.FeeProportionalMillionths, h.CLTVExpiryDelta))
		}
		out = append(out, hops)
	}
	return out
}

// addrStrings renders fallbacks with their types, so a P2WPKH that came
// back as some other type with the same string would still differ.
func addrStrings(inv *Invoice) []string {
	var out []string
	for _, a := range inv.Fallbacks {
		out = append(out, fmt.Sprintf("%T %s", a, a.EncodeAddress()))
	}
	return out
}

// mustHex32 decodes a 64-digit hex string.
func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	var out [32]byte
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad 32-byte hex %q", s)
	}
	copy(out[:], b)
	return out
}

// signRaw builds an invoice from a human-readable part, a timestamp and the
// 5-bit tagged-field data, with a valid checksum and a signature by key, so
// tests can reach the reader rules behind those two checks.
func signRaw(hrp string, ts uint64, fields []byte, key *btcec.PrivateKey) string {
	data := append(uintTo5Fixed(ts, timestampLen), fields...)
	hash := sigHash(hrp, data)
	c := ecdsa.SignCompact(key, hash[:], true)
	sig := append(c[1:], c[0]-compactHeader)
	return encodeBech32(hrp, append(data, to5(sig)...))
}

// field5 is one tagged field with 5-bit data.
func field5(tag byte, data []byte) []byte {
	return append([]byte{tag, byte(len(data) >> 5), byte(len(data) & 31)}, data...)
}

// field8 is one tagged field holding bytes.
func field8(tag byte, b []byte) []byte { return field5(tag, to5(b)) }

// joinFields concatenates tagged fields.
func joinFields(fields ...[]byte) []byte {
	var out []byte
	for _, f := range fields {
		out = append(out, f...)
	}
	return out
}
