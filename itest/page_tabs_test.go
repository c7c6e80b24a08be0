package itest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// tab is one more tab of the test's browser: same profile, same origin,
// so it shares the wallet's IndexedDB and Web Locks with the others.
type tab struct {
	ctx    context.Context
	cancel context.CancelFunc
}

func openTab(t *testing.T, browser context.Context) *tab {
	ctx, cancel := chromedp.NewContext(browser)
	// The first Run creates the tab; it must get the tab's own context: a
	// derived one with a deadline would close the tab when it ends.
	if err := chromedp.Run(ctx); err != nil {
		t.Fatalf("new tab: %v", err)
	}
	return &tab{ctx: ctx, cancel: cancel}
}

// engineState is what the tab says about the engine: "running" when it
// holds the wallet's lock, "elsewhere" when another tab does, "" before
// it knows.
func (tb *tab) engineState() string {
	var s string
	tctx, cancel := context.WithTimeout(tb.ctx, 5*time.Second)
	defer cancel()
	_ = chromedp.Run(tctx, chromedp.Evaluate(`document.body ? (document.body.dataset.engine || "") : ""`, &s))
	return s
}

func (s *server) streams(t *testing.T, series string) int {
	n, err := strconv.Atoi(s.metric(t, series))
	if err != nil {
		t.Fatalf("metric %s: %v", series, err)
	}
	return n
}

// TestPageOneEnginePerProfile opens two tabs of the same profile at once,
// 50 times with random timing, and checks each time that exactly one tab
// runs an engine and exactly one engine opened a connection through the
// bridge. Then the waiting tab takes the wallet over, and back.
func TestPageOneEnginePerProfile(t *testing.T) {
	t.Parallel()
	s := startServer(t, "-devnet-hub=false")
	height := s.info(t).Height
	browser := newBrowser(t, "")
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 1))
	t.Logf("random timing seed %d", seed)
	for trial := 1; trial <= 50; trial++ {
		before := s.streams(t, "lnwasm_bridge_streams_total")
		a, b := openTab(t, browser), openTab(t, browser)
		gap := time.Duration(rng.IntN(500)) * time.Millisecond
		first, second := a, b
		if rng.IntN(2) == 1 {
			first, second = b, a
		}
		var wg sync.WaitGroup
		for i, tb := range []*tab{first, second} {
			wg.Add(1)
			go func(tb *tab, wait time.Duration) {
				defer wg.Done()
				time.Sleep(wait)
				if err := runFor(tb.ctx, 60*time.Second, chromedp.Navigate(s.URL+"/")); err != nil {
					t.Errorf("open a tab: %v", err)
				}
			}(tb, time.Duration(i)*gap)
		}
		wg.Wait()
		var running *tab
		waitFor(t, 60*time.Second, fmt.Sprintf("trial %d: both tabs settled", trial), func() (bool, string) {
			sa, sb := a.engineState(), b.engineState()
			running = nil
			if sa == "running" {
				running = a
			} else if sb == "running" {
				running = b
			}
			return sa != "" && sb != "", sa + "/" + sb + " status: " + pageText(a.ctx, "#status") + " / " + pageText(b.ctx, "#status")
		})
		if sa, sb := a.engineState(), b.engineState(); (sa == "running") == (sb == "running") {
			t.Fatalf("trial %d (gap %v): tabs say %q and %q, want exactly one running", trial, gap, sa, sb)
		}
		waitPageSynced(t, running.ctx, height)
		if opened := s.streams(t, "lnwasm_bridge_streams_total") - before; opened != 1 {
			t.Fatalf("trial %d (gap %v): %d bridge streams opened, want 1 (one engine, one chain peer)", trial, gap, opened)
		}
		a.cancel()
		b.cancel()
		waitFor(t, 30*time.Second, "the closed tabs' streams gone", func() (bool, string) {
			n := s.streams(t, "lnwasm_bridge_streams_open")
			return n == 0, fmt.Sprintf("%d open", n)
		})
	}
	takeOverAndBack(t, s, browser, height)
}

// takeOverAndBack: with two tabs open, the waiting one takes the wallet
// over (the other stops its engine and says so), then the first takes it
// back; one stream is open at the end, as one engine needs.
func takeOverAndBack(t *testing.T, s *server, browser context.Context, height int64) {
	a := openTab(t, browser)
	defer a.cancel()
	if err := runFor(a.ctx, 60*time.Second, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, a.ctx, height)
	b := openTab(t, browser)
	defer b.cancel()
	if err := runFor(b.ctx, 60*time.Second, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible("#in-use", chromedp.ByQuery)); err != nil {
		t.Fatalf("second tab: %v", err)
	}
	for i, pair := range [][2]*tab{{b, a}, {a, b}} {
		taker, giver := pair[0], pair[1]
		if err := runFor(taker.ctx, 30*time.Second, chromedp.Click("#take-over", chromedp.ByQuery)); err != nil {
			t.Fatal(err)
		}
		waitFor(t, 60*time.Second, fmt.Sprintf("takeover %d", i+1), func() (bool, string) {
			st, sg := taker.engineState(), giver.engineState()
			return st == "running" && sg == "elsewhere", st + "/" + sg
		})
		waitPageSynced(t, taker.ctx, height)
		if got := pageText(giver.ctx, "#in-use-text"); got != "This wallet moved to another tab. Only one tab at a time may run it." {
			t.Errorf("the tab that gave the wallet away says %q", got)
		}
		waitFor(t, 30*time.Second, "one engine's stream", func() (bool, string) {
			n := s.streams(t, "lnwasm_bridge_streams_open")
			return n == 1, fmt.Sprintf("%d open", n)
		})
	}
}
