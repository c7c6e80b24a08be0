//go:build !js

package bridge

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestRelayRoundTrip(t *testing.T) {
	target := listen(t, "127.0.0.1:0", echo)
	b := startBridge(t, openPolicy(target.port))
	c, err := dialT(t, b.url, target.addr())
	if err != nil {
		t.Fatalf("Dial: %v", err)
	}
	// 300 KiB crosses Dial's 64 KiB write split and the 32 KiB relay buffer.
	msg := make([]byte, 300<<10)
	_, _ = rand.Read(msg)
	go func() { _, _ = c.Write(msg) }()
	got := make([]byte, len(msg))
	_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read echo: %v", err)
	}
	if !bytes.Equal(got, msg) {
		t.Fatal("echo differs from what was sent")
	}
	// The counters are bumped after each write returns, so they may trail
	// the echo by a moment.
	eventually(t, 5*time.Second, "byte counters equal to the message size", func() bool {
		return metric(t, b.h, `lnwasm_bridge_bytes_total{direction="client_to_target"}`) == int64(len(msg)) &&
			metric(t, b.h, `lnwasm_bridge_bytes_total{direction="target_to_client"}`) == int64(len(msg))
	})
	if n := metric(t, b.h, "lnwasm_bridge_streams_open"); n != 1 {
		t.Errorf("streams_open = %d, want 1", n)
	}
}

func TestTCPEOFClosesWebSocketNormally(t *testing.T) {
	target := listen(t, "127.0.0.1:0", func(c net.Conn) {
		_, _ = c.Write([]byte("bye"))
		_ = c.Close()
	})
	b := startBridge(t, openPolicy(target.port))
	ws, _, err := rawDial(t, b.rawURL(target.addr()), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if typ, msg, err := ws.Read(ctx); err != nil || typ != websocket.MessageText || string(msg) != ConnectedMessage {
		t.Fatalf("first frame = %v %q %v, want text %q", typ, msg, err, ConnectedMessage)
	}
	if typ, msg, err := ws.Read(ctx); err != nil || typ != websocket.MessageBinary || string(msg) != "bye" {
		t.Fatalf("data frame = %v %q %v, want binary \"bye\"", typ, msg, err)
	}
	ce := closeErr(t, ws)
	if ce.Code != websocket.StatusNormalClosure || ce.Reason != "peer closed" {
		t.Fatalf("close = %d %q, want 1000 \"peer closed\"", ce.Code, ce.Reason)
	}
	eventually(t, 5*time.Second, "peer_closed cause counted", func() bool {
		return metric(t, b.h, `lnwasm_bridge_stream_closes_total{cause="peer_closed"}`) == 1
	})
}

func TestDialConnReadsEOFWhenPeerCloses(t *testing.T) {
	target := listen(t, "127.0.0.1:0", func(c net.Conn) { _ = c.Close() })
	b := startBridge(t, openPolicy(target.port))
	c, err := dialT(t, b.url, target.addr())
	if err != nil {
		t.Fatal(err)
	}
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 10)); n != 0 || !errors.Is(err, io.EOF) {
		t.Fatalf("Read = %d, %v; want 0, EOF", n, err)
	}
}

func TestWebSocketCloseClosesTCP(t *testing.T) {
	targetEnded := make(chan error, 1)
	target := listen(t, "127.0.0.1:0", func(c net.Conn) {
		_ = c.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, err := io.Copy(io.Discard, c) // returns nil on EOF
		targetEnded <- err
	})
	b := startBridge(t, openPolicy(target.port))
	c, err := dialT(t, b.url, target.addr())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Write([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	select {
	case err := <-targetEnded:
		if err != nil {
			t.Fatalf("target saw %v, want EOF", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("target connection still open 10s after the WebSocket closed")
	}
	eventually(t, 5*time.Second, "client_closed cause counted and stream gone", func() bool {
		return metric(t, b.h, `lnwasm_bridge_stream_closes_total{cause="client_closed"}`) == 1 &&
			metric(t, b.h, "lnwasm_bridge_streams_open") == 0
	})
}

func TestTextFrameAfterConnectIsRejected(t *testing.T) {
	target := listen(t, "127.0.0.1:0", sink)
	b := startBridge(t, openPolicy(target.port))
	ws, _, err := rawDial(t, b.rawURL(target.addr()), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, _, err := ws.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if err := ws.Write(ctx, websocket.MessageText, []byte("hi")); err != nil {
		t.Fatal(err)
	}
	if ce := closeErr(t, ws); ce.Code != websocket.StatusUnsupportedData {
		t.Fatalf("close = %d %q, want 1003", ce.Code, ce.Reason)
	}
}

func TestUnreachableTarget(t *testing.T) {
	// A port that was just free: nothing listens there.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	port := uint16(ln.Addr().(*net.TCPAddr).Port)
	_ = ln.Close()
	b := startBridge(t, openPolicy(port))
	_, err = dialT(t, b.url, addr)
	if !IsUnreachable(err) {
		t.Fatalf("Dial error = %v, want unreachable (1014)", err)
	}
	if !strings.Contains(err.Error(), "peer unreachable: connection refused") {
		t.Errorf("error %q does not say the connection was refused", err)
	}
	if n := metric(t, b.h, `lnwasm_bridge_refusals_total{reason="dial_failed"}`); n != 1 {
		t.Errorf("dial_failed refusals = %d, want 1", n)
	}
}

func TestUnresolvableHost(t *testing.T) {
	p := openPolicy(9735)
	p.ConnectTimeout = 3 * time.Second // a resolver that never answers gives a timeout, also naming the host
	b := startBridge(t, p)
	_, err := dialT(t, b.url, "no-such-host.invalid:9735")
	if !IsUnreachable(err) || !strings.Contains(err.Error(), "no-such-host.invalid") {
		t.Fatalf("Dial error = %v, want unreachable naming the host", err)
	}
}
