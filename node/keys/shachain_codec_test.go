package keys

import (
	"bytes"
	"errors"
	"testing"
)

func TestRevocationStoreRoundTrip(t *testing.T) {
	seed := [32]byte{7}
	var s RevocationStore
	for i := uint64(0); i < 300; i++ {
		idx := MaxCommitmentIndex - i
		sec, err := PerCommitmentSecret(seed, idx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InsertSecret(sec, idx); err != nil {
			t.Fatal(err)
		}
		b, err := s.MarshalBinary()
		if err != nil {
			t.Fatal(err)
		}
		var back RevocationStore
		if err := back.UnmarshalBinary(b); err != nil {
			t.Fatalf("after %d secrets: %v", i+1, err)
		}
		if back != s {
			t.Fatalf("after %d secrets: store changed across encoding", i+1)
		}
		b2, _ := back.MarshalBinary()
		if !bytes.Equal(b, b2) {
			t.Fatal("encoding not stable")
		}
	}
	got, err := s.LookUp(MaxCommitmentIndex - 17)
	want, _ := PerCommitmentSecret(seed, MaxCommitmentIndex-17)
	if err != nil || got != want {
		t.Fatalf("lookup after round trip: %v", err)
	}
}

func TestRevocationStoreDecodeRejects(t *testing.T) {
	for name, b := range map[string][]byte{
		"empty":       nil,
		"version":     append([]byte{9}, make([]byte, 8)...),
		"truncated":   append([]byte{1}, make([]byte, 8+5)...),
		"bad bucket":  append(append([]byte{1}, make([]byte, 8)...), append([]byte{49}, make([]byte, 40)...)...),
		"dup buckets": append(append([]byte{1}, make([]byte, 8)...), append(append([]byte{3}, make([]byte, 40)...), append([]byte{3}, make([]byte, 40)...)...)...),
	} {
		var s RevocationStore
		if err := s.UnmarshalBinary(b); !errors.Is(err, ErrRevocationStoreEncoding) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}
