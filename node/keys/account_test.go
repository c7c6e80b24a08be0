package keys

import (
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// TestAccountNetworks: each network gets its own address encoding and
// extended key prefix, and every test network shares coin type 1.
func TestAccountNetworks(t *testing.T) {
	seed, err := SeedFromEntropy(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		coin                                uint32
		wpkh, tr, np2wpkh, xpub, zpub, ypub string
	}
	for _, tc := range []struct {
		net  *chaincfg.Params
		want want
	}{
		{&chaincfg.MainNetParams, want{0, "bc1q", "bc1p", "3", "xpub", "zpub", "ypub"}},
		{&chaincfg.TestNet3Params, want{1, "tb1q", "tb1p", "2", "tpub", "vpub", "upub"}},
		{&chaincfg.SigNetParams, want{1, "tb1q", "tb1p", "2", "tpub", "vpub", "upub"}},
		{&chaincfg.RegressionNetParams, want{1, "bcrt1q", "bcrt1p", "2", "tpub", "vpub", "upub"}},
	} {
		r, err := NewRing(seed, tc.net)
		if err != nil {
			t.Fatal(err)
		}
		for kind, prefix := range map[AccountKind][2]string{
			AccountP2WPKH:  {tc.want.wpkh, tc.want.zpub},
			AccountP2TR:    {tc.want.tr, tc.want.xpub},
			AccountNP2WPKH: {tc.want.np2wpkh, tc.want.ypub},
		} {
			a, err := r.Account(kind, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := a.Path(ChainChange, 7); got[1] != hdkeychain.HardenedKeyStart+tc.want.coin || got[0] != hdkeychain.HardenedKeyStart+kind.Purpose() || got[3] != 1 || got[4] != 7 {
				t.Errorf("%s %s: path %s", tc.net.Name, kind, formatPath(got))
			}
			for _, c := range []Chain{ChainReceive, ChainChange} {
				addr, err := a.Address(c, 3)
				if err != nil {
					t.Fatal(err)
				}
				if !strings.HasPrefix(addr.String(), prefix[0]) || !addr.IsForNet(tc.net) {
					t.Errorf("%s %s chain %d: address %s, want prefix %s", tc.net.Name, kind, c, addr, prefix[0])
				}
			}
			if !strings.HasPrefix(a.XPub(), tc.want.xpub) {
				t.Errorf("%s %s: XPub %s, want %s…", tc.net.Name, kind, a.XPub(), tc.want.xpub)
			}
			if !strings.HasPrefix(a.SLIP132Pub(), prefix[1]) {
				t.Errorf("%s %s: SLIP132Pub %s, want %s…", tc.net.Name, kind, a.SLIP132Pub(), prefix[1])
			}
		}
	}
}

// TestAccountKeysAreDistinct: kinds, accounts, chains and indexes never
// share a key, and the Lightning families stay apart from the wallet.
func TestAccountKeysAreDistinct(t *testing.T) {
	seed, _ := SeedFromEntropy(make([]byte, 32))
	r, _ := NewRing(seed, &chaincfg.RegressionNetParams)
	seen := map[string]string{}
	add := func(name string, ser []byte) {
		if prev, ok := seen[string(ser)]; ok {
			t.Errorf("%s and %s share a key", prev, name)
		}
		seen[string(ser)] = name
	}
	node, _ := r.NodeKey()
	add("node key", node.PubKey().SerializeCompressed())
	for _, kind := range []AccountKind{AccountP2WPKH, AccountP2TR, AccountNP2WPKH} {
		for _, n := range []uint32{0, 1} {
			a, err := r.Account(kind, n)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []Chain{ChainReceive, ChainChange} {
				for i := uint32(0); i < 3; i++ {
					pub, err := a.PubKey(c, i)
					if err != nil {
						t.Fatal(err)
					}
					add(formatPath(a.Path(c, i)), pub.SerializeCompressed())
				}
			}
		}
	}
}

func TestAccountRefusals(t *testing.T) {
	seed, _ := SeedFromEntropy(make([]byte, 32))
	r, _ := NewRing(seed, &chaincfg.RegressionNetParams)
	if _, err := r.Account(0, 0); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("zero kind: %v", err)
	}
	if _, err := r.Account(AccountP2WPKH, hdkeychain.HardenedKeyStart); err == nil {
		t.Error("hardened account number accepted")
	}
	a, _ := r.Account(AccountP2WPKH, 0)
	for name, call := range map[string]func() error{
		"address chain 2":   func() error { _, err := a.Address(2, 0); return err },
		"pubkey hardened":   func() error { _, err := a.PubKey(ChainReceive, hdkeychain.HardenedKeyStart); return err },
		"privkey chain 9":   func() error { _, err := a.PrivKey(9, 0); return err },
		"pkscript hardened": func() error { _, err := a.PkScript(ChainChange, 1<<31+5); return err },
		"redeem script":     func() error { _, err := a.RedeemScript(3, 0); return err },
	} {
		if err := call(); err == nil || !strings.Contains(err.Error(), "p2wkh") {
			t.Errorf("%s: err %v, want one naming the account", name, err)
		}
	}
	if rs, err := a.RedeemScript(ChainReceive, 0); rs != nil || err != nil {
		t.Errorf("native segwit redeem script = %x, %v; want none", rs, err)
	}
}
