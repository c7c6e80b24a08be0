package itest

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lnwasm/chain/kvdb"
)

// BenchmarkWasmSize reports the engine's size raw, gzip and brotli.
func BenchmarkWasmSize(b *testing.B) {
	dir := assetsDir(b)
	for i := 0; i < b.N; i++ {
		for _, v := range []struct{ ext, unit string }{{"", "raw-MB"}, {".gz", "gzip-MB"}, {".br", "brotli-MB"}} {
			st, err := os.Stat(filepath.Join(dir, "lnwasm.wasm"+v.ext))
			if err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(st.Size())/1e6, v.unit)
		}
	}
}

// BenchmarkSync300 times a sync of the playground's 300 blocks by the page
// in headless Chromium and by the same chain code natively, in one run.
func BenchmarkSync300(b *testing.B) {
	s := startServer(b, "-devnet-blocks", "300")
	height := s.info(b).Height
	if height != 300 {
		b.Fatalf("playground at height %d, want 300", height)
	}
	const rounds = 3
	var native, page, pageEngine []time.Duration
	for i := 0; i < b.N*rounds; i++ {
		native = append(native, nativeSyncTime(b, s, height))
		total, engine := pageSyncTime(b, s, height)
		page, pageEngine = append(page, total), append(pageEngine, engine)
	}
	n, p, e := median(native), median(page), median(pageEngine)
	b.ReportMetric(float64(n.Milliseconds()), "native-ms")
	b.ReportMetric(float64(e.Milliseconds()), "page-engine-ms")
	b.ReportMetric(float64(p.Milliseconds()), "page-load-ms")
	b.ReportMetric(float64(e)/float64(n), "engine/native")
	b.Logf("sync %d blocks (median of %d): native %v, page engine %v (x%.1f), page from navigation %v",
		height, len(native), n, e, float64(e)/float64(n), p)
}

func nativeSyncTime(b *testing.B, s *server, height int64) time.Duration {
	start := time.Now()
	n := startNativeChain(b, s, kvdb.NewMemJournal(), b.TempDir())
	waitSynced(b, n, height)
	d := time.Since(start)
	_ = n.Stop()
	return d
}

// pageSyncTime loads the page in a fresh profile and returns the time from
// navigation to synced, and from the engine's start call to synced.
func pageSyncTime(b *testing.B, s *server, height int64) (time.Duration, time.Duration) {
	ctx := newBrowser(b, "")
	start := time.Now()
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		b.Fatal(err)
	}
	waitPageSynced(b, ctx, height)
	total := time.Since(start)
	// The page marks "synced" when it draws the first synced event, which
	// can trail the getInfo poll by one event tick.
	var engineMs float64
	js := `(window.lnwasmTiming.synced ?? -1) - window.lnwasmTiming.startCalled`
	waitFor(b, 10*time.Second, "page timing", func() (bool, string) {
		if err := chromedp.Run(ctx, chromedp.Evaluate(js, &engineMs)); err != nil {
			return false, fmt.Sprintf("read page timing: %v", err)
		}
		return engineMs >= 0, "not marked synced yet"
	})
	return total, time.Duration(engineMs * float64(time.Millisecond))
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
