package bridge

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/coder/websocket"
)

// Each fuzz target's seeds are added with f.Add, so `go test` runs them as
// ordinary tests; `go test -fuzz=FuzzX` explores from them. The targets in
// this file run under GOOS=js too; those that need the server's policy are
// in fuzz_server_test.go.

// targetSeeds are targets good and bad, shared by the target fuzzers.
var targetSeeds = []string{
	"203.0.113.7:9735", "example.com:9735", "[2001:db8::1]:9735", "127.0.0.1:9735",
	"[::ffff:127.0.0.1]:9735", "[64:ff9b::a00:1]:9735", "[2002:c0a8:101::]:8333", "0.0.0.0:9735",
	"localhost:18444", "10.0.0.1:8333", "[fe80::1%25eth0]:9735", "[fe80::1]:9735",
	"", "example.com", "example.com:", ":9735", "example.com:0", "example.com:65536", "example.com:+80",
	"a b:9735", "user@host:9735", "[::1]", "[[::1]]:1", "нод.example:9735",
	strings.Repeat("a", 254) + ":9735",
}

// maxTargetError bounds ParseTarget's error text, which quotes at most 64
// bytes of the target and 16 of the port, each at most four bytes per
// byte once quoted.
const maxTargetError = 512

// FuzzParseTarget: a target ParseTarget accepts has a host of 1 to
// maxHostLen bytes without the characters it refuses, a port in 1-65535,
// and survives the trip the client makes it take (targetURL puts it in the
// query, the server reads it back) and the dialer's net.JoinHostPort,
// parsing to the same host and port. A target it refuses is refused by
// targetURL too, before any network traffic, with a short error.
func FuzzParseTarget(f *testing.F) {
	for _, s := range targetSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, target string) {
		host, port, err := ParseTarget(target)
		if err != nil {
			if msg := err.Error(); msg == "" || len(msg) > maxTargetError {
				t.Fatalf("%q: error of %d bytes: %q", target, len(msg), msg)
			}
			if _, uerr := targetURL("ws://bridge.example/bridge", target); uerr == nil {
				t.Fatalf("%q: refused by ParseTarget, accepted by targetURL", target)
			}
			return
		}
		if host == "" || len(host) > maxHostLen || strings.ContainsAny(host, " /?#@%\\") || port == 0 {
			t.Fatalf("%q accepted as host %q port %d", target, host, port)
		}
		u, err := targetURL("ws://bridge.example/bridge?v=1", target)
		if err != nil {
			t.Fatalf("%q: accepted by ParseTarget, refused by targetURL: %v", target, err)
		}
		parsed, err := url.Parse(u)
		if err != nil || parsed.Query().Get("target") != target {
			t.Fatalf("%q: the server reads %q from %s (%v)", target, parsed.Query().Get("target"), u, err)
		}
		dialed := net.JoinHostPort(host, strconv.Itoa(int(port)))
		if h2, p2, err := ParseTarget(dialed); err != nil || h2 != host || p2 != port {
			t.Fatalf("%q: the dialer's %q parses as %q %d (%v)", target, dialed, h2, p2, err)
		}
	})
}

// FuzzParseRefusal: Dial reads the server's refusal frame. Whatever it
// accepts has a close code in 1000-4999 and a reason taken from the frame,
// and reads the same once written again by formatRefusal; and every
// refusal formatRefusal writes with such a code reads back exactly.
func FuzzParseRefusal(f *testing.F) {
	f.Add("error 1008 refused: port 22 is not allowed (allowed: 9735)", uint16(1008))
	f.Add("error 1013 try again later", uint16(1013))
	f.Add("error 1014", uint16(1014))
	f.Add("error +1008 x", uint16(999))
	f.Add("error 0001008 x y", uint16(5000))
	f.Add(ConnectedMessage, uint16(1000))
	f.Add("error  1008", uint16(4999))
	f.Fuzz(func(t *testing.T, msg string, code uint16) {
		c, reason, ok := parseRefusal(msg)
		if ok {
			if c < 1000 || c > 4999 || !strings.HasPrefix(msg, refusalPrefix) || !strings.HasSuffix(msg, reason) {
				t.Fatalf("%q read as %d %q", msg, c, reason)
			}
			if c2, r2, ok2 := parseRefusal(formatRefusal(c, reason)); !ok2 || c2 != c || r2 != reason {
				t.Fatalf("%q: %d %q reads back as %d %q (%v)", msg, c, reason, c2, r2, ok2)
			}
		}
		if code < 1000 || code > 4999 {
			return
		}
		sc := websocket.StatusCode(code)
		if c2, r2, ok2 := parseRefusal(formatRefusal(sc, msg)); !ok2 || c2 != sc || r2 != msg {
			t.Fatalf("%d %q reads back as %d %q (%v)", code, msg, c2, r2, ok2)
		}
	})
}
