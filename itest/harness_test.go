package itest

import (
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
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"lnwasm/server/devnet"
)

// serverBin is the server binary built once for all tests.
var serverBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "lnwasm-itest-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	serverBin = filepath.Join(dir, "server")
	out, err := exec.Command("go", "build", "-o", serverBin, "lnwasm/server").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build server: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// assetsDir is where `make wasm` put lnwasm.wasm.
func assetsDir(t testing.TB) string {
	dir := os.Getenv("LNWASM_ASSETS")
	if dir == "" {
		dir, _ = filepath.Abs("../build")
	}
	if _, err := os.Stat(filepath.Join(dir, "lnwasm.wasm")); err != nil {
		t.Fatalf("lnwasm.wasm not found in %s: run `make wasm` (or `make test`, which does)", dir)
	}
	return dir
}

// server is one running server binary with its playground.
type server struct {
	URL       string
	chainPeer string // btcd's P2P address, to check it is gone after stop
	cmd       *exec.Cmd
	logs      *bytes.Buffer
	done      chan struct{}
}

// startServer runs `server -devnet` on a free port and waits for /healthz.
// The shop (about 15 s of start-up) runs only for tests that pass
// -devnet-shop.
func startServer(t testing.TB, extra ...string) *server {
	t.Helper()
	port := freePort(t)
	addr := net.JoinHostPort("127.0.0.1", strconv.Itoa(port))
	args := []string{"-devnet", "-listen", addr, "-assets", assetsDir(t)}
	if !slices.ContainsFunc(extra, func(a string) bool { return strings.HasPrefix(a, "-devnet-shop") }) {
		args = append(args, "-devnet-shop=false")
	}
	args = append(args, extra...)
	s := &server{URL: "http://" + addr, logs: &bytes.Buffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(serverBin, args...)
	s.cmd.Stdout, s.cmd.Stderr = s.logs, s.logs
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("start server: %v", err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.stop(t) })
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		if r, err := http.Get(s.URL + "/healthz"); err == nil {
			r.Body.Close()
			if r.StatusCode == 200 {
				s.chainPeer = s.info(t).ChainPeer
				return s
			}
		}
		select {
		case <-s.done:
			t.Fatalf("server exited during start-up (%v):\n%s", s.cmd.ProcessState, s.logs)
		case <-time.After(200 * time.Millisecond):
		}
	}
	t.Fatalf("server did not become healthy:\n%s", s.logs)
	return nil
}

// stop sends SIGTERM and expects a graceful exit that also stops btcd.
func (s *server) stop(t testing.TB) {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
		t.Errorf("server did not stop within 20s of SIGTERM:\n%s", s.logs)
	}
	// The playground's btcd must be gone with the server: no stray process.
	if s.chainPeer != "" {
		if c, err := net.DialTimeout("tcp", s.chainPeer, time.Second); err == nil {
			c.Close()
			t.Errorf("btcd still listens on %s after the server stopped", s.chainPeer)
		}
	}
	if t.Failed() {
		t.Logf("server log:\n%s", s.logs)
	}
}

type devnetInfo struct {
	Network   string    `json:"network"`
	ChainPeer string    `json:"chainPeer"`
	Height    int64     `json:"height"`
	ChainID   string    `json:"chainId"`
	Hub       *nodeInfo `json:"hub"`
	Shop      *nodeInfo `json:"shop"`
}

type nodeInfo struct {
	Pubkey string `json:"pubkey"`
	Host   string `json:"host"`
}

func (s *server) info(t testing.TB) devnetInfo {
	t.Helper()
	var info devnetInfo
	s.getJSON(t, "/devnet/info", &info)
	return info
}

// mine asks the playground for n blocks and returns the new height.
func (s *server) mine(t testing.TB, n int) int64 {
	t.Helper()
	body := fmt.Sprintf(`{"blocks":%d}`, n)
	r, err := http.Post(s.URL+"/devnet/mine", "application/json", bytes.NewBufferString(body))
	if err != nil {
		t.Fatalf("mine: %v", err)
	}
	defer r.Body.Close()
	var out struct {
		Height int64  `json:"height"`
		Error  string `json:"error"`
	}
	if err := json.NewDecoder(r.Body).Decode(&out); err != nil || r.StatusCode != 200 {
		t.Fatalf("mine: status %d, err %v, %s", r.StatusCode, err, out.Error)
	}
	return out.Height
}

func (s *server) getJSON(t testing.TB, path string, v any) {
	t.Helper()
	r, err := http.Get(s.URL + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer r.Body.Close()
	raw, _ := io.ReadAll(r.Body)
	if r.StatusCode != 200 {
		t.Fatalf("GET %s: %d %s", path, r.StatusCode, raw)
	}
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, raw)
	}
}

func (s *server) bridgeURL() string { return "ws" + s.URL[len("http"):] + "/bridge" }

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitFor polls cond until it is true or the deadline passes.
func waitFor(t testing.TB, d time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	last := ""
	for {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		select {
		case <-ctx.Done():
			t.Fatalf("timed out after %v waiting for %s; last state: %s", d, what, last)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func httpPost(url, body string) (*http.Response, error) {
	return http.Post(url, "application/json", bytes.NewBufferString(body))
}

func decodeJSON(r *http.Response, v any) error {
	defer r.Body.Close()
	return json.NewDecoder(r.Body).Decode(v)
}

// startPlayground runs the playground in-process (btcd at the segwit height
// and a funded hub) for tests that drive btcd and lnd directly.
func startPlayground(t *testing.T) (*devnet.Devnet, *slog.Logger) {
	return startPlaygroundWith(t, devnet.Config{})
}

// startPlaygroundWith is startPlayground with more of the playground (the
// shop, the payer) as cfg asks.
func startPlaygroundWith(t testing.TB, cfg devnet.Config) (*devnet.Devnet, *slog.Logger) {
	t.Helper()
	level := slog.LevelWarn
	if os.Getenv("LNWASM_ITEST_DEBUG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	cfg.InitialBlocks, cfg.Hub, cfg.Logger = devnet.SegwitHeight, true, log
	d, err := devnet.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d, log
}
