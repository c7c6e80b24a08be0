package itest

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"lnwasm/bridge"
)

func get(t *testing.T, url string, hdr map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	// The transport would add and strip gzip by itself; ask for exactly
	// what the header says.
	tr := &http.Transport{DisableCompression: true}
	r, err := (&http.Client{Transport: tr}).Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer r.Body.Close()
	body, _ := io.ReadAll(r.Body)
	return r, string(body)
}

// TestServerRoutes checks every route DESIGN.md lists on the real binary.
func TestServerRoutes(t *testing.T) {
	s := startServer(t)
	if r, body := get(t, s.URL+"/healthz", nil); r.StatusCode != 200 || strings.TrimSpace(body) != "ok" {
		t.Errorf("/healthz: %d %q", r.StatusCode, body)
	}
	if r, body := get(t, s.URL+"/", nil); r.StatusCode != 200 || !strings.Contains(body, "lnwasm") {
		t.Errorf("/: %d", r.StatusCode)
	}
	for _, tc := range []struct{ accept, want string }{
		{"gzip, deflate, br", "br"}, {"gzip", "gzip"}, {"", ""}, {"br;q=0, gzip", "gzip"},
	} {
		r, body := get(t, s.URL+"/lnwasm.wasm", map[string]string{"Accept-Encoding": tc.accept})
		if r.StatusCode != 200 || r.Header.Get("Content-Encoding") != tc.want || r.Header.Get("Content-Type") != "application/wasm" {
			t.Errorf("/lnwasm.wasm with Accept-Encoding %q: %d, encoding %q, type %q", tc.accept,
				r.StatusCode, r.Header.Get("Content-Encoding"), r.Header.Get("Content-Type"))
		}
		if tc.want == "" && !strings.HasPrefix(body, "\x00asm") {
			t.Errorf("/lnwasm.wasm raw body does not start with the wasm magic")
		}
	}
	if r, body := get(t, s.URL+"/config.json", nil); r.StatusCode != 200 || !strings.Contains(body, `"devnet":true`) {
		t.Errorf("/config.json: %d %s", r.StatusCode, body)
	}
	if r, body := get(t, s.URL+"/metrics", nil); r.StatusCode != 200 || !strings.Contains(body, "lnwasm_bridge_streams_open") {
		t.Errorf("/metrics: %d %s", r.StatusCode, body)
	}
}

// TestServerBridgeBadInput: malformed requests get clear HTTP errors, and a
// target outside the policy gets a close reason, never a connection.
func TestServerBridgeBadInput(t *testing.T) {
	s := startServer(t)
	if r, body := get(t, s.URL+"/bridge?target=127.0.0.1:1", nil); r.StatusCode != http.StatusUpgradeRequired || body == "" {
		t.Errorf("plain GET /bridge: %d %q, want 426 with a reason", r.StatusCode, body)
	}
	// Raw upgrade requests: bridge.Dial checks targets before sending.
	upgrade := map[string]string{"Connection": "Upgrade", "Upgrade": "websocket",
		"Sec-WebSocket-Version": "13", "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ=="}
	for _, q := range []string{"", "?target=", "?target=foo", "?target=host:notaport"} {
		r, body := get(t, s.URL+"/bridge"+q, upgrade)
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(body, "target") {
			t.Errorf("upgrade to /bridge%s: %d %q, want 400 naming the target", q, r.StatusCode, body)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	// A port outside the policy, on a listener that must see nothing.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan struct{}, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			c.Close()
			accepted <- struct{}{}
		}
	}()
	_, err = bridge.Dial(ctx, s.bridgeURL(), l.Addr().String())
	if !bridge.IsRefused(err) || !strings.Contains(err.Error(), "port") {
		t.Errorf("disallowed port: err %v, want a refusal naming the port", err)
	}
	select {
	case <-accepted:
		t.Errorf("the listener on a refused port saw a connection")
	case <-time.After(300 * time.Millisecond):
	}
}

// TestServerRefusesCrossOriginPage: a page served from another origin
// cannot use the bridge; the same-origin page can (the other tests).
func TestServerRefusesCrossOriginPage(t *testing.T) {
	s := startServer(t)
	chainPeer := s.info(t).ChainPeer
	evil := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `<!doctype html><script>
window.result = new Promise((resolve) => {
  const ws = new WebSocket(%q);
  ws.onopen = () => resolve("open");
  ws.onclose = (e) => resolve("closed " + e.code);
});
</script>`, s.bridgeURL()+"?target="+chainPeer)
	})}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go evil.Serve(l)
	defer evil.Close()
	ctx := newBrowser(t, "")
	var result string
	err = chromedp.Run(ctx, chromedp.Navigate("http://"+l.Addr().String()+"/"),
		chromedp.Evaluate(`window.result`, &result, awaitPromise))
	if err != nil {
		t.Fatalf("cross-origin page: %v", err)
	}
	if result == "open" {
		t.Fatalf("a cross-origin page opened a bridge stream")
	}
	_, metrics := get(t, s.URL+"/metrics", nil)
	if !strings.Contains(metrics, `lnwasm_bridge_refusals_total{reason="origin"} 1`) {
		t.Errorf("origin refusal not counted in /metrics:\n%s", metrics)
	}
}
