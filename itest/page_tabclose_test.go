package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPageTabClosedMidPayment closes the tab while a payment is in flight
// and opens the page again: the payment completes or fails cleanly, and
// the channel is never force closed. The shop holds the first two
// payments (its hold invoices) so the tab surely closes with the HTLC out:
// one is settled while the tab is closed, one canceled. Three more are
// ordinary invoices with the tab closed at a random moment after Pay.
func TestPageTabClosedMidPayment(t *testing.T) {
	t.Parallel()
	s := startServer(t, "-devnet-shop")
	browser := newBrowser(t, "")
	tb := openTab(t, browser)
	fundPage(t, s, tb.ctx, nil)
	hub := s.hubInfo(t)
	if got := call(t, tb.ctx, "connect", fmt.Sprintf(`{pubkey: %q, host: %q}`, hub.pubkey, hub.host)); strings.HasPrefix(got, "ERR") {
		t.Fatal(got)
	}
	point := openPageChannel(t, tb.ctx, s, hub.pubkey, 500_000, 0)
	waitFor(t, 60*time.Second, "the graph has the hub → shop channel", func() (bool, string) {
		in := pageGraph(t, tb.ctx)
		return in.GraphChannels >= 1, fmt.Sprintf("%+v", in)
	})
	for _, settle := range []bool{true, false} {
		hash, req := shopHoldInvoice(t, s, 15_000)
		payWithForm(t, tb.ctx, req)
		waitShopInvoice(t, s, hash, "ACCEPTED")
		tb.cancel() // the person closes the tab with the HTLC out
		resolve, done := "cancel", "canceled"
		if settle {
			resolve, done = "settle", "settled"
		}
		if r, err := httpPost(s.URL+"/devnet/shop/"+resolve, fmt.Sprintf(`{"paymentHash": %q}`, hash)); err != nil || r.StatusCode != 200 {
			t.Fatalf("shop %s: %v %v", resolve, r, err)
		}
		tb = reopenAndUnlock(t, s, browser)
		want := map[bool]string{true: "SUCCEEDED", false: "FAILED"}[settle]
		got := waitPaymentDone(t, tb.ctx, hash)
		if got != want {
			t.Fatalf("hold invoice %s while the tab was closed: the page shows %s, want %s", done, got, want)
		}
		t.Logf("tab closed with the HTLC out, shop %s meanwhile: payment %s after reopening", done, got)
		channelsStillOpen(t, tb.ctx, s, point)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 2))
	for i := 0; i < 3; i++ {
		hash, req := shopPost(t, s, "invoice", 5_000+int64(i))
		payWithForm(t, tb.ctx, req)
		wait := time.Duration(rng.IntN(300)) * time.Millisecond
		time.Sleep(wait)
		tb.cancel()
		tb = reopenAndUnlock(t, s, browser)
		got := waitPaymentDone(t, tb.ctx, hash)
		shop := shopInvoiceState(t, s, hash)
		if (got == "SUCCEEDED") != (shop == "SETTLED") {
			t.Fatalf("tab closed %v after Pay: the page says %s, the shop's invoice is %s", wait, got, shop)
		}
		t.Logf("tab closed %v after Pay: payment %s, shop invoice %s", wait, got, shop)
		channelsStillOpen(t, tb.ctx, s, point)
	}
}

// shopHoldInvoice has the shop issue a hold invoice.
func shopHoldInvoice(t *testing.T, s *server, sat int64) (hash, req string) {
	return shopPost(t, s, "holdinvoice", sat)
}

func shopPost(t *testing.T, s *server, path string, sat int64) (hash, req string) {
	t.Helper()
	r, err := httpPost(s.URL+"/devnet/shop/"+path, fmt.Sprintf(`{"amountSat": %d, "memo": "tab test"}`, sat))
	if err != nil {
		t.Fatal(err)
	}
	var inv struct {
		PaymentRequest string `json:"paymentRequest"`
		PaymentHash    string `json:"paymentHash"`
		Error          string `json:"error"`
	}
	if err := decodeJSON(r, &inv); err != nil || inv.PaymentRequest == "" {
		t.Fatalf("shop %s: %+v %v", path, inv, err)
	}
	return inv.PaymentHash, inv.PaymentRequest
}

// shopInvoiceState is the state of one of the shop's invoices.
func shopInvoiceState(t *testing.T, s *server, hash string) string {
	var invs struct {
		Invoices []struct {
			Hash  string `json:"r_hash"`
			State string `json:"state"`
		} `json:"invoices"`
	}
	s.getJSON(t, "/devnet/shop/invoices", &invs)
	for _, in := range invs.Invoices {
		if in.Hash == hash {
			return in.State
		}
	}
	return ""
}

func waitShopInvoice(t *testing.T, s *server, hash, state string) {
	t.Helper()
	waitFor(t, 60*time.Second, "the shop's invoice "+state, func() (bool, string) {
		got := shopInvoiceState(t, s, hash)
		return got == state, got
	})
}

// payWithForm pastes an invoice into the Send view, reviews it and pays.
func payWithForm(t *testing.T, ctx context.Context, req string) {
	t.Helper()
	err := runFor(ctx, 30*time.Second, gotoView("send"),
		chromedp.SetValue("#pay-request", req, chromedp.ByQuery),
		chromedp.Click("#pay-decode", chromedp.ByQuery),
		chromedp.WaitVisible("#pay-confirm", chromedp.ByQuery),
		chromedp.Click("#pay-confirm", chromedp.ByQuery))
	if err != nil {
		t.Fatalf("pay with the form: %v (%s)", err, pageText(ctx, "#pay-status"))
	}
}

// reopenAndUnlock opens the page in a new tab of the same profile and
// unlocks the wallet with the unlock form.
func reopenAndUnlock(t *testing.T, s *server, browser context.Context) *tab {
	t.Helper()
	tb := openTab(t, browser)
	t.Cleanup(tb.cancel)
	err := runFor(tb.ctx, 90*time.Second, chromedp.Navigate(s.URL+"/"),
		chromedp.WaitVisible("#unlock-form", chromedp.ByQuery),
		chromedp.SendKeys("#unlock-password", "correct horse battery", chromedp.ByQuery),
		chromedp.Click("#unlock-form button[type=submit]", chromedp.ByQuery),
		chromedp.WaitVisible("#wallet-info", chromedp.ByQuery))
	if err != nil {
		t.Fatalf("reopen and unlock: %v (%s, %s)", err, pageText(tb.ctx, "#status"), pageText(tb.ctx, "#wallet-status"))
	}
	return tb
}

// waitPaymentDone waits until the History view shows the payment
// SUCCEEDED or FAILED, and returns which.
func waitPaymentDone(t *testing.T, ctx context.Context, hash string) string {
	t.Helper()
	if err := runFor(ctx, 30*time.Second, gotoView("history")); err != nil {
		t.Fatal(err)
	}
	var status string
	waitFor(t, 120*time.Second, "the payment resolved after reopening", func() (bool, string) {
		_ = chromedp.Run(ctx, chromedp.Evaluate(fmt.Sprintf(`(document.querySelector('#payment-rows tr[data-hash=%q]') || {dataset: {}}).dataset.status || ""`, hash), &status))
		return status == "SUCCEEDED" || status == "FAILED", status
	})
	return status
}

// channelsStillOpen checks the channel is active on both sides, with the
// same balance, and that neither side closed anything.
func channelsStillOpen(t *testing.T, ctx context.Context, s *server, point string) {
	t.Helper()
	waitFor(t, 90*time.Second, "the channel active on both sides with equal balances", func() (bool, string) {
		var ours struct {
			Channels []struct {
				ChannelPoint    string `json:"channelPoint"`
				State           string `json:"state"`
				LocalBalanceSat int64  `json:"localBalanceSat"`
				PendingHTLCs    int    `json:"numPendingHtlcs"`
			} `json:"channels"`
		}
		raw := call(t, ctx, "listChannels", "")
		if err := json.Unmarshal([]byte(raw), &ours); err != nil || len(ours.Channels) != 1 {
			return false, raw
		}
		h := s.hubChannel(t, point)
		if h == nil {
			return false, "the hub has no channel " + point
		}
		c := ours.Channels[0]
		return c.ChannelPoint == point && c.State == "active" && h.Active && c.PendingHTLCs == 0 &&
			h.RemoteBalance == fmt.Sprint(c.LocalBalanceSat), fmt.Sprintf("ours %+v, hub %+v", c, h)
	})
	var closed struct {
		Channels []any `json:"channels"`
	}
	s.getJSON(t, "/devnet/hub/closedchannels", &closed)
	raw := call(t, ctx, "pendingChannels", "")
	if len(closed.Channels) != 0 || strings.Contains(raw, point) {
		t.Fatalf("a channel was closed: hub's closed %+v, our pending %s", closed.Channels, raw)
	}
}
