//go:build !js

package bridge

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// fuzzPolicy is a public server's policy with one extra allowed origin.
func fuzzPolicy(allowPrivate bool) Policy {
	p := DefaultPolicy(8333)
	p.AllowPrivate = allowPrivate
	p.Origins = []string{"https://app.example"}
	return p
}

// routableByNetip is an oracle independent of ClassifyIP's tables: what
// the standard library calls loopback, private, link-local, multicast or
// unspecified (in either IPv4 form) is not a public peer.
func routableByNetip(ip netip.Addr, allowPrivate bool) bool {
	for _, a := range []netip.Addr{ip, ip.Unmap()} {
		if a.IsUnspecified() || a.IsMulticast() || a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
			return false
		}
		if !allowPrivate && (a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast()) {
			return false
		}
	}
	return true
}

// FuzzTargetPolicy follows a target from ParseTarget to the connect-time
// check. For an IP literal, the Control hook's verdict on the address the
// dialer connects to, in both its IPv4-mapped and plain forms, must agree,
// and let through only an allowed port and an address the standard
// library does not call loopback, private, link-local, multicast or
// unspecified (unless the policy allows private targets). For any target,
// each close reason the bridge can send about it must fit a close frame
// and be valid UTF-8, as RFC 6455 requires of close reasons and text
// frames (a browser fails the connection otherwise, and the user never
// reads why).
func FuzzTargetPolicy(f *testing.F) {
	for _, s := range targetSeeds {
		f.Add(s, false)
		f.Add(s, true)
	}
	f.Fuzz(func(t *testing.T, target string, allowPrivate bool) {
		host, port, err := ParseTarget(target)
		if err != nil {
			return
		}
		h := NewHandler(fuzzPolicy(allowPrivate), slog.New(slog.DiscardHandler))
		checkReasons(t, host, port)
		ip, err := netip.ParseAddr(host)
		if err != nil {
			return
		}
		ps := strconv.Itoa(int(port))
		verdicts := map[bool]int{}
		for _, a := range []netip.Addr{ip, ip.Unmap(), netip.AddrFrom16(ip.As16())} {
			err := h.control(context.Background(), "tcp", net.JoinHostPort(a.String(), ps), nil)
			verdicts[err == nil]++
			if err == nil && (!h.policy.portAllowed(port) || !routableByNetip(a, allowPrivate)) {
				t.Fatalf("%q: %s allowed through", target, a)
			}
			var ipr *ipRefusal
			var ref *refusal
			if err != nil && !errors.As(err, &ipr) && !errors.As(err, &ref) {
				t.Fatalf("%q: control error %v is no refusal", target, err)
			}
		}
		if len(verdicts) != 1 {
			t.Fatalf("%q: the forms of %s get different verdicts", target, ip)
		}
		if int(h.metrics.dialsAllowed.Load()+h.metrics.dialsBlocked.Load()) != 3 {
			t.Fatalf("%q: 3 checks counted as %d allowed, %d blocked", target,
				h.metrics.dialsAllowed.Load(), h.metrics.dialsBlocked.Load())
		}
	})
}

// checkReasons builds every close reason that names a target's host and
// checks each fits a close frame as valid UTF-8.
func checkReasons(t *testing.T, host string, port uint16) {
	t.Helper()
	p := fuzzPolicy(false)
	errs := []error{
		&ipRefusal{ip: netip.MustParseAddr("127.0.0.1"), class: ClassLoopback, why: "server does not allow private targets"},
		&net.DNSError{Err: "no such host", Name: host, IsNotFound: true},
		&net.DNSError{Err: "server misbehaving", Name: host},
		context.DeadlineExceeded,
		errors.New("connect: connection refused"),
		p.portRefusal(port),
	}
	for _, err := range errs {
		v := classifyDialError(err, host, time.Second, false)
		reason := closeReason(v.reason)
		frame := formatRefusal(v.code, reason)
		if len(reason) > maxReason || !utf8.ValidString(reason) || !utf8.ValidString(frame) {
			t.Fatalf("host %q: close reason %q (%d bytes) for %v", host, reason, len(reason), err)
		}
	}
}

