package script

import (
	"errors"
	"fmt"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/txscript"
)

// TestScriptsRefuseNilKeys checks that every script builder turns a
// missing key into ErrCommitParams rather than a nil dereference.
func TestScriptsRefuseNilKeys(t *testing.T) {
	k := testKey("k").PubKey()
	var h [32]byte
	for name, f := range map[string]func() ([]byte, error){
		"to_local":        func() ([]byte, error) { return ToLocalScript(nil, k, 144) },
		"to_local delay":  func() ([]byte, error) { return ToLocalScript(k, nil, 144) },
		"to_remote":       func() ([]byte, error) { return ToRemoteAnchorScript(nil) },
		"anchor":          func() ([]byte, error) { return AnchorScript(nil) },
		"offered":         func() ([]byte, error) { return OfferedHTLCScript(Anchors, k, nil, k, h) },
		"received":        func() ([]byte, error) { return ReceivedHTLCScript(StaticRemoteKey, k, k, nil, h, 1) },
		"offered type":    func() ([]byte, error) { return OfferedHTLCScript(5, k, k, k, h) },
		"received revoke": func() ([]byte, error) { return ReceivedHTLCScript(Anchors, nil, k, k, h, 1) },
	} {
		if _, err := f(); !errors.Is(err, ErrCommitParams) {
			t.Errorf("%s: got %v, want ErrCommitParams", name, err)
		}
	}
}

// TestAnchorScriptsShape checks the two anchors-only scripts opcode by
// opcode against BOLT 3's text (the vectors check their hashes).
func TestAnchorScriptsShape(t *testing.T) {
	k := testKey("k").PubKey()
	kh := fmt.Sprintf("%x", k.SerializeCompressed())
	for _, c := range []struct {
		name string
		f    func(*btcec.PublicKey) ([]byte, error)
		want string
	}{
		{"to_remote", ToRemoteAnchorScript, kh + " OP_CHECKSIGVERIFY 1 OP_CHECKSEQUENCEVERIFY"},
		{"anchor", AnchorScript, kh + " OP_CHECKSIG OP_IFDUP OP_NOTIF 16 OP_CHECKSEQUENCEVERIFY OP_ENDIF"},
	} {
		s, err := c.f(k)
		if err != nil {
			t.Fatal(err)
		}
		got, err := txscript.DisasmString(s)
		if err != nil || got != c.want {
			t.Errorf("%s: %q (%v), want %q", c.name, got, err, c.want)
		}
	}
	if got := fmt.Sprintf("%x", P2WPKH(k)[:2]); got != "0014" || len(P2WPKH(k)) != 22 {
		t.Errorf("P2WPKH %x", P2WPKH(k))
	}
}

// TestCommitmentTypeString checks the names used in logs and errors.
func TestCommitmentTypeString(t *testing.T) {
	for typ, want := range map[CommitmentType]string{
		StaticRemoteKey: "static_remotekey",
		Anchors:         "anchors_zero_fee_htlc_tx",
		9:               "CommitmentType(9)",
	} {
		if got := typ.String(); got != want {
			t.Errorf("%d: %q, want %q", typ, got, want)
		}
	}
}
