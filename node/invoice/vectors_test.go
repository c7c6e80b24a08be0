package invoice

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"
)

// vectorFile is testdata/bolt11_vectors.json: BOLT 11's examples with the
// fields the spec's text says each one holds.
type vectorFile struct {
	PrivateKey string          `json:"private_key"`
	Valid      []validVector   `json:"valid"`
	Invalid    []invalidVector `json:"invalid"`
}

// validVector is one valid example and the fields the spec gives for it.
type validVector struct {
	Spec                    string        `json:"spec"`
	Name                    string        `json:"name"`
	Invoice                 string        `json:"invoice"`
	Network                 string        `json:"network"`
	AmountMsat              uint64        `json:"amount_msat"`
	Timestamp               int64         `json:"timestamp"`
	PaymentHash             string        `json:"payment_hash"`
	PaymentSecret           *string       `json:"payment_secret"`
	Description             *string       `json:"description"`
	DescriptionHash         *string       `json:"description_hash"`
	DescriptionHashPreimage *string       `json:"description_hash_preimage"`
	ExpirySeconds           int64         `json:"expiry_seconds"`
	MinFinalCLTV            uint64        `json:"min_final_cltv_expiry_delta"`
	Features                []uint32      `json:"features"`
	RouteHints              [][]hopVector `json:"route_hints"`
	Fallbacks               []string      `json:"fallbacks"`
	Metadata                string        `json:"metadata"`
	Payee                   string        `json:"payee"`
}

// hopVector is one route hint hop as the spec's breakdown lists it.
type hopVector struct {
	Pubkey         string `json:"pubkey"`
	ShortChannelID string `json:"short_channel_id"`
	FeeBase        uint32 `json:"fee_base_msat"`
	FeeProp        uint32 `json:"fee_proportional_millionths"`
	CLTVDelta      uint16 `json:"cltv_expiry_delta"`
}

// invalidVector is one invalid example, the spec's reason, and the
// substring of our error that shows Decode failed for that reason.
type invalidVector struct {
	Name          string `json:"name"`
	Invoice       string `json:"invoice"`
	Network       string `json:"network"`
	Reason        string `json:"reason"`
	ErrorContains string `json:"error_contains"`
}

// loadVectors reads testdata/bolt11_vectors.json.
func loadVectors(t testing.TB) *vectorFile {
	t.Helper()
	b, err := os.ReadFile("testdata/bolt11_vectors.json")
	if err != nil {
		t.Fatal(err)
	}
	var f vectorFile
	if err := json.Unmarshal(b, &f); err != nil {
		t.Fatal(err)
	}
	if len(f.Valid) == 0 || len(f.Invalid) == 0 {
		t.Fatal("no vectors")
	}
	return &f
}

// TestBolt11Vectors decodes every valid example and checks each field,
// re-signs it with the spec's key to get the same string back, and checks
// that every invalid example fails for the reason the spec gives.
//
// The only re-encoding that is not byte-identical is the upper-case
// example: BIP 173 makes lower case the canonical form and Encode writes
// it, so the result is compared with the lower-cased original.
func TestBolt11Vectors(t *testing.T) {
	f := loadVectors(t)
	if f.PrivateKey != specKeyHex {
		t.Fatalf("vector file key %s, want %s", f.PrivateKey, specKeyHex)
	}
	key := specKey(t)
	for _, v := range f.Valid {
		t.Run(v.Name, func(t *testing.T) {
			if got := keyHex(key.PubKey()); got != v.Payee {
				t.Fatalf("spec key's public key %s, vector payee %s", got, v.Payee)
			}
			inv, err := Decode(v.Invoice, networks[v.Network])
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			for _, d := range checkVector(t, inv, &v) {
				t.Error(d)
			}
			s, err := inv.Encode(SignWith(key))
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			if want := strings.ToLower(v.Invoice); s != want {
				t.Errorf("re-encoded:\n got %s\nwant %s", s, want)
			}
			again, err := Decode(s, networks[v.Network])
			if err != nil {
				t.Fatalf("Decode(Encode): %v", err)
			}
			for _, d := range diffInvoices(inv, again) {
				t.Errorf("after round trip: %s", d)
			}
		})
	}
	for _, v := range f.Invalid {
		t.Run("invalid/"+v.Name, func(t *testing.T) {
			_, err := Decode(v.Invoice, networks[v.Network])
			if err == nil {
				t.Fatalf("decoded; want failure: %s", v.Reason)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), v.ErrorContains) {
				t.Errorf("error %q does not say %q (%s)", err, v.ErrorContains, v.Reason)
			}
		})
	}
}

// checkVector compares a decoded invoice with the vector's expected fields.
func checkVector(t *testing.T, inv *Invoice, v *validVector) []string {
	want := &Invoice{
		Net:                     networks[v.Network],
		AmountMsat:              v.AmountMsat,
		Timestamp:               time.Unix(v.Timestamp, 0),
		PaymentHash:             mustHex32(t, v.PaymentHash),
		Description:             v.Description,
		Expiry:                  time.Duration(v.ExpirySeconds) * time.Second,
		MinFinalCLTVExpiryDelta: v.MinFinalCLTV,
		// Compared in their textual forms by checkVectorLists.
		Features:   inv.Features,
		RouteHints: inv.RouteHints,
		Fallbacks:  inv.Fallbacks,
	}
	if v.PaymentSecret != nil {
		s := mustHex32(t, *v.PaymentSecret)
		want.PaymentSecret = &s
	}
	if v.DescriptionHash != nil {
		h := mustHex32(t, *v.DescriptionHash)
		want.DescriptionHash = &h
		// BOLT 11, a reader: MUST check that the SHA2 256-bit hash in the
		// `h` field exactly matches the hashed description.
		if v.DescriptionHashPreimage == nil || sha256.Sum256([]byte(*v.DescriptionHashPreimage)) != h {
			t.Errorf("description hash does not match the spec's description")
		}
	}
	if v.Metadata != "" {
		want.Metadata, _ = hex.DecodeString(v.Metadata)
	}
	want.Payee = inv.Payee
	diffs := diffInvoices(inv, want)
	if got := keyHex(inv.Payee); got != v.Payee {
		diffs = append(diffs, "Payee: "+got+" != "+v.Payee)
	}
	diffs = append(diffs, checkVectorLists(inv, v)...)
	return diffs
}

// checkVectorLists compares features, route hints and fallbacks, which the
// vector gives in their textual forms.
func checkVectorLists(inv *Invoice, v *validVector) []string {
	var diffs []string
	cmp := func(name string, got, want any) {
		if g, w := fmt.Sprint(got), fmt.Sprint(want); g != w {
			diffs = append(diffs, name+": "+g+" != "+w)
		}
	}
	var bits []uint32
	for _, b := range inv.Features.Bits() {
		bits = append(bits, uint32(b))
	}
	cmp("Features", bits, v.Features)
	var wantRoutes [][]string
	for _, r := range v.RouteHints {
		var hops []string
		for _, h := range r {
			hops = append(hops, fmt.Sprintf("%s %s %d %d %d", h.Pubkey, h.ShortChannelID, h.FeeBase, h.FeeProp, h.CLTVDelta))
		}
		wantRoutes = append(wantRoutes, hops)
	}
	cmp("RouteHints", routeStrings(inv.RouteHints), wantRoutes)
	var addrs []string
	for _, a := range inv.Fallbacks {
		addrs = append(addrs, a.EncodeAddress())
	}
	cmp("Fallbacks", addrs, v.Fallbacks)
	return diffs
}
