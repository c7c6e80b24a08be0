package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// TestPageFaults breaks what the page's engine depends on while it pays,
// in the browser: the bridge stream to the hub is cut a few bytes into a
// payment's traffic (a proxy between our real bridge and the hub closes
// it, so the page's WebSocket ends mid-message), the stream to the chain
// peer is dropped while blocks are mined, and the worker's
// IndexedDB refuses writes after a budget of them (injected into the
// worker over CDP: Chromium does not enforce a quota override on a page's
// IndexedDB). After each storage fault the page is opened again from what
// it stored. Every outcome the page reports must match the shop's
// invoice, the channel must be active on both sides with equal balances,
// and nothing may be closed.
func TestPageFaults(t *testing.T) {
	t.Parallel()
	proxy := listenFaultProxy(t)
	s := startServer(t, "-devnet-shop", "-allow-ports", fmt.Sprintf("9735,%d", portNumber(t, proxy.addr())))
	hub := s.hubInfo(t)
	proxy.setTarget(hub.host)
	browser := newBrowser(t, "")
	tb := openTab(t, browser)
	fundPage(t, s, tb.ctx, nil)
	// The page knows the hub by the proxy's address: its reconnects go
	// through the proxy too.
	if got := call(t, tb.ctx, "connect", fmt.Sprintf(`{pubkey: %q, host: %q}`, hub.pubkey, proxy.addr())); strings.HasPrefix(got, "ERR") {
		t.Fatal(got)
	}
	point := openPageChannel(t, tb.ctx, s, hub.pubkey, 500_000, 0)
	waitFor(t, 60*time.Second, "the graph has the hub → shop channel", func() (bool, string) {
		return pageGraph(t, tb.ctx).GraphChannels >= 1, ""
	})
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	cutMidPayment(t, tb.ctx, s, proxy, rng, point)
	chainPeerDropped(t, tb.ctx, s, point)
	storageRefusesWrites(t, s, browser, tb, point)
}

// cutMidPayment pays six invoices, each with the stream armed to close a
// random 20–400 bytes into the payment's traffic.
func cutMidPayment(t *testing.T, ctx context.Context, s *server, proxy *faultProxy, rng *rand.Rand, point string) {
	for i := range 6 {
		hash, req := shopPost(t, s, "invoice", 3_000+int64(i))
		at := 20 + rng.Int64N(380)
		before := proxy.cuts.Load()
		proxy.cutAfter(at)
		status, errText := pagePay(t, ctx, req)
		if proxy.cuts.Load() == before {
			t.Fatalf("payment %d: the stream was not cut (armed at %d bytes)", i, at)
		}
		shop := waitShopSettledOrOpen(t, s, hash, status)
		t.Logf("cut %d bytes into payment %d: the page says %s%s, the shop's invoice is %s", at, i, status, errText, shop)
		if status != "SUCCEEDED" {
			// An outcome other than success must leave the shop unpaid,
			// and the same invoice must then be payable.
			if status, errText = pagePay(t, ctx, req); status != "SUCCEEDED" {
				t.Fatalf("payment %d paid again after the cut: %s%s", i, status, errText)
			}
		}
		channelsStillOpen(t, ctx, s, point)
	}
}

// chainPeerDropped closes the page's stream to its chain peer and mines
// two blocks at once: the engine must redial, reach the new tip, and pay.
func chainPeerDropped(t *testing.T, ctx context.Context, s *server, point string) {
	start := time.Now()
	if n := s.dropStreams(t, s.chainPeer); n == 0 {
		t.Fatalf("no stream to the chain peer %s to drop", s.chainPeer)
	}
	tip := s.mine(t, 2)
	waitFor(t, 60*time.Second, "the page at the new tip", func() (bool, string) {
		in, err := getInfo(ctx)
		return err == nil && in.BlockHeight == tip, fmt.Sprintf("%+v %v", in, err)
	})
	t.Logf("chain peer's stream dropped and 2 blocks mined: the page at the tip (%d) %v later", tip, time.Since(start).Round(time.Millisecond))
	hash, req := shopPost(t, s, "invoice", 3_500)
	if status, errText := pagePay(t, ctx, req); status != "SUCCEEDED" {
		t.Fatalf("payment after the chain peer came back: %s%s", status, errText)
	}
	waitShopSettledOrOpen(t, s, hash, "SUCCEEDED")
	channelsStillOpen(t, ctx, s, point)
}

