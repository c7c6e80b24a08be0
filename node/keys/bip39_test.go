package keys

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

// TestBIP39Vectors checks Trezor's English vectors (testdata/bip39_vectors.json):
// entropy → words → seed under the passphrase → BIP32 root key, and for
// 24-word phrases, the words back to the entropy as the wallet reads them.
func TestBIP39Vectors(t *testing.T) {
	var v struct {
		Source     string
		Passphrase string
		English    [][4]string
	}
	loadVectors(t, "bip39_vectors.json", &v)
	words := map[int]int{}
	for i, vec := range v.English {
		entropyHex, mnemonic, seedHex, xprv := vec[0], vec[1], vec[2], vec[3]
		entropy, _ := hex.DecodeString(entropyHex)
		n := len(strings.Fields(mnemonic))
		words[n]++
		m, err := Mnemonic(entropy)
		if err != nil || m != mnemonic {
			t.Errorf("vector %d: Mnemonic = %q, %v; want %q", i, m, err, mnemonic)
		}
		seed, err := SeedFromMnemonic(mnemonic, v.Passphrase)
		if err != nil || hex.EncodeToString(seed) != seedHex {
			t.Errorf("vector %d: seed = %x, %v; want %s", i, seed, err, seedHex)
			continue
		}
		r, err := NewRing(seed, &chaincfg.MainNetParams)
		if err != nil || r.master.String() != xprv {
			t.Errorf("vector %d: root = %v, %v; want %s", i, r.master, err, xprv)
		}
		// The wallet's own path: no passphrase, seed straight from entropy.
		plain, err := SeedFromEntropy(entropy)
		if err != nil {
			t.Errorf("vector %d: SeedFromEntropy: %v", i, err)
		}
		if again, _ := SeedFromMnemonic(mnemonic, ""); !bytes.Equal(plain, again) {
			t.Errorf("vector %d: SeedFromEntropy and SeedFromMnemonic(words, \"\") differ", i)
		}
		if n == 24 {
			back, err := EntropyFromMnemonic(mnemonic)
			if err != nil || !bytes.Equal(back, entropy) {
				t.Errorf("vector %d: EntropyFromMnemonic = %x, %v", i, back, err)
			}
		}
	}
	if words[24] < 8 || words[12] < 3 {
		t.Errorf("vector file thinned out: %v phrases by word count", words)
	}
}

func TestSeedFromMnemonicRefusals(t *testing.T) {
	m12 := "abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon abandon about"
	want, err := SeedFromMnemonic(m12, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, err := SeedFromMnemonic("  ABANDON abandon\tabandon abandon abandon abandon abandon abandon abandon abandon abandon about\n", ""); err != nil || !bytes.Equal(got, want) {
		t.Errorf("spacing and case not forgiven: %v", err)
	}
	for name, tc := range map[string]struct{ in, pass, want string }{
		"count":    {strings.Repeat("abandon ", 11), "", "11 words"},
		"unknown":  {strings.Replace(m12, "about", "aboot", 1), "", `word 12 ("aboot")`},
		"checksum": {strings.Replace(m12, "about", "abandon", 1), "", "checksum"},
	} {
		_, err := SeedFromMnemonic(tc.in, tc.pass)
		if !errors.Is(err, ErrInvalidMnemonic) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want ErrInvalidMnemonic mentioning %q", name, err, tc.want)
		}
	}
	if _, err := SeedFromMnemonic(m12, "pässword"); err == nil || !strings.Contains(err.Error(), "non-ASCII") {
		t.Errorf("non-ASCII passphrase: err %v", err)
	}
}
