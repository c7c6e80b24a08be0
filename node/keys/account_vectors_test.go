package keys

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2/schnorr"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
)

// accountVectors is the shape of testdata/bip{84,86,49}_vectors.json. Each
// BIP publishes a different subset of these fields; empty ones are skipped.
type accountVectors struct {
	Source   string
	Network  string
	Mnemonic string
	RootPriv string
	RootPub  string
	Account  struct{ Path, XPrv, XPub string }
	Address  []addressVector `json:"addresses"`
}

type addressVector struct {
	Path         string
	Chain        Chain
	Index        uint32
	XPrv         string
	XPub         string
	PrivKey      string // WIF
	PrivKeyHex   string `json:"privkey_hex"`
	PubKey       string
	InternalKey  string `json:"internal_key"`
	OutputKey    string `json:"output_key"`
	KeyHash      string
	RedeemScript string `json:"redeem_script"`
	ScriptHash   string `json:"script_hash"`
	ScriptPubKey string `json:"scriptPubKey"`
	Address      string
}

// TestBIP84Vectors checks BIP84's vectors (testdata/bip84_vectors.json).
func TestBIP84Vectors(t *testing.T) {
	checkAccountVectors(t, "bip84_vectors.json", AccountP2WPKH)
}

// TestBIP86Vectors checks BIP86's vectors (testdata/bip86_vectors.json).
func TestBIP86Vectors(t *testing.T) {
	checkAccountVectors(t, "bip86_vectors.json", AccountP2TR)
}

// TestBIP49Vectors checks BIP49's testnet vectors
// (testdata/bip49_vectors.json).
func TestBIP49Vectors(t *testing.T) {
	checkAccountVectors(t, "bip49_vectors.json", AccountNP2WPKH)
}

