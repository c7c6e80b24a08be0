//go:build !js

package bridge

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// syncBuffer is a log sink tests can read while the handler writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// testBridge is a Handler behind an httptest server.
type testBridge struct {
	h    *Handler
	srv  *httptest.Server
	url  string // ws://127.0.0.1:PORT/bridge
	logs *syncBuffer
}

// openPolicy allows loopback targets on ports and lifts the per-client
// limits, so tests that are not about limits are not limited.
func openPolicy(ports ...uint16) Policy {
	return Policy{AllowPorts: ports, AllowPrivate: true, MaxStreamsPerIP: -1, ConnectRate: -1}
}

func startBridge(t testing.TB, p Policy) *testBridge {
	t.Helper()
	logs := &syncBuffer{}
	h := NewHandler(p, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo})))
	mux := http.NewServeMux()
	mux.Handle("/bridge", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Errorf("handler shutdown: %v", err)
		}
		srv.Close()
	})
	return &testBridge{h: h, srv: srv, url: "ws" + strings.TrimPrefix(srv.URL, "http") + "/bridge", logs: logs}
}

// rawURL is the bridge URL for target without Dial's checks, for raw
// clients and malformed input.
func (b *testBridge) rawURL(target string) string {
	return b.url + "?target=" + url.QueryEscape(target)
}

// rawDial opens a WebSocket with coder/websocket directly, to see close
// codes and HTTP statuses that Dial turns into errors.
func rawDial(t testing.TB, u string, hdr http.Header) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPHeader: hdr})
	if c != nil {
		t.Cleanup(func() { _ = c.CloseNow() })
	}
	return c, resp, err
}

// dialT is Dial with a test timeout.
func dialT(t testing.TB, bridgeURL, target string) (net.Conn, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := Dial(ctx, bridgeURL, target)
	if c != nil {
		t.Cleanup(func() { _ = c.Close() })
	}
	return c, err
}

// listener is a TCP target that counts accepted connections and runs
// serve on each.
type listener struct {
	ln       net.Listener
	accepted atomic.Int64
	port     uint16
	mu       sync.Mutex
	conns    []net.Conn
}

func listen(t testing.TB, addr string, serve func(net.Conn)) *listener {
	t.Helper()
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen %s: %v", addr, err)
	}
	return serveListener(t, ln, serve)
}

func serveListener(t testing.TB, ln net.Listener, serve func(net.Conn)) *listener {
	l := &listener{ln: ln, port: uint16(ln.Addr().(*net.TCPAddr).Port)}
	t.Cleanup(func() {
		_ = ln.Close()
		l.mu.Lock()
		defer l.mu.Unlock()
		for _, c := range l.conns {
			_ = c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			l.accepted.Add(1)
			l.mu.Lock()
			l.conns = append(l.conns, c)
			l.mu.Unlock()
			go serve(c)
		}
	}()
	return l
}

func (l *listener) addr() string { return l.ln.Addr().String() }

// echo copies a connection back to itself until EOF.
func echo(c net.Conn) {
	_, _ = io.Copy(c, c)
	_ = c.Close()
}

// sink reads and discards, never sending anything.
func sink(c net.Conn) {
	_, _ = io.Copy(io.Discard, c)
	_ = c.Close()
}

func loopTarget(port uint16) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port))) }

// eventually polls cond until it holds or the deadline passes.
func eventually(t testing.TB, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("after %s: %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// metric reads one sample from WriteMetrics output, e.g.
// `lnwasm_bridge_refusals_total{reason="origin"}`.
func metric(t testing.TB, h *Handler, series string) int64 {
	t.Helper()
	var buf bytes.Buffer
	if err := h.WriteMetrics(&buf); err != nil {
		t.Fatal(err)
	}
	for line := range strings.SplitSeq(buf.String(), "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("metric %s: %v", series, err)
			}
			return n
		}
	}
	t.Fatalf("metric %s not found in:\n%s", series, buf.String())
	return 0
}

// closeErr is the close a raw client sees on its next read.
func closeErr(t testing.TB, c *websocket.Conn) websocket.CloseError {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		_, _, err := c.Read(ctx)
		if err == nil {
			continue
		}
		var ce websocket.CloseError
		if !errors.As(err, &ce) {
			t.Fatalf("read ended without a close frame: %v", err)
		}
		return ce
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }
