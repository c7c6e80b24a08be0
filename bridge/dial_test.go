//go:build !js

package bridge

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestRefusalSendsErrorFrameThenClose(t *testing.T) {
	b := startBridge(t, Policy{AllowPorts: []uint16{9735}})
	ws, _, err := rawDial(t, b.rawURL("127.0.0.1:9735"), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	typ, msg, err := ws.Read(ctx)
	want := "refused: 127.0.0.1 is a loopback address (server does not allow private targets)"
	if err != nil || typ != websocket.MessageText || string(msg) != "error 1008 "+want {
		t.Fatalf("first frame = %v %q %v, want the refusal text", typ, msg, err)
	}
	if ce := closeErr(t, ws); ce.Code != websocket.StatusPolicyViolation || ce.Reason != want {
		t.Fatalf("close = %d %q, want 1008 %q", ce.Code, ce.Reason, want)
	}
}

// fakeServer serves handler over WebSocket URLs for client-side tests.
func fakeServer(t *testing.T, handler http.HandlerFunc) string {
	srv := httptest.NewServer(handler)
	t.Cleanup(srv.Close)
	return "ws" + strings.TrimPrefix(srv.URL, "http") + "/bridge"
}

func TestDialReadsCloseWithoutErrorFrame(t *testing.T) {
	u := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if got := r.URL.Query().Get("target"); got != "[2001:db8::1]:9735" {
			http.Error(w, "target arrived as "+got, http.StatusBadRequest)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		_ = c.Close(websocket.StatusBadGateway, "peer unreachable: connection refused")
	})
	_, err := dialT(t, u, "[2001:db8::1]:9735")
	if !IsUnreachable(err) || !strings.Contains(err.Error(), "peer unreachable: connection refused") {
		t.Fatalf("Dial = %v, want unreachable with the server's reason", err)
	}
}

func TestDialRejectsNonBridgeServer(t *testing.T) {
	u := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		_ = c.Write(r.Context(), websocket.MessageText, []byte("hello"))
		_ = c.Close(websocket.StatusNormalClosure, "")
	})
	if _, err := dialT(t, u, "a.example:9735"); err == nil || !strings.Contains(err.Error(), "not a bridge server") {
		t.Fatalf("Dial = %v, want an unexpected-first-frame error", err)
	}
}

func TestDialReportsHTTPStatusAndBody(t *testing.T) {
	u := fakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "bridge: origin not allowed", http.StatusForbidden)
	})
	_, err := dialT(t, u, "a.example:9735")
	if err == nil || !strings.Contains(err.Error(), "HTTP 403: bridge: origin not allowed") {
		t.Fatalf("Dial = %v, want the HTTP status and body", err)
	}
}
