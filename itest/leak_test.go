package itest

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/txscript"
	"github.com/chromedp/chromedp"

	"lnwasm/node/keys"
)

// TestPageSeedNeverLeaves records every byte the bridge relays while the
// page creates a wallet, receives, sends and talks to lnd, then looks for
// the mnemonic, the seed and every private key the node used in it.
func TestPageSeedNeverLeaves(t *testing.T) {
	t.Parallel()
	tap := filepath.Join(t.TempDir(), "bridge.tap")
	s := startServer(t, "-devnet-tap", tap)
	hub := s.hubInfo(t)
	ctx := newBrowser(t, "")
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, ctx, s.info(t).Height)
	var created struct{ Mnemonic string }
	if err := json.Unmarshal([]byte(call(t, ctx, "createWallet", `{password: "correct horse battery"}`)), &created); err != nil || created.Mnemonic == "" {
		t.Fatalf("createWallet: %v", err)
	}
	if err := runFor(ctx, 60*time.Second, chromedp.WaitVisible("#faucet", chromedp.ByQuery), chromedp.Click("#faucet", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 90*time.Second, "coins", func() (bool, string) {
		b := balanceOf(t, nil, call(t, ctx, "walletBalance", ""))
		return b.ConfirmedSat == 1_000_000, fmt.Sprintf("%+v", b)
	})
	key, _ := btcec.NewPrivateKey()
	dest, _ := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if got := call(t, ctx, "sendCoins", fmt.Sprintf(`{addr: %q, amountSat: 100000, satPerVbyte: 2}`, dest)); strings.HasPrefix(got, "ERR") {
		t.Fatal(got)
	}
	if got := call(t, ctx, "connect", fmt.Sprintf(`{pubkey: %q, host: %q}`, hub.pubkey, hub.host)); strings.HasPrefix(got, "ERR") {
		t.Fatal(got)
	}
	time.Sleep(2 * time.Second)
	relayed, err := os.ReadFile(tap)
	if err != nil {
		t.Fatal(err)
	}
	destScript, _ := txscript.PayToAddrScript(dest)
	if len(relayed) < 10_000 || !bytes.Contains(relayed, destScript) {
		t.Fatalf("the tap holds %d bytes and not our broadcast: it is not recording the page's traffic", len(relayed))
	}
	for name, secret := range secretsOf(t, created.Mnemonic) {
		if bytes.Contains(relayed, secret) {
			t.Errorf("%s crossed the bridge", name)
		}
	}
	t.Logf("searched %d bytes of bridge traffic", len(relayed))
}

// secretsOf derives, natively, every secret the page's node holds: the
// words, the entropy, the seed, the node key and the first account keys, in
// raw and hex form.
func secretsOf(t *testing.T, mnemonic string) map[string][]byte {
	out := map[string][]byte{"mnemonic": []byte(mnemonic)}
	words := strings.Fields(mnemonic)
	out["first three words"] = []byte(strings.Join(words[:3], " "))
	entropy, err := keys.EntropyFromMnemonic(mnemonic)
	if err != nil {
		t.Fatal(err)
	}
	seed, _ := keys.SeedFromEntropy(entropy)
	ring, _ := keys.NewRing(seed, &chaincfg.RegressionNetParams)
	node, _ := ring.NodeKey()
	acct, _ := ring.Account(keys.AccountP2WPKH, 0)
	raw := map[string][]byte{"entropy": entropy, "seed": seed, "node key": node.Serialize()}
	for _, c := range []keys.Chain{keys.ChainReceive, keys.ChainChange} {
		for i := uint32(0); i < 4; i++ {
			k, err := acct.PrivKey(c, i)
			if err != nil {
				t.Fatal(err)
			}
			raw[fmt.Sprintf("wallet key %d/%d", c, i)] = k.Serialize()
		}
	}
	for name, b := range raw {
		out[name] = b
		out[name+" (hex)"] = []byte(hex.EncodeToString(b))
	}
	return out
}
