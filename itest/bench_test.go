package itest

import (
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
	s := startServer(b, "-devnet-blocks", "300", "-devnet-hub=false")
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
	b.ReportMetric(float64(e.Milliseconds()), "page-sync-ms")
	b.ReportMetric(float64(p.Milliseconds()), "page-load-ms")
	b.ReportMetric(float64(e)/float64(n), "page/native")
	b.Logf("sync %d blocks (median of %d): native %v, page %v (x%.1f), page from navigation incl. wasm load %v",
		height, len(native), n, e, float64(e)/float64(n), p)
}

// nativeSyncTime measures as the page's engine does: from the backend's
// start to the first poll that sees it synced (the page polls every 25 ms).
func nativeSyncTime(b *testing.B, s *server, height int64) time.Duration {
	n := newNativeChain(b, s, kvdb.NewMemJournal(), b.TempDir())
	start := time.Now()
	if err := n.Start(); err != nil {
		b.Fatal(err)
	}
	defer n.Stop()
	for deadline := start.Add(time.Minute); time.Now().Before(deadline); time.Sleep(25 * time.Millisecond) {
		if p := n.Progress(); p.Synced && int64(p.FilterHeight) == height {
			return time.Since(start)
		}
	}
	b.Fatalf("native sync to %d did not finish in a minute", height)
	return 0
}

// pageSyncTime loads the page in a fresh profile and returns the time from
// navigation to synced (boot, wasm compile and sync), and the engine's own
// sync time, from its chain backend's start to synced, as in the native case.
func pageSyncTime(b *testing.B, s *server, height int64) (time.Duration, time.Duration) {
	ctx := newBrowser(b, "")
	start := time.Now()
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		b.Fatal(err)
	}
	info := waitPageSynced(b, ctx, height)
	total := time.Since(start)
	if info.SyncMillis <= 0 {
		b.Fatalf("page reports sync time %d ms", info.SyncMillis)
	}
	return total, time.Duration(info.SyncMillis) * time.Millisecond
}

func median(ds []time.Duration) time.Duration {
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[len(s)/2]
}
