package itest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// call runs window.lnwasm.METHOD(params) in the page and returns its JSON
// result, or "ERR CODE: message".
func call(t *testing.T, ctx context.Context, method, params string) string {
	t.Helper()
	var out string
	js := fmt.Sprintf(`window.lnwasm.%s(%s).then(r => JSON.stringify(r)).catch(e => "ERR " + e.code + ": " + e.message)`, method, params)
	tctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Run(tctx, chromedp.Evaluate(js, &out, awaitPromise)); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
	return out
}

// TestPageWalletCreateLockUnlock goes through the wallet as a person does:
// the create form, the 24 words shown once, a reload that locks it, a wrong
// and a right password.
func TestPageWalletCreateLockUnlock(t *testing.T) {
	s := startServer(t, "-devnet-hub=false")
	ctx := newBrowser(t, "")
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, ctx, s.info(t).Height)
	if got := call(t, ctx, "createWallet", `{password: "short"}`); !strings.HasPrefix(got, "ERR WEAK_PASSWORD") {
		t.Errorf("short password: %s", got)
	}
	err := runFor(ctx, 60*time.Second,
		chromedp.WaitVisible("#create-form", chromedp.ByQuery),
		chromedp.SendKeys("#create-password", "correct horse battery", chromedp.ByQuery),
		chromedp.Click("#create-form button[type=submit]", chromedp.ByQuery),
		chromedp.WaitVisible("#words-box", chromedp.ByQuery),
	)
	if err != nil {
		var state string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`document.body.dataset.wallet + " create-hidden=" + document.getElementById("create-form").hidden + " words-hidden=" + document.getElementById("words-box").hidden`, &state))
		t.Fatalf("create through the form: %v; status %q; page: %s", err, pageText(ctx, "#wallet-status"), state)
	}
	var words int
	_ = chromedp.Run(ctx, chromedp.Evaluate(`document.querySelectorAll("#words li").length`, &words))
	if words != 24 {
		t.Fatalf("the page shows %d words, want 24", words)
	}
	if err := runFor(ctx, 20*time.Second, chromedp.Click("#words-saved", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	var disabled bool
	_ = chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById("words-done").disabled`, &disabled))
	if !disabled {
		t.Fatal("Done is enabled before the person typed the asked words back")
	}
	// Type the asked words back, as a person reading their copy would.
	fill := `(() => { const w = [...document.querySelectorAll("#words li")].map(li => li.textContent);
	  document.querySelectorAll(".quiz-word").forEach((el, i) => {
	    el.value = w[Number(document.querySelectorAll(".quiz-n")[i].textContent) - 1];
	    el.dispatchEvent(new Event("input")); }); return document.getElementById("words-done").disabled; })()`
	if err := chromedp.Run(ctx, chromedp.Evaluate(fill, &disabled)); err != nil || disabled {
		t.Fatalf("after typing the right words Done is still disabled (%v)", err)
	}
	err = runFor(ctx, 20*time.Second, chromedp.Click("#words-done", chromedp.ByQuery), chromedp.WaitVisible("#wallet-info", chromedp.ByQuery))
	if err != nil {
		t.Fatalf("confirm words: %v", err)
	}
	id := pageText(ctx, "#identity")
	if len(id) != 66 {
		t.Fatalf("identity shown: %q", id)
	}
	if got := call(t, ctx, "createWallet", `{password: "correct horse battery"}`); !strings.HasPrefix(got, "ERR WALLET_EXISTS") {
		t.Errorf("second create: %s", got)
	}

	if err := chromedp.Run(ctx, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, ctx, s.info(t).Height)
	info, _ := getInfoRaw(ctx)
	if !strings.Contains(info, `"walletState":"locked"`) || strings.Contains(info, id) {
		t.Fatalf("after reload: %s, want locked with no identity", info)
	}
	if got := call(t, ctx, "unlockWallet", `{password: "wrong horse battery"}`); !strings.HasPrefix(got, "ERR WRONG_PASSWORD") {
		t.Errorf("wrong password: %s", got)
	}
	if got := call(t, ctx, "unlockWallet", `{password: "correct horse battery"}`); strings.HasPrefix(got, "ERR") {
		t.Fatalf("unlock: %s", got)
	}
	if info, _ := getInfoRaw(ctx); !strings.Contains(info, `"identityPubkey":"`+id+`"`) {
		t.Fatalf("after unlock: %s, want identity %s", info, id)
	}
}

// runFor runs actions with a deadline, so a missing element fails the test
// instead of hanging it.
func runFor(ctx context.Context, d time.Duration, actions ...chromedp.Action) error {
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return chromedp.Run(tctx, actions...)
}

// gotoView clicks the page's nav button for a view, as a person does.
func gotoView(view string) chromedp.Action {
	return chromedp.Click(fmt.Sprintf(`nav [data-view=%q]`, view), chromedp.ByQuery)
}

func getInfoRaw(ctx context.Context) (string, error) {
	var raw string
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := chromedp.Run(tctx, chromedp.Evaluate(`window.lnwasm.getInfo().then(JSON.stringify)`, &raw, awaitPromise))
	return raw, err
}
