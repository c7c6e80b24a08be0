package itest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/cdproto/target"
	"github.com/chromedp/chromedp"
)

// pageMemory is the engine's memStats.
type pageMemory struct {
	WasmMemoryBytes  int64  `json:"wasmMemoryBytes"`
	GoHeapInuseBytes uint64 `json:"goHeapInuseBytes"`
	GoSysBytes       uint64 `json:"goSysBytes"`
}

// reportMemory reports the page engine's memory next to the resident set
// of the playground's payer lnd, which is in the same state: synced to the
// same chain, one channel (to the hub), the same graph.
func reportMemory(b *testing.B, ctx context.Context, s *server) {
	var m pageMemory
	if err := json.Unmarshal([]byte(evalJS(b, ctx, `window.lnwasm.memStats()`)), &m); err != nil {
		b.Fatal(err)
	}
	if m.WasmMemoryBytes <= 0 || m.GoHeapInuseBytes == 0 {
		b.Fatalf("memStats: %+v", m)
	}
	jsHeap := workerHeap(b, ctx)
	rss := childRSS(b, s.cmd.Process.Pid, "--alias=payer")
	engine := m.WasmMemoryBytes + jsHeap
	b.ReportMetric(float64(engine)/1e6, "engine-MB")
	b.ReportMetric(float64(rss)/1e6, "lnd-rss-MB")
	b.ReportMetric(float64(engine)/float64(rss), "engine/lnd")
	b.Logf("memory after sync with one channel: page engine %.1f MB (wasm linear memory %.1f MB, of it Go heap in use %.1f MB, Go sys %.1f MB; worker JS heap %.1f MB); payer lnd RSS %.1f MB",
		float64(engine)/1e6, float64(m.WasmMemoryBytes)/1e6, float64(m.GoHeapInuseBytes)/1e6,
		float64(m.GoSysBytes)/1e6, float64(jsHeap)/1e6, float64(rss)/1e6)
}

// workerHeap is the used JS heap of the page's engine worker, asked of
// Chromium over CDP: a worker's own performance.memory is not there.
func workerHeap(b testing.TB, ctx context.Context) int64 {
	var used float64
	if err := chromedp.Run(engineWorker(b, ctx), chromedp.ActionFunc(func(ctx context.Context) error {
		u, _, _, _, err := cdpruntime.GetHeapUsage().Do(ctx)
		used = u
		return err
	})); err != nil {
		b.Fatalf("worker heap: %v", err)
	}
	return int64(used)
}

// engineWorker attaches to the engine's worker in the browser of ctx; there
// must be exactly one. The context is not cancelled: cancelling an
// attached context closes its target, which would stop the engine; the
// browser's end does it.
func engineWorker(b testing.TB, ctx context.Context) context.Context {
	b.Helper()
	targets, err := chromedp.Targets(ctx)
	if err != nil {
		b.Fatal(err)
	}
	var found []target.ID
	for _, t := range targets {
		if t.Type == "worker" && strings.HasSuffix(t.URL, "/worker.js") {
			found = append(found, t.TargetID)
		}
	}
	if len(found) != 1 {
		b.Fatalf("%d engine workers among %d targets, want 1", len(found), len(targets))
	}
	wctx, _ := chromedp.NewContext(ctx, chromedp.WithTargetID(found[0]))
	// The first Run attaches, and must get this context itself: a derived
	// one with a deadline would detach when it ends.
	if err := chromedp.Run(wctx); err != nil {
		b.Fatalf("attach to the engine worker: %v", err)
	}
	return wctx
}

// childRSS is the resident set in bytes of the one child process of
// parent whose command line holds arg.
func childRSS(b *testing.B, parent int, arg string) int64 {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	var found []int64
	for _, d := range dirs {
		stat, err := os.ReadFile(filepath.Join(d, "stat"))
		if err != nil {
			continue
		}
		// Fields after the command name, which is in parentheses: state, ppid.
		rest := stat[bytes.LastIndexByte(stat, ')')+2:]
		f := strings.Fields(string(rest))
		if len(f) < 2 || f[1] != strconv.Itoa(parent) {
			continue
		}
		cmdline, _ := os.ReadFile(filepath.Join(d, "cmdline"))
		if !bytes.Contains(cmdline, []byte(arg+"\x00")) {
			continue
		}
		found = append(found, vmRSS(b, d))
	}
	if len(found) != 1 {
		b.Fatalf("%d children of %d with %s, want 1", len(found), parent, arg)
	}
	return found[0]
}

func vmRSS(b *testing.B, procDir string) int64 {
	status, err := os.ReadFile(filepath.Join(procDir, "status"))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(v), "%d kB", &kb); err != nil {
				b.Fatalf("VmRSS %q: %v", v, err)
			}
			return kb * 1024
		}
	}
	b.Fatalf("no VmRSS in %s/status", procDir)
	return 0
}