// waitShopSettledOrOpen checks the shop agrees with the page's outcome:
// SUCCEEDED ⇔ the invoice SETTLED; anything else leaves it OPEN.
func waitShopSettledOrOpen(t *testing.T, s *server, hash, status string) string {
	t.Helper()
	want := "OPEN"
	if status == "SUCCEEDED" {
		want = "SETTLED"
	}
	var got string
	waitFor(t, 30*time.Second, "the shop's invoice "+want, func() (bool, string) {
		got = shopInvoiceState(t, s, hash)
		return got == want, got
	})
	return got
}

// pagePay pays an invoice with the engine's API and returns the payment's
// status, or "ERR" and the error.
func pagePay(t *testing.T, ctx context.Context, req string) (status, errText string) {
	return pagePayWithin(t, ctx, req, 0)
}

// pagePayWithin is pagePay that stops waiting after wait (if not 0), as a
// person who gives up on a stuck payment and closes the tab: "WAITING".
func pagePayWithin(t *testing.T, ctx context.Context, req string, wait time.Duration) (status, errText string) {
	t.Helper()
	var out struct {
		Status string `json:"status"`
		Err    string `json:"err"`
	}
	js := fmt.Sprintf(`Promise.race([
	  window.lnwasm.sendPayment({paymentRequest: %q}).then(p => ({status: p.status}), e => ({status: "ERR", err: e.code + ": " + e.message})),
	  ...(%d > 0 ? [new Promise(r => setTimeout(() => r({status: "WAITING"}), %d))] : []),
	])`, req, wait.Milliseconds(), wait.Milliseconds())
	if err := runFor(ctx, 150*time.Second, chromedp.Evaluate(js, &out, awaitPromise)); err != nil {
		t.Fatalf("sendPayment: %v", err)
	}
	if out.Err != "" {
		return out.Status, " (" + out.Err + ")"
	}
	return out.Status, ""
}

// storageRefusesWrites makes the engine's IndexedDB refuse writes after a
// budget of 0–8 more write transactions, pays, and opens the page again in
// a new tab (a new worker, without the fault). With no budget the payment
// must be refused before anything leaves; with some, writes fail somewhere
// inside the payment.
func storageRefusesWrites(t *testing.T, s *server, browser context.Context, tb *tab, point string) {
	for i, budget := range []int{0, 1, 2, 3, 4, 6, 8} {
		hash, req := shopPost(t, s, "invoice", 4_000+int64(i))
		worker := engineWorker(t, browser)
		failWritesAfter(t, worker, budget)
		var status, errText string
		if budget == 0 {
			status, errText = payFormRefused(t, tb.ctx, req)
		} else {
			status, errText = pagePayWithin(t, tb.ctx, req, 20*time.Second)
		}
		refused := refusedWrites(t, worker)
		t.Logf("writes refused after %d more: the page says %s%s; %d write transactions refused", budget, status, errText, refused)
		if budget == 0 && (refused == 0 || !strings.Contains(errText, "STORAGE_FAILED")) {
			t.Fatalf("no write allowed: the payment says %s%s, want STORAGE_FAILED", status, errText)
		}
		tb.cancel()
		waitFor(t, 30*time.Second, "the closed tab's worker gone", func() (bool, string) {
			targets, err := chromedp.Targets(browser)
			return err == nil && !slices.ContainsFunc(targets, func(i *target.Info) bool { return i.Type == "worker" }), ""
		})
		tb = reopenAndUnlock(t, s, browser)
		reported := status == "SUCCEEDED" || status == "FAILED"
		listed := pagePaymentStatus(t, tb.ctx, hash)
		if listed == "IN_FLIGHT" {
			listed = waitPaymentOrNothing(t, tb.ctx, hash)
		}
		if reported && listed != status {
			t.Fatalf("the page reported %s before the reload and %q after", status, listed)
		}
		shop := waitShopSettledOrOpen(t, s, hash, listed)
		t.Logf("  after opening the page again: it lists %q, the shop's invoice is %s", listed, shop)
		channelsStillOpen(t, tb.ctx, s, point)
	}
}

