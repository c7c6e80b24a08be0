package itest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// walk is one run of the classic walk through the page: the browser tab,
// the playground behind it, and where its screenshots go.
type walk struct {
	t    *testing.T
	ctx  context.Context
	s    *server
	shot int
	dir  string
}

// TestPageWalk drives the real page in headless Chromium through the whole
// walk a person takes, only by clicking and typing: create a wallet (and
// prove the words were written down), take the faucet's coins, connect to
// the hub, open a channel, pay the shop two hops away, get paid by the
// shop, close cooperatively. At each step it checks the numbers the page
// shows against lnd's (the hub's and the shop's) and saves a screenshot
// under build/artifacts/page-walk.
func TestPageWalk(t *testing.T) {
	t.Parallel()
	var s *server
	if url := os.Getenv("LNWASM_WALK_URL"); url != "" {
		// The walk against a playground already running, such as `make
		// demo`'s: the check that a fresh clone's demo works end to end.
		s = &server{URL: strings.TrimSuffix(url, "/")}
	} else {
		s = startServer(t, "-devnet-shop")
	}
	w := &walk{t: t, s: s, ctx: newBrowser(t, ""), dir: filepath.Join(assetsDir(t), "artifacts", "page-walk")}
	// Only this run's screenshots: a step renamed or removed must not
	// leave an older picture behind.
	_ = os.RemoveAll(w.dir)
	if err := os.MkdirAll(w.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(w.ctx, chromedp.EmulateViewport(1280, 900), chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	w.createWallet()
	w.faucet()
	w.connectHub()
	point := w.openChannel(500_000)
	w.payShop(point)
	w.getPaid(point)
	w.sendOnchain()
	w.closeChannel(point)
	w.guideDone()
	w.phoneWidth()
}

// do runs actions within 60 s, failing the test with what the page says.
func (w *walk) do(what string, actions ...chromedp.Action) {
	w.t.Helper()
	if err := runFor(w.ctx, 60*time.Second, actions...); err != nil {
		w.t.Fatalf("%s: %v (status %q, wallet %q, channels %q, pay %q)", what, err, pageText(w.ctx, "#status"),
			pageText(w.ctx, "#wallet-status"), pageText(w.ctx, "#channels-status"), pageText(w.ctx, "#pay-status"))
	}
}

// screenshot saves the whole page as NN-name.png.
func (w *walk) screenshot(name string) {
	w.t.Helper()
	w.shot++
	var png []byte
	if err := runFor(w.ctx, 30*time.Second, chromedp.FullScreenshot(&png, 100)); err != nil {
		w.t.Fatalf("screenshot %s: %v", name, err)
	}
	path := filepath.Join(w.dir, fmt.Sprintf("%02d-%s.png", w.shot, name))
	if err := os.WriteFile(path, png, 0o644); err != nil {
		w.t.Fatal(err)
	}
	w.t.Logf("screenshot %s (%d KB)", path, len(png)/1024)
}

// number reads a whole number the page shows.
func (w *walk) number(sel string) int64 {
	n, err := strconv.ParseInt(strings.TrimSpace(pageText(w.ctx, sel)), 10, 64)
	if err != nil {
		return -1
	}
	return n
}

// waitNumber waits until the page shows want at sel.
func (w *walk) waitNumber(what, sel string, want int64) {
	w.t.Helper()
	waitFor(w.t, 60*time.Second, what, func() (bool, string) {
		got := w.number(sel)
		return got == want, fmt.Sprintf("page shows %d at %s, want %d", got, sel, want)
	})
}

// createWallet: type a password, read the 24 words, tick "written down",
// type back the three words the quiz asks for, and reach the home view.
func (w *walk) createWallet() {
	w.do("the first-run screen", chromedp.WaitVisible("#create-form", chromedp.ByQuery))
	w.screenshot("first-run")
	w.do("create", chromedp.SendKeys("#create-password", "correct horse battery", chromedp.ByQuery),
		chromedp.Click("#create-form button[type=submit]", chromedp.ByQuery),
		chromedp.WaitVisible("#words-box", chromedp.ByQuery))
	var words []string
	w.do("read the words", chromedp.Evaluate(`[...document.querySelectorAll("#words li")].map(li => li.textContent)`, &words))
	if len(words) != 24 {
		w.t.Fatalf("the page shows %d words, want 24", len(words))
	}
	w.screenshot("words")
	w.do("tick written down", chromedp.Click("#words-saved", chromedp.ByQuery), chromedp.WaitVisible("#words-quiz", chromedp.ByQuery))
	for i := 1; i <= 3; i++ {
		n, err := strconv.Atoi(pageText(w.ctx, fmt.Sprintf("#words-quiz label:nth-of-type(%d) .quiz-n", i)))
		if err != nil || n < 1 || n > 24 {
			w.t.Fatalf("quiz asks for word %q", pageText(w.ctx, fmt.Sprintf("#words-quiz label:nth-of-type(%d) .quiz-n", i)))
		}
		w.do("type a word back", chromedp.SendKeys(fmt.Sprintf("#words-quiz label:nth-of-type(%d) input", i), words[n-1], chromedp.ByQuery))
	}
	w.do("confirm the words", chromedp.Click("#words-done", chromedp.ByQuery), chromedp.WaitVisible("#wallet-info", chromedp.ByQuery))
	if id := pageText(w.ctx, "#identity"); len(id) != 66 {
		w.t.Fatalf("home shows node key %q", id)
	}
	w.screenshot("home")
}

// faucet: the guide's faucet button; the home view shows the coins.
func (w *walk) faucet() {
	w.do("faucet", chromedp.Click("#faucet", chromedp.ByQuery))
	w.waitNumber("the faucet's coins on the home view", "#balance-confirmed", 1_000_000)
	w.screenshot("funded")
}

// connectHub: the guide's button shows the Channels view with the hub
// connected.
func (w *walk) connectHub() {
	w.do("connect to the hub", chromedp.Click("#connect-hub", chromedp.ByQuery),
		chromedp.WaitVisible(`#peer-rows tr[data-connected="true"]`, chromedp.ByQuery))
	hub := w.s.hubInfo(w.t)
	var shown string
	w.do("read the peer row", chromedp.AttributeValue(`#peer-rows tr[data-connected="true"]`, "data-pubkey", &shown, nil, chromedp.ByQuery))
	if shown != hub.pubkey {
		w.t.Fatalf("connected peer %s, want the hub %s", shown, hub.pubkey)
	}
	w.screenshot("connected")
}

// openChannel: the guide fills the hub's key, the person types the size
// and opens; six blocks later the row is active and its balance matches
// the hub's view of the channel.
func (w *walk) openChannel(size int64) string {
	w.do("open the channel", chromedp.Click("#guide-open", chromedp.ByQuery),
		chromedp.SetValue("#open-amount", "", chromedp.ByQuery),
		chromedp.SendKeys("#open-amount", strconv.FormatInt(size, 10), chromedp.ByQuery),
		chromedp.Click("#open-submit", chromedp.ByQuery))
	waitFor(w.t, 90*time.Second, "the funding transaction published", func() (bool, string) {
		got := pageText(w.ctx, "#channels-status")
		return strings.HasPrefix(got, "Funding transaction published"), got
	})
	w.do("mine 6 blocks", chromedp.Click("#mine-6", chromedp.ByQuery))
	var point string
	waitFor(w.t, 90*time.Second, "the channel active on the page and at the hub", func() (bool, string) {
		var rows []map[string]string
		_ = chromedp.Run(w.ctx, chromedp.Evaluate(`[...document.querySelectorAll("#channel-rows tr")].map(r => ({point: r.dataset.channelPoint || "", state: r.dataset.state || ""}))`, &rows))
		if len(rows) != 1 {
			return false, fmt.Sprint(rows)
		}
		point = rows[0]["point"]
		hub := w.s.hubChannel(w.t, point)
		return rows[0]["state"] == "active" && hub != nil && hub.Active, fmt.Sprintf("page %v, hub %+v", rows, hub)
	})
	local := w.rowBalance(point)
	if hub := w.s.hubChannel(w.t, point); hub.Capacity != strconv.FormatInt(size, 10) || hub.RemoteBalance != strconv.FormatInt(local, 10) {
		w.t.Fatalf("hub sees capacity %s and our balance %s; the page shows %d of %d", hub.Capacity, hub.RemoteBalance, local, size)
	}
	w.screenshot("channel-open")
	w.do("home", gotoView("home"))
	w.waitNumber("home shows the channel balance", "#balance-channels", local)
	w.t.Logf("channel %s open: %d sat ours of %d (the rest paid the commitment fee and anchors)", point, local, size)
	return point
}

// hubChannel is the hub's view of a channel, or nil.
func (s *server) hubChannel(t *testing.T, point string) *lndChannel {
	var hub hubChannelsJSON
	s.getJSON(t, "/devnet/hub/channels", &hub)
	for i := range hub.Channels {
		if hub.Channels[i].ChannelPoint == point {
			return &hub.Channels[i]
		}
	}
	return nil
}

// rowBalance is our balance in the channel's row of the Channels view
// (which must be on screen: the page's text is read as a person sees it).
// The table is redrawn whenever the engine reports a change, so a read
// that races a redraw is retried.
func (w *walk) rowBalance(point string) int64 {
	w.t.Helper()
	var n int64
	waitFor(w.t, 10*time.Second, "the channel's row", func() (bool, string) {
		n = w.number(fmt.Sprintf(`#channel-rows tr[data-channel-point=%q] .local`, point))
		return n >= 0, "no balance shown"
	})
	return n
}

// settledWithHub waits until the hub's balance for us equals the page's.
func (w *walk) settledWithHub(point string, want int64) {
	w.t.Helper()
	waitFor(w.t, 60*time.Second, "the page's and the hub's balances agree", func() (bool, string) {
		hub := w.s.hubChannel(w.t, point)
		got := w.rowBalance(point)
		return hub != nil && got == want && hub.RemoteBalance == strconv.FormatInt(want, 10) && hub.LocalBalance != "",
			fmt.Sprintf("page %d, hub %+v, want %d", got, hub, want)
	})
}

// payShop: the guide asks the shop for an invoice, the Send view reviews
// it, Pay pays it over the hub; the shop's invoice is settled and our
// balance drops by the amount and the hub's fee.
func (w *walk) payShop(point string) {
	w.do("channels", gotoView("channels"))
	before := w.rowBalance(point)
	w.do("ask the shop for an invoice", chromedp.Click("#shop-buy", chromedp.ByQuery), chromedp.WaitVisible("#pay-confirm", chromedp.ByQuery))
	if got := pageText(w.ctx, "#pay-amount"); got != "20000" {
		w.t.Fatalf("the review shows %q sat, want 20000", got)
	}
	w.screenshot("pay-review")
	var req string
	w.do("read the invoice", chromedp.Value("#pay-request", &req, chromedp.ByQuery))
	w.do("pay", chromedp.Click("#pay-confirm", chromedp.ByQuery))
	waitFor(w.t, 90*time.Second, "the page reports the payment", func() (bool, string) {
		var result string
		_ = chromedp.Run(w.ctx, chromedp.Evaluate(`document.getElementById("pay-status").dataset.result || ""`, &result))
		return result == "SUCCEEDED", pageText(w.ctx, "#pay-status")
	})
	var invs struct {
		Invoices []struct {
			Request string `json:"payment_request"`
			State   string `json:"state"`
			AmtPaid string `json:"amt_paid_sat"`
		} `json:"invoices"`
	}
	w.s.getJSON(w.t, "/devnet/shop/invoices", &invs)
	settled := false
	for _, in := range invs.Invoices {
		settled = settled || (in.Request == req && in.State == "SETTLED" && in.AmtPaid == "20000")
	}
	if !settled {
		w.t.Fatalf("the shop's invoice %s is not settled for 20000 sat: %+v", req, invs)
	}
	w.screenshot("paid")
	w.do("channels", gotoView("channels"))
	var fee int64
	waitFor(w.t, 30*time.Second, "the channel balance after paying", func() (bool, string) {
		fee = before - 20000 - w.rowBalance(point)
		return fee >= 0 && fee < 100, fmt.Sprintf("before %d, now %d", before, w.rowBalance(point))
	})
	w.settledWithHub(point, before-20000-fee)
	w.t.Logf("paid the shop 20000 sat, routing fee %d sat; balance %d", fee, before-20000-fee)
}

// getPaid: the guide opens the Receive view with 2,000 sat filled in; the
// person creates the invoice and the shop pays it through the hub.
func (w *walk) getPaid(point string) {
	w.do("channels", gotoView("channels"))
	before := w.rowBalance(point)
	w.do("create an invoice", chromedp.Click("#guide-receive", chromedp.ByQuery),
		chromedp.Click("#invoice-submit", chromedp.ByQuery), chromedp.WaitVisible("#invoice-qr svg", chromedp.ByQuery))
	w.screenshot("invoice")
	// lnd may answer NO_ROUTE for a moment after the last payment's HTLC
	// left the channel: a person would press the button again.
	waitFor(w.t, 90*time.Second, "the receive view shows the invoice paid", func() (bool, string) {
		var state string
		_ = chromedp.Run(w.ctx, chromedp.Evaluate(`document.getElementById("invoice-state").dataset.state || ""`, &state))
		if state == "SETTLED" {
			return true, ""
		}
		text := pageText(w.ctx, "#invoice-state")
		if !strings.HasPrefix(text, "The shop is paying") {
			w.do("have the shop pay", chromedp.Click("#shop-pay", chromedp.ByQuery))
		}
		return false, text
	})
	if got := pageText(w.ctx, "#invoice-state"); got != "Paid: 2000 sat received." {
		w.t.Errorf("receive view says %q", got)
	}
	w.screenshot("received")
	w.do("channels", gotoView("channels"))
	w.settledWithHub(point, before+2000)
}

// sendOnchain: paste the hub's address into the Send view, type the
// amount, send; after a block the hub's wallet holds exactly that much
// more, and ours went down by the amount and the fee the page reported.
func (w *walk) sendOnchain() {
	var addr struct {
		Address string `json:"address"`
	}
	w.s.getJSON(w.t, "/devnet/hub/newaddress", &addr)
	w.do("home", gotoView("home"))
	ours := w.number("#balance-confirmed")
	hubBefore := w.s.hubConfirmed(w.t)
	w.do("review the address", gotoView("send"),
		chromedp.SendKeys("#pay-request", addr.Address, chromedp.ByQuery),
		chromedp.Click("#pay-decode", chromedp.ByQuery),
		chromedp.WaitVisible("#send-form", chromedp.ByQuery))
	if got := pageText(w.ctx, "#send-to"); got != addr.Address {
		w.t.Fatalf("the review shows %q, want %s", got, addr.Address)
	}
	w.do("send", chromedp.SendKeys("#send-amount", "50000", chromedp.ByQuery), chromedp.Click("#send-submit", chromedp.ByQuery))
	var fee int64
	waitFor(w.t, 60*time.Second, "the page reports the send", func() (bool, string) {
		got := pageText(w.ctx, "#pay-status")
		var txid string
		_, err := fmt.Sscanf(got, "Sent: tx %s (fee %d sat)", &txid, &fee)
		return err == nil, got
	})
	w.screenshot("sent-onchain")
	w.do("mine a block", chromedp.Click("#mine", chromedp.ByQuery))
	waitFor(w.t, 60*time.Second, "the hub's wallet has the coins", func() (bool, string) {
		got := w.s.hubConfirmed(w.t)
		return got == hubBefore+50000, fmt.Sprintf("hub %d, before %d", got, hubBefore)
	})
	w.do("home", gotoView("home"))
	w.waitNumber("home shows the wallet after the send", "#balance-confirmed", ours-50000-fee)
	w.t.Logf("sent 50000 sat on-chain to the hub, fee %d sat", fee)
}

// closeChannel: Close on the channel's row, one block, and the wallet
// holds exactly what the row says came back.
func (w *walk) closeChannel(point string) {
	w.do("home", gotoView("home"))
	onchain := w.number("#balance-confirmed")
	w.do("close", chromedp.Click("#guide-close", chromedp.ByQuery),
		chromedp.Click(fmt.Sprintf(`#channel-rows tr[data-channel-point=%q] .close-channel`, point), chromedp.ByQuery))
	waitFor(w.t, 60*time.Second, "the closing transaction published", func() (bool, string) {
		got := pageText(w.ctx, "#channels-status")
		return strings.HasPrefix(got, "Closing transaction"), got
	})
	w.do("mine a block", chromedp.Click("#mine", chromedp.ByQuery))
	var settled int64
	waitFor(w.t, 90*time.Second, "the channel closed on the page and at the hub", func() (bool, string) {
		row := fmt.Sprintf(`#channel-rows tr[data-channel-point=%q]`, point)
		var state string
		_ = chromedp.Run(w.ctx, chromedp.AttributeValue(row, "data-state", &state, nil, chromedp.ByQuery))
		text := pageText(w.ctx, row+" td:nth-child(4)")
		_, err := fmt.Sscanf(text, "closed (local), %d sat back to the wallet", &settled)
		return state == "closed" && err == nil && w.s.hubChannel(w.t, point) == nil, fmt.Sprintf("%s: %q", state, text)
	})
	w.screenshot("closed")
	w.do("home", gotoView("home"))
	w.waitNumber("home shows the closing output", "#balance-confirmed", onchain+settled)
	w.waitNumber("home shows nothing in channels", "#balance-channels", 0)
	w.t.Logf("closed: %d sat back on-chain; wallet %d", settled, onchain+settled)
}

// guideDone checks the guide marked every step done.
func (w *walk) guideDone() {
	var pending []string
	waitFor(w.t, 30*time.Second, "the guide marks every step done", func() (bool, string) {
		_ = chromedp.Run(w.ctx, chromedp.Evaluate(`[...document.querySelectorAll("#guide-steps li")].filter(li => li.dataset.done !== "true").map(li => li.dataset.step)`, &pending))
		return len(pending) == 0, fmt.Sprint(pending)
	})
	w.screenshot("guide-done")
}

// phoneWidth shows each view at a phone's width: nothing may be wider
// than the screen, and every control must have a label.
func (w *walk) phoneWidth() {
	w.do("phone viewport", chromedp.EmulateViewport(375, 740))
	for _, v := range []string{"home", "send", "receive", "channels", "history", "settings"} {
		w.do(v, gotoView(v))
		var wide []string
		w.do("measure "+v, chromedp.Evaluate(`[...document.querySelectorAll("main *, nav, aside, header")]
		  .filter(el => el.offsetParent !== null && el.closest(".scroll") === null && el.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
		  .map(el => el.tagName + "#" + el.id + "." + el.className)`, &wide))
		if len(wide) > 0 {
			w.t.Errorf("at 375 px the %s view overflows: %v", v, wide)
		}
		var unlabeled []string
		w.do("labels "+v, chromedp.Evaluate(`[...document.querySelectorAll("input:not([type=hidden]), select, textarea, button")]
		  .filter(el => el.offsetParent !== null)
		  .filter(el => el.tagName === "BUTTON" ? !(el.textContent.trim() || el.getAttribute("aria-label")) : !(el.labels.length || el.getAttribute("aria-label")))
		  .map(el => el.tagName + "#" + el.id)`, &unlabeled))
		if len(unlabeled) > 0 {
			w.t.Errorf("the %s view has controls without a label: %v", v, unlabeled)
		}
		var low []string
		w.do("contrast "+v, chromedp.Evaluate(contrastJS, &low))
		if len(low) > 0 {
			w.t.Errorf("the %s view has text below WCAG AA contrast: %v", v, low)
		}
		w.screenshot("phone-" + v)
	}
	// The nav works from the keyboard: focus a view's button, press Enter.
	w.do("keyboard", chromedp.Focus(`nav [data-view="history"]`, chromedp.ByQuery), chromedp.KeyEvent("\r"),
		chromedp.WaitVisible(`#payment-table`, chromedp.ByQuery))
}

// contrastJS lists visible text whose contrast with its background is
// under WCAG AA: 4.5:1, or 3:1 for large text (24 px, or 18.66 px bold).
const contrastJS = `(() => {
  const rgb = (s) => (s.match(/[\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const bg = (el) => { for (; el; el = el.parentElement) { const c = rgb(getComputedStyle(el).backgroundColor);
      if (c.length === 3 || c[3] > 0) return c.slice(0, 3); } return [255, 255, 255]; };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.offsetParent === null || ![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const st = getComputedStyle(el);
    const a = lum(rgb(st.color)), b = lum(bg(el));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(st.fontSize), bold = Number(st.fontWeight) >= 700;
    const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < need) out.push(el.tagName + "#" + el.id + " " + ratio.toFixed(2) + ": " + el.textContent.trim().slice(0, 30));
  }
  return out; })()`
