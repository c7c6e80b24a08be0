package keys

import (
	"bytes"
	"testing"
)

// FuzzDecryptEntropy: a stored blob is input from disk; whatever it holds,
// opening it returns an error or the sealed bytes, never a panic, and only
// the right password opens it.
func FuzzDecryptEntropy(f *testing.F) {
	fast := ScryptParams{LogN: 10, R: 1, P: 1}
	good, err := EncryptEntropy(bytes.Repeat([]byte{1}, 32), "pw", fast)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(good, "pw")
	f.Add(good, "wrong")
	f.Add(good[:headerLen], "pw")
	f.Add([]byte{sealVersion, 22, 255, 255}, "pw")
	f.Add([]byte{}, "")
	f.Fuzz(func(t *testing.T, blob []byte, pw string) {
		// Costly parameters would make the fuzzer crawl, not find bugs.
		if len(blob) > 3 && (blob[1] > 12 || blob[2] > 8 || blob[3] > 2) {
			return
		}
		// Seeds are sealed afresh in each fuzz worker, so compare contents:
		// only a blob sealed under "pw" over 32 bytes of 1s may open.
		out, err := DecryptEntropy(blob, pw)
		if err == nil && (pw != "pw" || !bytes.Equal(out, bytes.Repeat([]byte{1}, 32))) {
			t.Fatalf("a blob that is not ours opened: %x", out)
		}
	})
}

// FuzzEntropyFromMnemonic: typed words never panic and only valid 24-word
// phrases give entropy that turns back into the same words.
func FuzzEntropyFromMnemonic(f *testing.F) {
	m, _ := Mnemonic(make([]byte, 32))
	f.Add(m)
	f.Add("abandon abandon")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		e, err := EntropyFromMnemonic(s)
		if err != nil {
			return
		}
		back, err := Mnemonic(e)
		if err != nil || len(e) != 32 {
			t.Fatalf("accepted %q but entropy %x does not render: %v", s, e, err)
		}
		if _, err := EntropyFromMnemonic(back); err != nil {
			t.Fatalf("round trip of %q failed: %v", s, err)
		}
	})
}