// checkAccountVectors derives an account of kind from the file's mnemonic
// and compares every published field. Extended keys are compared under the
// SLIP-0132 version bytes the BIP prints them with (zprv, uprv, xprv).
func checkAccountVectors(t *testing.T, file string, kind AccountKind) {
	var v accountVectors
	loadVectors(t, file, &v)
	net := netByName(t, v.Network)
	seed, err := SeedFromMnemonic(v.Mnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewRing(seed, net)
	if err != nil {
		t.Fatal(err)
	}
	ver := slip132Version(kind, net)
	if got := reversion(t, r.master, ver.priv); got != v.RootPriv {
		t.Errorf("root %s, want %s", got, v.RootPriv)
	}
	if v.RootPub != "" {
		pub, _ := r.master.Neuter()
		if got := reversion(t, pub, ver.pub); got != v.RootPub {
			t.Errorf("root pub %s, want %s", got, v.RootPub)
		}
	}
	a, err := r.Account(kind, 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := formatPath(a.Path(ChainReceive, 0)[:3]); got != v.Account.Path {
		t.Errorf("account path %s, want %s", got, v.Account.Path)
	}
	if got := reversion(t, a.xprv, ver.priv); got != v.Account.XPrv {
		t.Errorf("account xprv %s, want %s", got, v.Account.XPrv)
	}
	if v.Account.XPub != "" && a.SLIP132Pub() != v.Account.XPub {
		t.Errorf("account SLIP132Pub %s, want %s", a.SLIP132Pub(), v.Account.XPub)
	}
	if len(v.Address) == 0 {
		t.Fatal("no address vectors")
	}
	for _, av := range v.Address {
		checkAddressVector(t, a, net, av)
	}
}

// checkAddressVector compares one derived key and its encodings.
func checkAddressVector(t *testing.T, a *Account, net *chaincfg.Params, av addressVector) {
	t.Helper()
	c, i := av.Chain, av.Index
	if got := formatPath(a.Path(c, i)); got != av.Path {
		t.Errorf("%s: path %s", av.Path, got)
	}
	priv, err := a.PrivKey(c, i)
	if err != nil {
		t.Fatalf("%s: %v", av.Path, err)
	}
	pub, err := a.PubKey(c, i)
	if err != nil {
		t.Fatalf("%s: %v", av.Path, err)
	}
	if !pub.IsEqual(priv.PubKey()) {
		t.Errorf("%s: PubKey (public derivation) differs from PrivKey's", av.Path)
	}
	addr, err := a.Address(c, i)
	if err != nil {
		t.Fatalf("%s: %v", av.Path, err)
	}
	pkScript, err := a.PkScript(c, i)
	if err != nil {
		t.Fatalf("%s: %v", av.Path, err)
	}
	redeem, err := a.RedeemScript(c, i)
	if err != nil {
		t.Fatalf("%s: %v", av.Path, err)
	}
	hash := btcutil.Hash160(pub.SerializeCompressed())
	want := func(field, got, want string) {
		if want != "" && got != want {
			t.Errorf("%s %s: got %s, want %s", av.Path, field, got, want)
		}
	}
	if av.XPrv != "" {
		k, _ := a.child(a.priv, c, i)
		want("xprv", k.String(), av.XPrv)
	}
	if av.XPub != "" {
		k, _ := a.child(a.pub, c, i)
		want("xpub", k.String(), av.XPub)
	}
	if av.PrivKey != "" {
		wif, err := btcutil.NewWIF(priv, net, true)
		if err != nil {
			t.Fatal(err)
		}
		want("WIF", wif.String(), av.PrivKey)
	}
	want("privkey hex", hex.EncodeToString(priv.Serialize()), av.PrivKeyHex)
	want("pubkey", hex.EncodeToString(pub.SerializeCompressed()), av.PubKey)
	want("internal key", hex.EncodeToString(schnorr.SerializePubKey(pub)), av.InternalKey)
	if av.OutputKey != "" {
		want("output key", hex.EncodeToString(pkScript[2:]), av.OutputKey)
		// The key-path signer tweaks PrivKey as PrivKey's doc says.
		tweaked := txscript.TweakTaprootPrivKey(*priv, nil)
		want("tweaked key", hex.EncodeToString(schnorr.SerializePubKey(tweaked.PubKey())), av.OutputKey)
	}
	want("keyhash", hex.EncodeToString(hash), av.KeyHash)
	want("redeem script", hex.EncodeToString(redeem), av.RedeemScript)
	if av.ScriptHash != "" {
		want("script hash", hex.EncodeToString(btcutil.Hash160(redeem)), av.ScriptHash)
		want("address bytes", hex.EncodeToString(addr.ScriptAddress()), av.ScriptHash)
	}
	want("scriptPubKey", hex.EncodeToString(pkScript), av.ScriptPubKey)
	want("address", addr.String(), av.Address)
	back, err := btcutil.DecodeAddress(av.Address, net)
	if err != nil || !back.IsForNet(net) || !bytes.Equal(back.ScriptAddress(), addr.ScriptAddress()) {
		t.Errorf("%s: vector address does not decode to ours on %s: %v", av.Path, net.Name, err)
	}
}

// reversion serializes k under other version bytes (SLIP-0132 forms).
func reversion(t *testing.T, k *hdkeychain.ExtendedKey, version [4]byte) string {
	t.Helper()
	c, err := k.CloneWithVersion(version[:])
	if err != nil {
		t.Fatal(err)
	}
	return c.String()
}

// TestSLIP132Vectors checks SLIP-0132's BIP49 and BIP84 accounts
// (testdata/slip132_vectors.json): ypub and zpub as SLIP132Pub gives them.
func TestSLIP132Vectors(t *testing.T) {
	var v struct {
		Source, Network, Mnemonic string
		Accounts                  []struct{ Kind, Path, XPrv, XPub, Address string }
	}
	loadVectors(t, "slip132_vectors.json", &v)
	net := netByName(t, v.Network)
	seed, err := SeedFromMnemonic(v.Mnemonic, "")
	if err != nil {
		t.Fatal(err)
	}
	r, _ := NewRing(seed, net)
	kinds := map[string]AccountKind{}
	for _, k := range []AccountKind{AccountP2WPKH, AccountP2TR, AccountNP2WPKH} {
		kinds[k.String()] = k
	}
	for _, av := range v.Accounts {
		kind, ok := kinds[av.Kind]
		if !ok {
			t.Fatalf("unknown kind %q", av.Kind)
		}
		a, err := r.Account(kind, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got := formatPath(a.Path(0, 0)[:3]); got != av.Path {
			t.Errorf("%s: path %s, want %s", av.Kind, got, av.Path)
		}
		if got := reversion(t, a.xprv, slip132Version(kind, net).priv); got != av.XPrv {
			t.Errorf("%s: xprv %s, want %s", av.Kind, got, av.XPrv)
		}
		if got := a.SLIP132Pub(); got != av.XPub {
			t.Errorf("%s: SLIP132Pub %s, want %s", av.Kind, got, av.XPub)
		}
		if addr, err := a.Address(ChainReceive, 0); err != nil || addr.String() != av.Address {
			t.Errorf("%s: address %v (%v), want %s", av.Kind, addr, err, av.Address)
		}
	}
}
