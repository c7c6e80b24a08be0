//go:build !js

package bridge

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"testing"
	"time"
)

// childEnv, when set to a JSON Policy, turns the test binary into a bridge
// server process (see TestMain). The load tests measure that process, so
// the memory they report is the bridge's alone: the thousands of test
// clients and target connections live in the parent and cost it nothing.
const childEnv = "LNWASM_BRIDGE_TEST_CHILD"

// TestMain runs the bridge server instead of the tests when the binary was
// started as a child by startChildBridge.
func TestMain(m *testing.M) {
	if cfg := os.Getenv(childEnv); cfg != "" {
		if err := runChildBridge(cfg, os.Stdin, os.Stdout); err != nil {
			fmt.Fprintln(os.Stderr, "child bridge:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runChildBridge serves a Handler for policy cfg on a loopback port it
// prints to out, with /metrics and /debug/mem beside /bridge, until in
// reaches EOF: the parent closing the pipe, or dying, ends the child.
func runChildBridge(cfg string, in io.Reader, out io.Writer) error {
	var p Policy
	if err := json.Unmarshal([]byte(cfg), &p); err != nil {
		return fmt.Errorf("parse policy: %w", err)
	}
	h := NewHandler(p, slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})))
	mux := http.NewServeMux()
	mux.Handle("/bridge", h)
	mux.HandleFunc("/metrics", func(w http.ResponseWriter, _ *http.Request) { _ = h.WriteMetrics(w) })
	mux.HandleFunc("/debug/mem", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(readMem(h))
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{Handler: mux}
	go func() { _ = srv.Serve(ln) }()
	if _, err := fmt.Fprintln(out, ln.Addr()); err != nil {
		return fmt.Errorf("report address: %w", err)
	}
	_, _ = io.Copy(io.Discard, in)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := h.Shutdown(ctx); err != nil {
		return err
	}
	return srv.Close()
}

// memReport is the child's memory after a full collection. Heap and stack
// are what the bridge holds; RSS adds the runtime's own overhead and is
// reported, not asserted, because the runtime returns memory to the OS
// lazily.
type memReport struct {
	HeapInuse   uint64
	HeapAlloc   uint64 // live bytes: what a leak would grow
	StackInuse  uint64
	HeapObjects uint64
	RSS         uint64
	Goroutines  int
	StreamsOpen int64
}

// held is the memory the bridge's data structures and goroutines occupy.
func (m memReport) held() uint64 { return m.HeapInuse + m.StackInuse }

func readMem(h *Handler) memReport {
	debug.FreeOSMemory() // a full GC, and freed pages go back so RSS means something
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memReport{
		HeapInuse:   ms.HeapInuse,
		HeapAlloc:   ms.HeapAlloc,
		StackInuse:  ms.StackInuse,
		HeapObjects: ms.HeapObjects,
		RSS:         selfRSS(),
		Goroutines:  runtime.NumGoroutine(),
		StreamsOpen: h.metrics.streamsOpen.Load(),
	}
}

// selfRSS is VmRSS from /proc, or 0 where there is no /proc.
func selfRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseUint(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// childBridge is a bridge server running in a child process.
type childBridge struct {
	url    string // ws://127.0.0.1:PORT/bridge
	http   string // http://127.0.0.1:PORT
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *syncBuffer
}

// startChildBridge re-executes the test binary as a bridge server with
// policy p and stops it when the test ends.
func startChildBridge(t testing.TB, p Policy) *childBridge {
	t.Helper()
	cfg, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+string(cfg))
	c := &childBridge{cmd: cmd, stderr: &syncBuffer{}}
	cmd.Stderr = c.stderr
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child bridge: %v", err)
	}
	t.Cleanup(func() { c.stop(t) })
	addr, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		t.Fatalf("child bridge did not report its address: %v\n%s", err, c.stderr)
	}
	addr = strings.TrimSpace(addr)
	c.url, c.http = "ws://"+addr+"/bridge", "http://"+addr
	return c
}

// stop closes the child's stdin, which makes it shut down, and kills it if
// it has not exited within 20s.
func (c *childBridge) stop(t testing.TB) {
	_ = c.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- c.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("child bridge: %v\n%s", err, c.stderr)
		}
	case <-time.After(20 * time.Second):
		_ = c.cmd.Process.Kill()
		<-done
		t.Errorf("child bridge did not exit within 20s\n%s", c.stderr)
	}
}

// get fetches one of the child's HTTP endpoints.
func (c *childBridge) get(t testing.TB, path string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.http+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("child bridge %s: %v\n%s", path, err, c.stderr)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("child bridge %s: %d %v", path, resp.StatusCode, err)
	}
	return body
}

// mem is the child's memory after a full collection.
func (c *childBridge) mem(t testing.TB) memReport {
	t.Helper()
	var m memReport
	if err := json.Unmarshal(c.get(t, "/debug/mem"), &m); err != nil {
		t.Fatalf("child bridge /debug/mem: %v", err)
	}
	return m
}

// metric reads one sample from the child's /metrics.
func (c *childBridge) metric(t testing.TB, series string) int64 {
	t.Helper()
	body := c.get(t, "/metrics")
	for line := range bytes.SplitSeq(body, []byte("\n")) {
		if v, ok := bytes.CutPrefix(line, []byte(series+" ")); ok {
			n, err := strconv.ParseInt(string(v), 10, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", series, err)
			}
			return n
		}
	}
	t.Fatalf("metric %s not found in:\n%s", series, body)
	return 0
}

// mib formats a byte count for logs.
func mib(n uint64) string { return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20)) }

// kib formats a per-stream byte count for logs.
func kib(n float64) string { return fmt.Sprintf("%.1f KiB", n/1024) }
