package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestPagePayments: from the page in Chromium, with one channel to the
// hub: pay the shop's invoice with the form (review, then Pay), be paid by
// the hub and by the shop (through the route hint), make 100 payments in
// a row, split a payment over two channels, get each failure's code, and
// find history and graph again after a reload.
func TestPagePayments(t *testing.T) {
	t.Parallel()
	s := startServer(t, "-devnet-shop")
	ctx := fundedPage(t, s, nil)
	if err := runFor(ctx, 30*time.Second, chromedp.Click("#connect-hub", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	hub := s.hubInfo(t)
	waitFor(t, 30*time.Second, "connected to the hub", func() (bool, string) {
		raw := call(t, ctx, "listPeers", "")
		return strings.Contains(raw, `"connected":true`), raw
	})
	openPageChannel(t, ctx, s, hub.pubkey, 500_000, 100_000)
	waitFor(t, 60*time.Second, "the graph has the hub → shop channel", func() (bool, string) {
		in := pageGraph(t, ctx)
		return in.GraphChannels >= 1 && in.GraphNodes >= 2, fmt.Sprintf("%+v", in)
	})

	payShopWithForm(t, ctx, s)
	// lnd plans no route over a channel whose commitment update is still
	// in progress, so the hub pays once the last payment's HTLC is gone.
	waitNoHTLCs(t, ctx)
	hubPaysPage(t, ctx, s)
	waitNoHTLCs(t, ctx)
	shopPaysPageWithForm(t, ctx)

	var res struct {
		OK     int    `json:"ok"`
		Millis int64  `json:"ms"`
		Err    string `json:"err"`
	}
	script := `(async () => { const t0 = performance.now(); let ok = 0; try {
	  for (let i = 0; i < 100; i++) {
	    const r = await fetch("devnet/shop/invoice", {method: "POST", body: JSON.stringify({amountSat: 1000 + i, memo: "item " + i})});
	    const { paymentRequest } = await r.json();
	    const p = await window.lnwasm.sendPayment({ paymentRequest });
	    if (p.status === "SUCCEEDED") ok++;
	  } } catch (e) { return JSON.stringify({ok, ms: 0, err: e.code + ": " + e.message}); }
	  return JSON.stringify({ ok, ms: Math.round(performance.now() - t0) }); })()`
	var raw string
	if err := runFor(ctx, 5*time.Minute, chromedp.Evaluate(script, &raw, awaitPromise)); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil || res.OK != 100 {
		t.Fatalf("100 payments from the page: %s", raw)
	}
	t.Logf("100 payments from the page in %d ms", res.Millis)

	pageFailures(t, ctx, s)
	pageMPP(t, ctx, s, hub.pubkey)

	reloadAndUnlock(t, ctx, s)
	in := pageGraph(t, ctx)
	if in.GraphChannels < 1 {
		t.Errorf("after a reload the graph is empty: %+v", in)
	}
	var hist struct {
		Payments []struct {
			Status string `json:"status"`
		} `json:"payments"`
	}
	if err := json.Unmarshal([]byte(call(t, ctx, "listPayments", "")), &hist); err != nil || len(hist.Payments) < 102 {
		t.Errorf("after a reload, payments: %d (%v)", len(hist.Payments), err)
	}
}

// waitNoHTLCs waits until no channel of the page carries an HTLC.
func waitNoHTLCs(t *testing.T, ctx context.Context) {
	t.Helper()
	start := time.Now()
	waitFor(t, 30*time.Second, "no HTLC left in the page's channels", func() (bool, string) {
		raw := call(t, ctx, "listChannels", "")
		return !strings.Contains(raw, `"numPendingHtlcs":1`) && !strings.Contains(raw, `"numPendingHtlcs":2`), raw
	})
	t.Logf("HTLCs gone after %s", time.Since(start).Round(time.Millisecond))
}

type graphInfo struct {
	GraphNodes    int  `json:"graphNodes"`
	GraphChannels int  `json:"graphChannels"`
	GraphSynced   bool `json:"graphSynced"`
}

func pageGraph(t *testing.T, ctx context.Context) graphInfo {
	var in graphInfo
	_ = json.Unmarshal([]byte(call(t, ctx, "getInfo", "")), &in)
	return in
}

// openPageChannel opens a channel from the page and waits until both
// sides have it active.
func openPageChannel(t *testing.T, ctx context.Context, s *server, pubkey string, sat, push int64) string {
	t.Helper()
	var opened struct {
		ChannelPoint string `json:"channelPoint"`
	}
	raw := call(t, ctx, "openChannel", fmt.Sprintf(`{nodePubkey: %q, localFundingAmountSat: %d, pushSat: %d}`, pubkey, sat, push))
	if err := json.Unmarshal([]byte(raw), &opened); err != nil || opened.ChannelPoint == "" {
		t.Fatalf("openChannel: %s", raw)
	}
	s.mine(t, 3)
	waitFor(t, 90*time.Second, "the channel active on both sides", func() (bool, string) {
		raw := call(t, ctx, "listChannels", "")
		var hub hubChannelsJSON
		s.getJSON(t, "/devnet/hub/channels", &hub)
		for _, c := range hub.Channels {
			if c.ChannelPoint == opened.ChannelPoint && c.Active {
				return strings.Contains(raw, opened.ChannelPoint) && strings.Contains(raw, `"state":"active"`), raw
			}
		}
		return false, raw
	})
	return opened.ChannelPoint
}

// payShopWithForm buys from the shop as a person does: the shop button
// fills the invoice, the review shows its amount, Pay pays it.
func payShopWithForm(t *testing.T, ctx context.Context, s *server) {
	t.Helper()
	if err := runFor(ctx, 30*time.Second, chromedp.Click("#shop-buy", chromedp.ByQuery), chromedp.WaitVisible("#pay-confirm", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	if got := pageText(ctx, "#pay-amount"); got != "20000" {
		t.Errorf("the review shows %q sat, want 20000", got)
	}
	if err := runFor(ctx, 30*time.Second, chromedp.Click("#pay-confirm", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the page reports the payment", func() (bool, string) {
		var result string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById("pay-status").dataset.result || ""`, &result))
		return result == "SUCCEEDED", pageText(ctx, "#pay-status")
	})
	var invs struct {
		Invoices []struct {
			State string `json:"state"`
			Memo  string `json:"memo"`
		} `json:"invoices"`
	}
	s.getJSON(t, "/devnet/shop/invoices", &invs)
	if len(invs.Invoices) != 1 || invs.Invoices[0].State != "SETTLED" {
		t.Fatalf("shop's invoices: %+v", invs)
	}
}

// hubPaysPage has the hub pay an invoice the page made.
func hubPaysPage(t *testing.T, ctx context.Context, s *server) {
	t.Helper()
	var inv struct {
		PaymentRequest string `json:"paymentRequest"`
		PaymentHash    string `json:"paymentHash"`
	}
	if err := json.Unmarshal([]byte(call(t, ctx, "addInvoice", `{valueSat: 4000, memo: "from the hub"}`)), &inv); err != nil {
		t.Fatal(err)
	}
	// lnd routes over a new private channel a few seconds after it is
	// active (its link becomes eligible then): retry NO_ROUTE meanwhile.
	var paid struct {
		Status  string `json:"status"`
		Failure string `json:"failureReason"`
	}
	waitFor(t, 30*time.Second, "the hub pays the page's invoice", func() (bool, string) {
		r, err := httpPost(s.URL+"/devnet/hub/pay", fmt.Sprintf(`{"paymentRequest": %q}`, inv.PaymentRequest))
		if err != nil {
			t.Fatal(err)
		}
		if err := decodeJSON(r, &paid); err != nil {
			t.Fatal(err)
		}
		if paid.Status == "FAILED" && paid.Failure != "FAILURE_REASON_NO_ROUTE" {
			t.Fatalf("hub pays the page: %+v", paid)
		}
		return paid.Status == "SUCCEEDED", fmt.Sprintf("%+v", paid)
	})
	waitFor(t, 30*time.Second, "the page's invoice settled", func() (bool, string) {
		raw := call(t, ctx, "listInvoices", "")
		return strings.Contains(raw, `"state":"SETTLED"`) && strings.Contains(raw, inv.PaymentHash), raw
	})
}

// shopPaysPageWithForm makes an invoice with the receive form and has the
// shop pay it through the hub, as the route hint says.
func shopPaysPageWithForm(t *testing.T, ctx context.Context) {
	t.Helper()
	err := runFor(ctx, 30*time.Second, gotoView("receive"),
		chromedp.SetValue("#invoice-amount", "2500", chromedp.ByQuery),
		chromedp.SetValue("#invoice-memo", "paid by the shop", chromedp.ByQuery),
		chromedp.Click("#invoice-submit", chromedp.ByQuery),
		chromedp.WaitVisible("#invoice-qr svg", chromedp.ByQuery),
		chromedp.Click("#shop-pay", chromedp.ByQuery))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the receive screen shows the invoice paid", func() (bool, string) {
		var state string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById("invoice-state").dataset.state || ""`, &state))
		return state == "SETTLED", pageText(ctx, "#invoice-state")
	})
}

// pageFailures checks the codes of payments that cannot work.
func pageFailures(t *testing.T, ctx context.Context, s *server) {
	t.Helper()
	shopReq := func(body string) string {
		r, err := httpPost(s.URL+"/devnet/shop/invoice", body)
		if err != nil {
			t.Fatal(err)
		}
		var inv struct {
			PaymentRequest string `json:"paymentRequest"`
		}
		if err := decodeJSON(r, &inv); err != nil {
			t.Fatal(err)
		}
		return inv.PaymentRequest
	}
	big := shopReq(`{"amountSat": 2000000}`)
	expiring := shopReq(`{"amountSat": 1000, "expirySeconds": 1}`)
	time.Sleep(2 * time.Second)
	const mainnet = "lnbc1pvjluezsp5zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zyg3zygspp5qqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqqqsyqcyq5rqwzqfqypqdpl2pkx2ctnv5sxxmmwwd5kgetjypeh2ursdae8g6twvus8g6rfwvs8qun0dfjkxaq9qrsgq357wnc5r2ueh7ck6q93dj32dlqnls087fxdwk8qakdyafkq3yap9us6v52vjjsrvywa6rt52cm9r9zqt8r2t7mlcwspyetp5h2tztugp9lfyql"
	for _, c := range []struct{ req, want string }{
		{big, "ERR INSUFFICIENT_BALANCE"},
		{expiring, "ERR INVOICE_EXPIRED"},
		{mainnet, "ERR WRONG_NETWORK"},
		{"lnbcrt1notaninvoice", "ERR INVALID_INVOICE"},
	} {
		got := call(t, ctx, "sendPayment", fmt.Sprintf(`{paymentRequest: %q}`, c.req))
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("sendPayment(%.20s…): %s, want %s", c.req, got, c.want)
		}
	}
	if got := call(t, ctx, "decodePayReq", fmt.Sprintf(`{payReq: %q}`, mainnet)); !strings.HasPrefix(got, "ERR WRONG_NETWORK") {
		t.Errorf("decodePayReq of a mainnet invoice: %s", got)
	}
}

// pageMPP opens a second channel and pays the shop more than either can
// carry.
func pageMPP(t *testing.T, ctx context.Context, s *server, hubPubkey string) {
	t.Helper()
	openPageChannel(t, ctx, s, hubPubkey, 300_000, 0)
	var chans struct {
		Channels []struct {
			LocalBalanceSat int64 `json:"localBalanceSat"`
		} `json:"channels"`
	}
	_ = json.Unmarshal([]byte(call(t, ctx, "listChannels", "")), &chans)
	var largest int64
	for _, c := range chans.Channels {
		largest = max(largest, c.LocalBalanceSat)
	}
	r, err := httpPost(s.URL+"/devnet/shop/invoice", fmt.Sprintf(`{"amountSat": %d}`, largest+100_000))
	if err != nil {
		t.Fatal(err)
	}
	var inv struct {
		PaymentRequest string `json:"paymentRequest"`
	}
	if err := decodeJSON(r, &inv); err != nil {
		t.Fatal(err)
	}
	raw := call(t, ctx, "sendPayment", fmt.Sprintf(`{paymentRequest: %q}`, inv.PaymentRequest))
	var paid struct {
		Status   string `json:"status"`
		NumParts int    `json:"numParts"`
	}
	if err := json.Unmarshal([]byte(raw), &paid); err != nil || paid.Status != "SUCCEEDED" || paid.NumParts < 2 {
		t.Fatalf("MPP of %d sat (largest channel %d): %s", largest+100_000, largest, raw)
	}
	t.Logf("paid %d sat in %d parts from the page", largest+100_000, paid.NumParts)
}
