package itest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"strconv"
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

// TestPageOnchainWallet: from the page, get test coins, be paid by lnd and
// see the exact amount after one block, pay lnd back, get clear errors for
// bad sends, and restore the words in a fresh browser profile.
func TestPageOnchainWallet(t *testing.T) {
	t.Parallel()
	s := startServer(t)
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
	var qrRects int
	_ = chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("#receive-qr svg path").length`, &qrRects))
	if qrRects != 1 {
		t.Errorf("the receive address has no QR code on the page")
	}
	waitFor(t, 10*time.Second, "the page shows the balance", func() (bool, string) {
		got := pageText(ctx, "#balance-confirmed")
		return got == "1000000", got
	})

	if got := call(t, ctx, "listUnspent", ""); !strings.Contains(got, `"amountSat":1000000`) || !strings.Contains(got, `"addressType":"p2wkh"`) {
		t.Errorf("listUnspent: %s", got)
	}
	for typ, prefix := range map[string]string{"p2tr": "bcrt1p", "np2wkh": "2", "p2wkh": "bcrt1q"} {
		if got := call(t, ctx, "newAddress", fmt.Sprintf(`{type: %q}`, typ)); !strings.Contains(got, `"address":"`+prefix) {
			t.Errorf("newAddress %s: %s, want an address starting %s", typ, got, prefix)
		}
	}
	if got := call(t, ctx, "newAddress", `{type: "p2pkh"}`); !strings.HasPrefix(got, "ERR INVALID_ARGUMENT") {
		t.Errorf("newAddress p2pkh: %s", got)
	}
	// lnd pays the page; one block later the balance is exact.
	var ours struct{ Address string }
	_ = json.Unmarshal([]byte(call(t, ctx, "newAddress", `{type: "p2wkh"}`)), &ours)
	if r, err := httpPost(s.URL+"/devnet/hub/sendcoins", fmt.Sprintf(`{"address": %q, "amountSat": 150000}`, ours.Address)); err != nil || r.StatusCode != 200 {
		t.Fatalf("lnd sendcoins: %v %v", r.StatusCode, err)
	}
	s.mine(t, 1)
	waitFor(t, 60*time.Second, "lnd's payment in the balance", func() (bool, string) {
		b := balanceOf(t, nil, call(t, ctx, "walletBalance", ""))
		return b.ConfirmedSat == 1_150_000, fmt.Sprintf("%+v", b)
	})
	var lndAddr struct{ Address string }
	s.getJSON(t, "/devnet/hub/newaddress", &lndAddr)
	dest := lndAddr.Address
	hubBefore := s.hubConfirmed(t)
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
	if b := balanceOf(t, ctx, call(t, ctx, "walletBalance", "")); b.ConfirmedSat != 1_150_000 || b.UnconfirmedSat != 0 {
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
	// Largest coin first: the faucet's 1,000,000 pays; lnd's 150,000 stays.
	change := 1_000_000 - 250_000 - res.FeeSat
	if b := balanceOf(t, ctx, call(t, ctx, "walletBalance", "")); b.ConfirmedSat != 150_000 || b.UnconfirmedSat != change {
		t.Errorf("after sending: %+v, want 150000 confirmed and %d unconfirmed change", b, change)
	}
	s.mine(t, 1)
	waitFor(t, 60*time.Second, "the change confirmed", func() (bool, string) {
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		return b.ConfirmedSat == change+150_000 && b.UnconfirmedSat == 0, fmt.Sprintf("%+v", b)
	})
	waitFor(t, 60*time.Second, "lnd counts our payment", func() (bool, string) {
		got := s.hubConfirmed(t)
		return got == hubBefore+250_000, fmt.Sprintf("%d, want %d", got, hubBefore+250_000)
	})

	history := txList(t, call(t, ctx, "listTransactions", ""))
	if len(history) != 3 || history[0].AmountSat != -(250_000+res.FeeSat) || history[0].FeeSat != res.FeeSat {
		t.Errorf("history %+v, want 3 entries, the newest our send of 250000 + %d fee", history, res.FeeSat)
	}
	if got := call(t, ctx, "lockWallet", ""); strings.HasPrefix(got, "ERR") {
		t.Fatal(got)
	}
	if got := call(t, ctx, "walletBalance", ""); !strings.HasPrefix(got, "ERR WALLET_LOCKED") {
		t.Errorf("balance of a locked wallet: %s", got)
	}

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
		return b.ConfirmedSat == change+150_000, fmt.Sprintf("%+v", b)
	})
	restored := txList(t, call(t, fresh, "listTransactions", ""))
	if fmt.Sprint(restored) != fmt.Sprint(history) {
		t.Errorf("restored history %+v differs from the original %+v", restored, history)
	}
}

type txEntry struct {
	Txid        string `json:"txid"`
	AmountSat   int64  `json:"amountSat"`
	FeeSat      int64  `json:"feeSat"`
	BlockHeight int64  `json:"blockHeight"`
}

func txList(t *testing.T, raw string) []txEntry {
	var out struct {
		Transactions []txEntry `json:"transactions"`
	}
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		t.Fatalf("listTransactions: %s", raw)
	}
	return out.Transactions
}

// hubConfirmed is the hub's confirmed on-chain balance.
func (s *server) hubConfirmed(t *testing.T) int64 {
	var bal struct {
		Confirmed string `json:"confirmed_balance"`
	}
	s.getJSON(t, "/devnet/hub/balance", &bal)
	n, _ := strconv.ParseInt(bal.Confirmed, 10, 64)
	return n
}
