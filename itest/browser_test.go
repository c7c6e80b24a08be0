package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's Chromium, which `make deps` installs.
const chromiumPath = "/usr/bin/chromium"

// newBrowser starts headless Chromium with a fresh profile (or the given
// one, to test what survives a reload) and returns a tab context.
func newBrowser(t testing.TB, profile string) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("%s missing: run `make deps`", chromiumPath)
	}
	if profile == "" {
		// Not t.TempDir: Chromium may still be writing its profile for a
		// moment after it is told to quit, which would fail that cleanup.
		dir, err := os.MkdirTemp("", "lnwasm-chromium-")
		if err != nil {
			t.Fatal(err)
		}
		profile = dir
		t.Cleanup(func() { removeSoon(dir) })
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath), chromedp.UserDataDir(profile),
		chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-sync", true),
	)
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	// Newer Chromium sends CDP enum values this cdproto does not know; those
	// decode errors are noise, not test failures.
	ctx, cancel := chromedp.NewContext(actx, chromedp.WithErrorf(func(string, ...any) {}))
	t.Cleanup(func() { cancel(); cancelA() })
	chromedp.ListenTarget(ctx, func(ev interface{}) {
		if e, ok := ev.(*runtime.EventExceptionThrown); ok {
			t.Logf("page exception: %s", e.ExceptionDetails.Text)
		}
	})
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// removeSoon removes a directory, retrying while a child process finishes
// writing into it.
func removeSoon(dir string) {
	for i := 0; i < 50; i++ {
		if os.RemoveAll(dir) == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// pageInfo is what the page's lnwasm.getInfo() returns.
type pageInfo struct {
	Network        string `json:"network"`
	BlockHeight    int64  `json:"blockHeight"`
	BlockHash      string `json:"blockHash"`
	HeaderHeight   int64  `json:"headerHeight"`
	FilterHeight   int64  `json:"filterHeight"`
	SyncedToChain  bool   `json:"syncedToChain"`
	RestoredHeight int64  `json:"restoredHeight"`
	BridgeBytesIn  uint64 `json:"bridgeBytesIn"`
	SyncMillis     int64  `json:"syncMillis"`
}

// awaitPromise makes Evaluate wait for a returned Promise to settle.
func awaitPromise(p *runtime.EvaluateParams) *runtime.EvaluateParams {
	return p.WithAwaitPromise(true)
}

// getInfo calls window.lnwasm.getInfo() in the page; an error is returned
// as the rejection's code and message.
func getInfo(ctx context.Context) (pageInfo, error) {
	var raw string
	js := `window.lnwasm ? window.lnwasm.getInfo().then(JSON.stringify).catch(e => "ERR " + e.code + ": " + e.message) : "ERR no lnwasm"`
	tctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	err := chromedp.Run(tctx, chromedp.Evaluate(js, &raw, awaitPromise))
	if err != nil {
		return pageInfo{}, err
	}
	if strings.HasPrefix(raw, "ERR") {
		return pageInfo{}, fmt.Errorf("%s", raw)
	}
	var info pageInfo
	return info, json.Unmarshal([]byte(raw), &info)
}

// waitPageSynced waits until the page reports both header chains at height.
func waitPageSynced(t testing.TB, ctx context.Context, height int64) pageInfo {
	t.Helper()
	var info pageInfo
	waitFor(t, 3*time.Minute, fmt.Sprintf("page sync to %d", height), func() (bool, string) {
		var err error
		info, err = getInfo(ctx)
		if msg := pageError(ctx); msg != "" {
			t.Fatalf("page shows an error: %s", msg)
		}
		if err != nil {
			return false, err.Error() + " / status: " + pageText(ctx, "#status")
		}
		ok := info.SyncedToChain && info.BlockHeight == height && info.HeaderHeight == height && info.FilterHeight == height
		// What a person sees must agree: the page draws from sync events.
		var shown string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`document.body.dataset.synced + "@" + document.body.dataset.height`, &shown))
		ok = ok && shown == fmt.Sprintf("true@%d", height)
		return ok, fmt.Sprintf("%+v, page shows %s", info, shown)
	})
	return info
}

// pageError is the page's status line when it shows an error.
func pageError(ctx context.Context) string {
	var failed bool
	_ = chromedp.Run(ctx, chromedp.Evaluate(`document.getElementById("status").classList.contains("error")`, &failed))
	if failed {
		return pageText(ctx, "#status")
	}
	return ""
}

func pageText(ctx context.Context, sel string) string {
	var s string
	tctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	_ = chromedp.Run(tctx, chromedp.Text(sel, &s, chromedp.ByQuery))
	return s
}

func TestPageSyncsFollowsAndResumes(t *testing.T) {
	s := startServer(t)
	start := s.info(t)
	if start.Height < 300 {
		t.Fatalf("playground height %d, want at least 300", start.Height)
	}
	ctx := newBrowser(t, "")
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatalf("open page: %v", err)
	}
	first := waitPageSynced(t, ctx, start.Height)
	if first.RestoredHeight != 0 {
		t.Errorf("fresh profile restored height %d, want 0", first.RestoredHeight)
	}
	var want int64
	if want = s.mine(t, 10); want != start.Height+10 {
		t.Fatalf("mined to %d, want %d", want, start.Height+10)
	}
	followed := waitPageSynced(t, ctx, want)
	if got := pageText(ctx, "#tip-height"); got != strconv.FormatInt(want, 10) {
		t.Errorf("page shows tip height %q, want %d", got, want)
	}
	assertResponsive(t, ctx)

	if err := chromedp.Run(ctx, chromedp.Reload()); err != nil {
		t.Fatalf("reload: %v", err)
	}
	resumed := waitPageSynced(t, ctx, want)
	if resumed.RestoredHeight != want {
		t.Errorf("after reload the engine resumed at %d, want %d (from IndexedDB)", resumed.RestoredHeight, want)
	}
	// Syncing from genesis moves every header again; resuming moves a few
	// handshake and tip messages.
	if resumed.BridgeBytesIn*4 > followed.BridgeBytesIn {
		t.Errorf("after reload the page read %d bytes through the bridge, first load %d: headers were downloaded again",
			resumed.BridgeBytesIn, followed.BridgeBytesIn)
	}
	t.Logf("first load read %d B through the bridge, reload %d B", followed.BridgeBytesIn, resumed.BridgeBytesIn)
}

// assertResponsive checks the page's main thread keeps drawing frames while
// the engine runs in its worker.
func assertResponsive(t testing.TB, ctx context.Context) {
	t.Helper()
	read := func() int {
		n, _ := strconv.Atoi(pageText(ctx, "#heartbeat"))
		return n
	}
	a := read()
	time.Sleep(500 * time.Millisecond)
	if b := read(); b <= a {
		t.Errorf("page heartbeat did not advance (%d then %d): main thread blocked", a, b)
	}
}