// payFormRefused pays with the Send form while nothing can be stored: the
// form must say so in words a person can act on.
func payFormRefused(t *testing.T, ctx context.Context, req string) (status, errText string) {
	t.Helper()
	payWithForm(t, ctx, req)
	var result string
	waitFor(t, 60*time.Second, "the Send form's outcome", func() (bool, string) {
		_ = chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById("pay-status").dataset.result || ""`, &result))
		return result != "", result
	})
	text := pageText(ctx, "#pay-status")
	if result != "STORAGE_FAILED" || !strings.Contains(text, "refused to save") {
		t.Fatalf("the Send form with storage refusing writes: %s: %q", result, text)
	}
	return "ERR", " (" + text + ")"
}

// failWritesAfter makes the worker's IndexedDB refuse every read-write
// transaction after budget more, as a full disk does (QuotaExceededError);
// reads still work. The engine's journal (web/idbfs.js) opens one
// read-write transaction per commit.
func failWritesAfter(t *testing.T, worker context.Context, budget int) {
	t.Helper()
	js := fmt.Sprintf(`(() => {
	  if (!globalThis.faultInstalled) {
	    globalThis.faultInstalled = true;
	    globalThis.faultRefused = 0;
	    const orig = IDBDatabase.prototype.transaction;
	    IDBDatabase.prototype.transaction = function (stores, mode, opts) {
	      if (mode === "readwrite" && globalThis.faultBudget >= 0) {
	        if (globalThis.faultBudget === 0) {
	          globalThis.faultRefused++;
	          throw new DOMException("injected: the disk is full", "QuotaExceededError");
	        }
	        globalThis.faultBudget--;
	      }
	      return orig.call(this, stores, mode, opts);
	    };
	  }
	  globalThis.faultBudget = %d;
	  return true;
	})()`, budget)
	if got := workerEval(t, worker, js); got != "true" {
		t.Fatalf("install the storage fault in the worker: %s", got)
	}
}

func refusedWrites(t *testing.T, worker context.Context) int {
	t.Helper()
	n, err := strconv.Atoi(workerEval(t, worker, `globalThis.faultRefused`))
	if err != nil {
		t.Fatalf("the storage fault's count: %v", err)
	}
	return n
}

// workerEval evaluates expr in the worker and returns its value as JSON.
// It speaks CDP's Runtime.evaluate itself: chromedp.Evaluate looks for a
// frame's execution context, which a worker does not have.
func workerEval(t *testing.T, worker context.Context, expr string) string {
	t.Helper()
	var out string
	err := runFor(worker, 10*time.Second, chromedp.ActionFunc(func(ctx context.Context) error {
		res, exc, err := cdpruntime.Evaluate(expr).WithReturnByValue(true).Do(ctx)
		if err != nil {
			return err
		}
		if exc != nil {
			return fmt.Errorf("%s", exc.Text)
		}
		out = string(res.Value)
		return nil
	}))
	if err != nil {
		t.Fatalf("evaluate in the worker: %v", err)
	}
	return out
}

// pagePaymentStatus is the status of the payment with hash in
// listPayments, or "" if the page has no such payment.
func pagePaymentStatus(t *testing.T, ctx context.Context, hash string) string {
	t.Helper()
	var list struct {
		Payments []struct {
			Hash   string `json:"paymentHash"`
			Status string `json:"status"`
		} `json:"payments"`
	}
	raw := call(t, ctx, "listPayments", "")
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		t.Fatalf("listPayments: %s", raw)
	}
	for _, p := range list.Payments {
		if p.Hash == hash {
			return p.Status
		}
	}
	return ""
}

// waitPaymentOrNothing gives a payment the page stored as in flight time to
// resolve; one it never stored stays "".
func waitPaymentOrNothing(t *testing.T, ctx context.Context, hash string) string {
	t.Helper()
	var got string
	waitFor(t, 120*time.Second, "the payment resolved or absent", func() (bool, string) {
		got = pagePaymentStatus(t, ctx, hash)
		return got != "IN_FLIGHT", got
	})
	return got
}
