package itest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/chromedp/chromedp"
)

type pageBalance struct {
	ConfirmedSat   int64 `json:"confirmedSat"`
	UnconfirmedSat int64 `json:"unconfirmedSat"`
}

func balanceOf(t *testing.T, _ any, s string) pageBalance {
	var b pageBalance
	if strings.HasPrefix(s, "ERR") {
		t.Fatalf("walletBalance: %s", s)
	}
	_ = json.Unmarshal([]byte(s), &b)
	return b
}

// TestPageOnchainWallet: from the page, get test coins, see the balance,
// send, and get clear errors for bad sends.
func TestPageOnchainWallet(t *testing.T) {
	t.Parallel()
	s := startServer(t, "-devnet-hub=false")
	ctx := newBrowser(t, "")
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, ctx, s.info(t).Height)
	var created struct{ Mnemonic string }
	if got := call(t, ctx, "createWallet", `{password: "correct horse battery"}`); json.Unmarshal([]byte(got), &created) != nil || created.Mnemonic == "" {
		t.Fatal(got)
	}
	err := runFor(ctx, 60*time.Second, chromedp.WaitVisible("#faucet", chromedp.ByQuery), chromedp.Click("#faucet", chromedp.ByQuery))
	if err != nil {
		t.Fatalf("faucet button: %v", err)
	}
	waitFor(t, 90*time.Second, "the faucet's coins in the balance", func() (bool, string) {
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		return b.ConfirmedSat == 1_000_000, fmt.Sprintf("%+v, status %q", b, pageText(ctx, "#wallet-status"))
	})
	waitFor(t, 10*time.Second, "the page shows the balance", func() (bool, string) {
		got := pageText(ctx, "#balance-confirmed")
		return got == "1000000", got
	})

	key, _ := btcec.NewPrivateKey()
	dest, _ := btcutil.NewAddressWitnessPubKeyHash(btcutil.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	for _, tc := range []struct{ params, want string }{
		{`{addr: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", amountSat: 1000, satPerVbyte: 2}`, "WRONG_NETWORK"},
		{`{addr: "garbage", amountSat: 1000, satPerVbyte: 2}`, "INVALID_ADDRESS"},
		{fmt.Sprintf(`{addr: %q, amountSat: 5000000, satPerVbyte: 2}`, dest), "INSUFFICIENT_BALANCE"},
		{fmt.Sprintf(`{addr: %q, amountSat: 100, satPerVbyte: 2}`, dest), "DUST_AMOUNT"},
		{fmt.Sprintf(`{addr: %q, satPerVbyte: 2}`, dest), "INVALID_ARGUMENT"},
	} {
		if got := call(t, ctx, "sendCoins", tc.params); !strings.HasPrefix(got, "ERR "+tc.want) {
			t.Errorf("sendCoins(%s): %s, want %s", tc.params, got, tc.want)
		}
	}
	if b := balanceOf(t, ctx, call(t, ctx, "walletBalance", "")); b.ConfirmedSat != 1_000_000 || b.UnconfirmedSat != 0 {
		t.Fatalf("refused sends changed the balance: %+v", b)
	}
	sent := call(t, ctx, "sendCoins", fmt.Sprintf(`{addr: %q, amountSat: 250000, satPerVbyte: 3}`, dest))
	var res struct {
		Txid   string `json:"txid"`
		FeeSat int64  `json:"feeSat"`
	}
	if err := json.Unmarshal([]byte(sent), &res); err != nil || len(res.Txid) != 64 {
		t.Fatalf("send: %s", sent)
	}
	change := 1_000_000 - 250_000 - res.FeeSat
	if b := balanceOf(t, ctx, call(t, ctx, "walletBalance", "")); b.ConfirmedSat != 0 || b.UnconfirmedSat != change {
		t.Errorf("after sending: %+v, want %d unconfirmed change", b, change)
	}
	s.mine(t, 1)
	waitFor(t, 60*time.Second, "the change confirmed", func() (bool, string) {
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		return b.ConfirmedSat == change && b.UnconfirmedSat == 0, fmt.Sprintf("%+v", b)
	})

	// Restore from the words in a fresh browser profile: same balance.
	fresh := newBrowser(t, "")
	if err := chromedp.Run(fresh, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, fresh, s.info(t).Height)
	if got := call(t, fresh, "createWallet", fmt.Sprintf(`{password: "another password", mnemonic: %q}`, created.Mnemonic)); strings.HasPrefix(got, "ERR") {
		t.Fatalf("restore: %s", got)
	}
	waitFor(t, 90*time.Second, "the restored wallet finds the same balance", func() (bool, string) {
		b := balanceOf(t, nil, call(t, fresh, "walletBalance", ""))
		return b.ConfirmedSat == change, fmt.Sprintf("%+v", b)
	})
}
