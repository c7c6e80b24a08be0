//go:build !js

package bridge

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

func TestOrigin(t *testing.T) {
	target := listen(t, "127.0.0.1:0", echo)
	p := openPolicy(target.port)
	p.Origins = []string{"https://app.example", "wallet.example:8443"}
	b := startBridge(t, p)
	host := strings.TrimPrefix(b.srv.URL, "http://")
	tests := []struct {
		origin string
		ok     bool
	}{
		{"", true},                              // native client
		{"http://" + host, true},                // same origin
		{"https://app.example", true},           // allowlisted origin
		{"HTTPS://APP.EXAMPLE", true},           // case-insensitive
		{"https://wallet.example:8443", true},   // allowlisted host:port
		{"http://app.example", false},           // wrong scheme for a full-origin entry
		{"https://evil.example", false},         // cross origin
		{"https://app.example.evil.com", false}, // suffix trick
		{"http://" + host + ".evil.com", false},
		{"null", false},
	}
	for _, tt := range tests {
		hdr := http.Header{}
		if tt.origin != "" {
			hdr.Set("Origin", tt.origin)
		}
		ws, resp, err := rawDial(t, b.rawURL(target.addr()), hdr)
		if tt.ok {
			if err != nil {
				t.Errorf("Origin %q: dial failed: %v", tt.origin, err)
				continue
			}
			_ = ws.CloseNow()
			continue
		}
		if err == nil {
			t.Errorf("Origin %q: upgrade succeeded, want 403", tt.origin)
			continue
		}
		if resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Errorf("Origin %q: response %v, want 403", tt.origin, resp)
		}
	}
	wantRefused := int64(5)
	if n := metric(t, b.h, `lnwasm_bridge_refusals_total{reason="origin"}`); n != wantRefused {
		t.Errorf("origin refusals = %d, want %d", n, wantRefused)
	}
	if logs := b.logs.String(); !strings.Contains(logs, "level=WARN") || !strings.Contains(logs, "evil.example") {
		t.Errorf("origin refusal not logged as a warning:\n%s", logs)
	}
}

func TestBadRequests(t *testing.T) {
	b := startBridge(t, openPolicy(9735))
	base := strings.Replace(b.url, "ws://", "http://", 1)
	upgrade := http.Header{
		"Connection":            {"Upgrade"},
		"Upgrade":               {"websocket"},
		"Sec-Websocket-Version": {"13"},
		"Sec-Websocket-Key":     {"dGhlIHNhbXBsZSBub25jZQ=="},
	}
	tests := []struct {
		name   string
		query  string
		hdr    http.Header
		status int
		body   string
	}{
		{"missing target", "", upgrade, 400, "missing target"},
		{"empty target", "?target=", upgrade, 400, "missing target"},
		{"no port", "?target=foo", upgrade, 400, `malformed target "foo"`},
		{"port not a number", "?target=host:notaport", upgrade, 400, `port "notaport" is not a number`},
		{"port zero", "?target=host:0", upgrade, 400, "1-65535"},
		{"port too big", "?target=host:70000", upgrade, 400, "1-65535"},
		{"unbracketed IPv6", "?target=::1:9735", upgrade, 400, "malformed target"},
		{"empty host", "?target=:9735", upgrade, 400, "empty host"},
		{"plain GET", "?target=example.com:9735", nil, 426, "open it with a WebSocket client"},
		{"plain GET, no target", "", nil, 400, "missing target"},
	}
	for _, tt := range tests {
		req, err := http.NewRequest(http.MethodGet, base+tt.query, nil)
		if err != nil {
			t.Fatal(err)
		}
		for k, v := range tt.hdr {
			req.Header[k] = v
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(body), tt.body) {
			t.Errorf("%s: %d %q, want %d containing %q", tt.name, resp.StatusCode, body, tt.status, tt.body)
		}
		if tt.status == 426 && resp.Header.Get("Upgrade") != "websocket" {
			t.Errorf("%s: 426 without Upgrade: websocket header", tt.name)
		}
	}
	if n := metric(t, b.h, `lnwasm_bridge_refusals_total{reason="bad_request"}`); n != 9 {
		t.Errorf("bad_request refusals = %d, want 9", n)
	}
	if n := metric(t, b.h, `lnwasm_bridge_refusals_total{reason="not_websocket"}`); n != 1 {
		t.Errorf("not_websocket refusals = %d, want 1", n)
	}
}

func TestDialRejectsMalformedTargetLocally(t *testing.T) {
	for _, target := range []string{"", "foo", "host:notaport", "host:0", "::1:9735"} {
		if _, err := Dial(t.Context(), "ws://127.0.0.1:1/bridge", target); err == nil || !strings.Contains(err.Error(), "target") {
			t.Errorf("Dial(%q) = %v, want a target error before any network traffic", target, err)
		}
	}
}
