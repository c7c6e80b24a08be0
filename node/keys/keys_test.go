package keys

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

func TestMnemonicRoundTrip(t *testing.T) {
	e, err := NewEntropy()
	if err != nil {
		t.Fatal(err)
	}
	m, err := Mnemonic(e)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(strings.Fields(m)); n != 24 {
		t.Fatalf("%d words, want 24", n)
	}
	// People type words with odd spacing and capitals.
	back, err := EntropyFromMnemonic("  " + strings.ToUpper(strings.ReplaceAll(m, " ", "   ")) + "\n")
	if err != nil || !bytes.Equal(back, e) {
		t.Fatalf("round trip: %v", err)
	}
}

func TestMnemonicRefusals(t *testing.T) {
	e := make([]byte, 32)
	m, _ := Mnemonic(e) // "abandon" x23 + "art"
	words := strings.Fields(m)
	swapped := append([]string{}, words...)
	swapped[23] = "abandon" // a real word, but the checksum no longer matches
	for name, tc := range map[string]struct{ in, want string }{
		"count":    {strings.Join(words[:12], " "), "12 words, want 24"},
		"unknown":  {strings.Join(append(append([]string{}, words[:5]...), append([]string{"bitcoinz"}, words[6:]...)...), " "), `word 6 ("bitcoinz")`},
		"checksum": {strings.Join(swapped, " "), "checksum"},
	} {
		_, err := EntropyFromMnemonic(tc.in)
		if !errors.Is(err, ErrInvalidMnemonic) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v, want ErrInvalidMnemonic mentioning %q", name, err, tc.want)
		}
	}
}

func TestNodeKeyDerivation(t *testing.T) {
	seed, err := SeedFromEntropy(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	reg, _ := NewRing(seed, &chaincfg.RegressionNetParams)
	reg2, _ := NewRing(seed, &chaincfg.RegressionNetParams)
	main, _ := NewRing(seed, &chaincfg.MainNetParams)
	a, err := reg.NodeKey()
	if err != nil {
		t.Fatal(err)
	}
	b, _ := reg2.NodeKey()
	c, _ := main.NodeKey()
	if !a.PubKey().IsEqual(b.PubKey()) {
		t.Error("node key is not deterministic")
	}
	if a.PubKey().IsEqual(c.PubKey()) {
		t.Error("mainnet and regtest share a node key: the coin type is not in the path")
	}
	other, _ := reg.Derive(FamilyMultiSig, 0)
	if a.PubKey().IsEqual(other.PubKey()) {
		t.Error("families collide")
	}
}

func TestSealRoundTripAndRefusals(t *testing.T) {
	fast := ScryptParams{LogN: 10, R: 8, P: 1}
	e := bytes.Repeat([]byte{7}, 32)
	blob, err := EncryptEntropy(e, "correct horse", fast)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecryptEntropy(blob, "correct horse")
	if err != nil || !bytes.Equal(got, e) {
		t.Fatalf("round trip: %v", err)
	}
	if _, err := DecryptEntropy(blob, "wrong horse"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	for i := range blob { // every byte, header included, is authenticated
		bad := append([]byte(nil), blob...)
		bad[i] ^= 1
		if _, err := DecryptEntropy(bad, "correct horse"); err == nil {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
	}
	if _, err := DecryptEntropy(blob[:10], "correct horse"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("truncated blob: %v", err)
	}
	if _, err := EncryptEntropy(e, "", fast); err == nil {
		t.Error("empty password accepted")
	}
	again, _ := EncryptEntropy(e, "correct horse", fast)
	if bytes.Equal(again, blob) {
		t.Error("two encryptions are identical: salt or nonce not random")
	}
}
