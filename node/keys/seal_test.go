package keys

import (
	"bytes"
	"errors"
	"testing"
)

// TestSealBindsItsPrefix: the ad a caller keeps in front of a blob (a
// file's magic and version) is authenticated with it.
func TestSealBindsItsPrefix(t *testing.T) {
	fast := ScryptParams{LogN: 10, R: 1, P: 1}
	blob, err := Seal([]byte("secret"), "pw", fast, []byte("MAGIC1"))
	if err != nil {
		t.Fatal(err)
	}
	if out, err := Open(blob, "pw", []byte("MAGIC1")); err != nil || string(out) != "secret" {
		t.Fatalf("open: %q %v", out, err)
	}
	if _, err := Open(blob, "pw", []byte("MAGIC2")); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("another prefix opened the blob: %v", err)
	}
	if _, err := Open(blob, "pw", nil); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("no prefix opened the blob: %v", err)
	}
	p, err := SealedParams(blob)
	if err != nil || p != fast {
		t.Errorf("sealed params %+v %v, want %+v", p, err, fast)
	}
	if _, err := SealedParams(blob[:SealOverhead-1]); err == nil {
		t.Error("a short blob has parameters")
	}
	bad := append([]byte(nil), blob...)
	bad[1] = 30
	if _, err := SealedParams(bad); err == nil {
		t.Error("N=2^30 accepted")
	}
}

// TestSealWithoutPrefixIsTheSeedBlob: EncryptEntropy's blobs open with
// Open and no prefix, so the stored seeds of existing wallets still open.
func TestSealWithoutPrefixIsTheSeedBlob(t *testing.T) {
	fast := ScryptParams{LogN: 10, R: 1, P: 1}
	e := bytes.Repeat([]byte{3}, 32)
	blob, err := EncryptEntropy(e, "pw", fast)
	if err != nil {
		t.Fatal(err)
	}
	if out, err := Open(blob, "pw", nil); err != nil || !bytes.Equal(out, e) {
		t.Fatalf("open a seed blob: %v", err)
	}
	if got := DefaultScrypt.MemoryBytes(); got != 32<<20 {
		t.Errorf("default scrypt needs %d bytes, want 32 MiB", got)
	}
}
