package keys

import (
	"encoding/hex"
	"errors"
	"testing"
)

// shachainVectors mirrors testdata/bolt03_shachain.json, BOLT 3 Appendix D.
type shachainVectors struct {
	Source     string `json:"source"`
	Generation []struct {
		Name   string `json:"name"`
		Seed   string `json:"seed"`
		I      uint64 `json:"I"`
		Output string `json:"output"`
	} `json:"generation"`
	Storage []struct {
		Name  string `json:"name"`
		Steps []struct {
			I      uint64 `json:"I"`
			Secret string `json:"secret"`
			Output string `json:"output"`
		} `json:"steps"`
	} `json:"storage"`
}

func hex32(t *testing.T, s string) [32]byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != 32 {
		t.Fatalf("bad 32-byte hex %q: %v", s, err)
	}
	var out [32]byte
	copy(out[:], b)
	return out
}

// TestBolt03ShachainVectors checks every generation and storage vector of
// BOLT 3 Appendix D, including the storage cases that must fail.
func TestBolt03ShachainVectors(t *testing.T) {
	var v shachainVectors
	loadVectors(t, "bolt03_shachain.json", &v)
	if len(v.Generation) != 5 || len(v.Storage) != 9 {
		t.Fatalf("expected 5 generation and 9 storage vectors, got %d and %d",
			len(v.Generation), len(v.Storage))
	}
	for _, g := range v.Generation {
		t.Run(g.Name, func(t *testing.T) {
			got, err := PerCommitmentSecret(hex32(t, g.Seed), g.I)
			if err != nil {
				t.Fatal(err)
			}
			if want := hex32(t, g.Output); got != want {
				t.Fatalf("got %x, want %x", got, want)
			}
		})
	}
	for _, sv := range v.Storage {
		t.Run(sv.Name, func(t *testing.T) {
			var s RevocationStore
			for i, step := range sv.Steps {
				err := s.InsertSecret(hex32(t, step.Secret), step.I)
				switch step.Output {
				case "OK":
					if err != nil {
						t.Fatalf("step %d: %v", i, err)
					}
				case "ERROR":
					if !errors.Is(err, ErrSecretMismatch) {
						t.Fatalf("step %d: got %v, want ErrSecretMismatch", i, err)
					}
				default:
					t.Fatalf("step %d: unknown output %q", i, step.Output)
				}
			}
		})
	}
}

// TestRevocationStoreLookUp checks that every inserted secret can be derived
// back out of the compact store, and that unrevealed ones are refused.
func TestRevocationStoreLookUp(t *testing.T) {
	seed := [32]byte{0xff, 1, 2, 3}
	var s RevocationStore
	const n = 1000
	for i := uint64(0); i < n; i++ {
		idx := MaxCommitmentIndex - i
		sec, err := PerCommitmentSecret(seed, idx)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.InsertSecret(sec, idx); err != nil {
			t.Fatalf("insert %d: %v", idx, err)
		}
	}
	for i := uint64(0); i < n; i++ {
		idx := MaxCommitmentIndex - i
		want, _ := PerCommitmentSecret(seed, idx)
		got, err := s.LookUp(idx)
		if err != nil || got != want {
			t.Fatalf("look up %d: got %x, %v; want %x", idx, got, err, want)
		}
	}
	if _, err := s.LookUp(MaxCommitmentIndex - n); !errors.Is(err, ErrSecretUnknown) {
		t.Fatalf("unrevealed index: got %v, want ErrSecretUnknown", err)
	}
	if _, err := s.LookUp(MaxCommitmentIndex + 1); !errors.Is(err, ErrCommitmentIndex) {
		t.Fatalf("wide index: got %v, want ErrCommitmentIndex", err)
	}
	if _, err := PerCommitmentSecret(seed, MaxCommitmentIndex+1); !errors.Is(err, ErrCommitmentIndex) {
		t.Fatalf("wide index: got %v, want ErrCommitmentIndex", err)
	}
	sec, _ := PerCommitmentSecret(seed, 5)
	if err := s.InsertSecret(sec, 5); !errors.Is(err, ErrSecretOrder) {
		t.Fatalf("out of order: got %v, want ErrSecretOrder", err)
	}
}
