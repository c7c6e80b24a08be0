package keys

import (
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// TestBIP32Vectors checks BIP32's test vectors 1-3
// (testdata/bip32_vectors.json) through NewRing and derivePath, the code
// every Ring and Account key comes from. Vector 3 guards the leading-zero
// bug that once made hdkeychain derive other keys than everyone else.
func TestBIP32Vectors(t *testing.T) {
	var v struct {
		Source  string
		Vectors []struct {
			Name   string
			Seed   string
			Chains []struct{ Path, XPub, XPrv string }
		}
	}
	loadVectors(t, "bip32_vectors.json", &v)
	if len(v.Vectors) != 3 {
		t.Fatalf("%d vectors, want 3", len(v.Vectors))
	}
	for _, vec := range v.Vectors {
		seed, _ := hex.DecodeString(vec.Seed)
		r, err := NewRing(seed, &chaincfg.MainNetParams)
		if err != nil {
			t.Fatalf("%s: %v", vec.Name, err)
		}
		var parentPub *hdkeychain.ExtendedKey
		for _, c := range vec.Chains {
			path, err := parsePath(c.Path)
			if err != nil {
				t.Fatal(err)
			}
			k, err := derivePath(r.master, path...)
			if err != nil {
				t.Fatalf("%s %s: %v", vec.Name, c.Path, err)
			}
			if k.String() != c.XPrv {
				t.Errorf("%s %s: xprv %s, want %s", vec.Name, c.Path, k, c.XPrv)
			}
			pub, err := k.Neuter()
			if err != nil || pub.String() != c.XPub {
				t.Errorf("%s %s: xpub %v (%v), want %s", vec.Name, c.Path, pub, err, c.XPub)
			}
			// A non-hardened step also derives from the parent's public
			// key alone, as Account.PubKey does.
			if n := len(path); n > 0 && path[n-1] < hdkeychain.HardenedKeyStart && parentPub != nil {
				child, err := derivePath(parentPub, path[n-1])
				if err != nil || child.String() != c.XPub {
					t.Errorf("%s %s: public derivation %v (%v), want %s", vec.Name, c.Path, child, err, c.XPub)
				}
			}
			parentPub = pub
		}
	}
}