// fuzzRequestSeeds are raw upgrade requests, good and bad.
func fuzzRequestSeeds() []string {
	good := "GET /bridge?target=203.0.113.7:9735 HTTP/1.1\r\nHost: bridge.example\r\n" +
		"Connection: keep-alive, Upgrade\r\nUpgrade: websocket\r\nOrigin: https://bridge.example\r\n" +
		"Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n"
	return []string{
		good,
		strings.Replace(good, "Origin: https://bridge.example", "Origin: https://app.example", 1),
		strings.Replace(good, "Origin: https://bridge.example", "Origin: https://evil.example", 1),
		strings.Replace(good, "Origin: https://bridge.example", "Origin: null", 1),
		strings.Replace(good, "Origin: https://bridge.example\r\n", "", 1),
		strings.Replace(good, "Upgrade: websocket", "Upgrade: h2c", 1),
		strings.Replace(good, "target=203.0.113.7:9735", "target=%5B2001:db8::1%5D:22", 1),
		strings.Replace(good, "target=203.0.113.7:9735", "target=evil.example", 1),
		strings.Replace(good, "target=203.0.113.7:9735", "v=1", 1),
		"GET /bridge?target=203.0.113.7:9735 HTTP/1.1\r\nHost: bridge.example\r\n\r\n",
	}
}

// FuzzRequest parses raw HTTP requests as the server does and hands them
// to the Handler, with a recorder that cannot be upgraded, so every
// request stops before a dial. The Handler must answer as its checks
// say, in their order: 400 for a target ParseTarget refuses, 426 for a
// request that does not ask for a WebSocket, 403 for a page origin that is
// neither the server's own nor allowlisted; each refusal is counted once
// and its body names it. Whatever passes the checks never reaches the
// Control hook here, and Shutdown finds no request left running.
func FuzzRequest(f *testing.F) {
	for _, s := range fuzzRequestSeeds() {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		r, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			return
		}
		r.RemoteAddr = "198.51.100.1:5000"
		h := NewHandler(fuzzPolicy(false), slog.New(slog.DiscardHandler))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		want, why := expectedRefusal(r)
		if want != 0 && (w.Code != want || !strings.HasPrefix(w.Body.String(), "bridge: ")) {
			t.Fatalf("%q: status %d %q, want %d", raw, w.Code, w.Body.String(), want)
		}
		refused := uint64(0)
		for i := range h.metrics.refusals {
			refused += h.metrics.refusals[i].Load()
		}
		if want != 0 && (refused != 1 || h.metrics.refusals[why].Load() != 1) || want == 0 && refused != 0 {
			t.Fatalf("%q: %d refusals counted for status %d", raw, refused, w.Code)
		}
		if h.metrics.dialsAllowed.Load()+h.metrics.dialsBlocked.Load() != 0 {
			t.Fatalf("%q: a request that was never upgraded reached the Control hook", raw)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		if err := h.Shutdown(ctx); err != nil {
			t.Fatalf("%q: %v", raw, err)
		}
	})
}

// expectedRefusal is the status and reason the Handler's pre-upgrade
// checks must give r, worked out without them (0 when r passes).
func expectedRefusal(r *http.Request) (int, refuseReason) {
	if _, _, err := ParseTarget(r.URL.Query().Get("target")); err != nil {
		return http.StatusBadRequest, reasonBadRequest
	}
	if !listHas(r.Header.Values("Connection"), "upgrade") || !listHas(r.Header.Values("Upgrade"), "websocket") {
		return http.StatusUpgradeRequired, reasonNotWebSocket
	}
	origin := r.Header.Get("Origin")
	if origin == "" {
		return 0, 0
	}
	u, err := url.Parse(origin)
	if err == nil && u.Host != "" && (strings.EqualFold(u.Host, r.Host) || strings.EqualFold(u.Scheme+"://"+u.Host, "https://app.example")) {
		return 0, 0
	}
	return http.StatusForbidden, reasonOrigin
}

// listHas reports whether a comma-separated header list holds token.
func listHas(values []string, token string) bool {
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			if strings.EqualFold(strings.Trim(part, " \t"), token) {
				return true
			}
		}
	}
	return false
}
