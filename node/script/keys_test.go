package script

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// loadVectors decodes testdata/name into v, refusing unknown fields so a
// renamed key cannot silently go unchecked.
func loadVectors(t *testing.T, name string, v any) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func mustHex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func mustPub(t *testing.T, s string) *btcec.PublicKey {
	t.Helper()
	pub, err := btcec.ParsePubKey(mustHex(t, s))
	if err != nil {
		t.Fatalf("bad pubkey %q: %v", s, err)
	}
	return pub
}

// keyDerivationVectors mirrors testdata/bolt03_key_derivation.json.
type keyDerivationVectors struct {
	Source              string `json:"source"`
	BaseSecret          string `json:"base_secret"`
	PerCommitmentSecret string `json:"per_commitment_secret"`
	BasePoint           string `json:"base_point"`
	PerCommitmentPoint  string `json:"per_commitment_point"`
	LocalPubKey         string `json:"localpubkey"`
	LocalPrivKey        string `json:"localprivkey"`
	RevocationPubKey    string `json:"revocationpubkey"`
	RevocationPrivKey   string `json:"revocationprivkey"`
}

// TestBolt03KeyDerivationVectors checks all of BOLT 3 Appendix E: the
// derived points of the two secrets, localpubkey, localprivkey,
// revocationpubkey and revocationprivkey.
func TestBolt03KeyDerivationVectors(t *testing.T) {
	var v keyDerivationVectors
	loadVectors(t, "bolt03_key_derivation.json", &v)

	baseSecret, _ := btcec.PrivKeyFromBytes(mustHex(t, v.BaseSecret))
	commitSecret, _ := btcec.PrivKeyFromBytes(mustHex(t, v.PerCommitmentSecret))
	basePoint := mustPub(t, v.BasePoint)
	commitPoint := mustPub(t, v.PerCommitmentPoint)

	t.Run("base_point", func(t *testing.T) {
		if !baseSecret.PubKey().IsEqual(basePoint) {
			t.Fatalf("base_secret*G = %x", baseSecret.PubKey().SerializeCompressed())
		}
	})
	t.Run("per_commitment_point", func(t *testing.T) {
		var s [32]byte
		copy(s[:], mustHex(t, v.PerCommitmentSecret))
		got, err := PerCommitmentPoint(s)
		if err != nil {
			t.Fatal(err)
		}
		if !got.IsEqual(commitPoint) {
			t.Fatalf("got %x", got.SerializeCompressed())
		}
	})
	t.Run("localpubkey", func(t *testing.T) {
		got, err := DeriveLocalPubKey(basePoint, commitPoint)
		if err != nil {
			t.Fatal(err)
		}
		if !got.IsEqual(mustPub(t, v.LocalPubKey)) {
			t.Fatalf("got %x", got.SerializeCompressed())
		}
	})
	t.Run("localprivkey", func(t *testing.T) {
		got, err := DeriveLocalPrivKey(baseSecret, commitPoint)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got.Serialize()) != v.LocalPrivKey {
			t.Fatalf("got %x", got.Serialize())
		}
		if !got.PubKey().IsEqual(mustPub(t, v.LocalPubKey)) {
			t.Fatal("localprivkey does not match localpubkey")
		}
	})
	t.Run("revocationpubkey", func(t *testing.T) {
		got, err := DeriveRevocationPubKey(basePoint, commitPoint)
		if err != nil {
			t.Fatal(err)
		}
		if !got.IsEqual(mustPub(t, v.RevocationPubKey)) {
			t.Fatalf("got %x", got.SerializeCompressed())
		}
	})
	t.Run("revocationprivkey", func(t *testing.T) {
		got, err := DeriveRevocationPrivKey(baseSecret, commitSecret)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got.Serialize()) != v.RevocationPrivKey {
			t.Fatalf("got %x", got.Serialize())
		}
		if !got.PubKey().IsEqual(mustPub(t, v.RevocationPubKey)) {
			t.Fatal("revocationprivkey does not match revocationpubkey")
		}
	})
}

// TestPerCommitmentPointRefusesInvalidSecret checks that a zero or
// out-of-range secret is refused rather than turned into a bogus point.
func TestPerCommitmentPointRefusesInvalidSecret(t *testing.T) {
	var zero [32]byte
	if _, err := PerCommitmentPoint(zero); !errors.Is(err, ErrDerivation) {
		t.Fatalf("zero secret: got %v", err)
	}
	var big [32]byte
	for i := range big {
		big[i] = 0xff
	}
	if _, err := PerCommitmentPoint(big); !errors.Is(err, ErrDerivation) {
		t.Fatalf("overflowing secret: got %v", err)
	}
}

// TestDerivedPrivKeysMatchPubKeys checks, for random secrets, that each
// private derivation yields the key of its public counterpart: the two
// sides of a channel compute them separately and must agree.
func TestDerivedPrivKeysMatchPubKeys(t *testing.T) {
	for i := 0; i < 20; i++ {
		base, err := btcec.NewPrivateKey()
		if err != nil {
			t.Fatal(err)
		}
		commit, err := btcec.NewPrivateKey()
		if err != nil {
			t.Fatal(err)
		}
		priv, err := DeriveLocalPrivKey(base, commit.PubKey())
		if err != nil {
			t.Fatal(err)
		}
		pub, err := DeriveLocalPubKey(base.PubKey(), commit.PubKey())
		if err != nil {
			t.Fatal(err)
		}
		if !priv.PubKey().IsEqual(pub) {
			t.Fatal("local privkey and pubkey disagree")
		}
		rpriv, err := DeriveRevocationPrivKey(base, commit)
		if err != nil {
			t.Fatal(err)
		}
		rpub, err := DeriveRevocationPubKey(base.PubKey(), commit.PubKey())
		if err != nil {
			t.Fatal(err)
		}
		if !rpriv.PubKey().IsEqual(rpub) {
			t.Fatal("revocation privkey and pubkey disagree")
		}
	}
}
