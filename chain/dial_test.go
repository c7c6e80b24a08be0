package chain

import (
	"fmt"
	"net"
	"sync"
	"testing"
)

func TestNameTableIPPassthrough(t *testing.T) {
	tb := newNameTable()
	for _, host := range []string{"127.0.0.1", "10.1.2.3", "::1", "2001:db8::7"} {
		ips, err := tb.resolve(host)
		if err != nil || len(ips) != 1 || !ips[0].Equal(net.ParseIP(host)) {
			t.Errorf("resolve(%q) = %v, %v; want the address itself", host, ips, err)
		}
	}
	if len(tb.byName) != 0 {
		t.Errorf("addresses were given placeholders: %v", tb.byName)
	}
}

func TestNameTablePlaceholders(t *testing.T) {
	tb := newNameTable()
	first := resolveOne(t, tb, "btcd.example.org")
	if !inReserved(first) {
		t.Fatalf("placeholder %v is not in 240.0.0.0/4", first)
	}
	if again := resolveOne(t, tb, "btcd.example.org"); !again.Equal(first) {
		t.Fatalf("second resolve gave %v, first %v; want a stable placeholder", again, first)
	}
	other := resolveOne(t, tb, "signet.example.net")
	if other.Equal(first) || !inReserved(other) {
		t.Fatalf("second name got %v (first %v); want a different placeholder in 240.0.0.0/4", other, first)
	}
	for ip, name := range map[string]string{first.String(): "btcd.example.org", other.String(): "signet.example.net"} {
		addr := &net.TCPAddr{IP: net.ParseIP(ip), Port: 38333}
		if got, want := tb.hostFor(addr), net.JoinHostPort(name, "38333"); got != want {
			t.Errorf("hostFor(%v) = %q, want %q", addr, got, want)
		}
	}
}

func TestNameTableHostForUnknown(t *testing.T) {
	tb := newNameTable()
	resolveOne(t, tb, "known.example")
	for _, addr := range []net.Addr{
		&net.TCPAddr{IP: net.ParseIP("127.0.0.1"), Port: 18444},
		&net.TCPAddr{IP: net.ParseIP("240.0.0.99"), Port: 18444}, // placeholder range, never handed out
		&net.TCPAddr{IP: net.ParseIP("::1"), Port: 8333},
		badAddr("not a host:port at all"),
	} {
		if got := tb.hostFor(addr); got != addr.String() {
			t.Errorf("hostFor(%v) = %q; want the address unchanged", addr, got)
		}
	}
}

// TestNameTableConcurrent resolves many names at once: each must get its
// own placeholder, and the race detector watches the maps.
func TestNameTableConcurrent(t *testing.T) {
	tb := newNameTable()
	const n = 64
	ips := make([]net.IP, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := tb.resolve(fmt.Sprintf("peer%d.example", i))
			if err == nil {
				ips[i] = got[0]
			}
		}()
	}
	wg.Wait()
	seen := map[string]bool{}
	for i, ip := range ips {
		if ip == nil || seen[ip.String()] {
			t.Fatalf("name %d got %v; want a distinct placeholder", i, ip)
		}
		seen[ip.String()] = true
		if host := tb.hostFor(&net.TCPAddr{IP: ip, Port: 1}); host != fmt.Sprintf("peer%d.example:1", i) {
			t.Errorf("hostFor(%v) = %q", ip, host)
		}
	}
}

func resolveOne(t *testing.T, tb *nameTable, host string) net.IP {
	t.Helper()
	ips, err := tb.resolve(host)
	if err != nil || len(ips) != 1 {
		t.Fatalf("resolve(%q) = %v, %v; want one address", host, ips, err)
	}
	return ips[0]
}

func inReserved(ip net.IP) bool {
	_, reserved, _ := net.ParseCIDR("240.0.0.0/4")
	return reserved.Contains(ip)
}

// badAddr is a net.Addr whose String is not host:port.
type badAddr string

func (a badAddr) Network() string { return "tcp" }
func (a badAddr) String() string  { return string(a) }
