//go:build !js

package bridge

import (
	"net/netip"
	"testing"
)

func TestClassifyIP(t *testing.T) {
	tests := []struct {
		ip   string
		want IPClass
	}{
		// Public, including neighbours of every denied range.
		{"1.1.1.1", ClassPublic},
		{"8.8.8.8", ClassPublic},
		{"9.255.255.255", ClassPublic},
		{"11.0.0.0", ClassPublic},
		{"172.15.255.255", ClassPublic},
		{"172.32.0.0", ClassPublic},
		{"192.167.255.255", ClassPublic},
		{"192.169.0.0", ClassPublic},
		{"100.63.255.255", ClassPublic},
		{"100.128.0.0", ClassPublic},
		{"198.17.255.255", ClassPublic},
		{"198.20.0.0", ClassPublic},
		{"169.253.255.255", ClassPublic},
		{"223.255.255.255", ClassPublic},
		{"2606:4700:4700::1111", ClassPublic},
		{"2a01:4f8::1", ClassPublic},
		{"::ffff:8.8.8.8", ClassPublic},
		{"64:ff9b::808:808", ClassPublic}, // NAT64 of 8.8.8.8
		{"2002:808:808::1", ClassPublic},  // 6to4 of 8.8.8.8

		// IPv4 special ranges.
		{"0.0.0.0", ClassUnspecified},
		{"0.1.2.3", ClassThisNetwork},
		{"127.0.0.1", ClassLoopback},
		{"127.255.255.254", ClassLoopback},
		{"10.0.0.1", ClassPrivate},
		{"10.255.255.255", ClassPrivate},
		{"172.16.0.1", ClassPrivate},
		{"172.31.255.255", ClassPrivate},
		{"192.168.0.1", ClassPrivate},
		{"169.254.169.254", ClassLinkLocal},
		{"100.64.0.1", ClassCGNAT},
		{"100.127.255.255", ClassCGNAT},
		{"198.18.0.1", ClassBenchmark},
		{"198.19.255.255", ClassBenchmark},
		{"192.0.0.8", ClassReserved},
		{"192.0.2.1", ClassDocumentation},
		{"198.51.100.1", ClassDocumentation},
		{"203.0.113.1", ClassDocumentation},
		{"224.0.0.1", ClassMulticast},
		{"239.255.255.255", ClassMulticast},
		{"240.0.0.1", ClassReserved},
		{"255.255.255.255", ClassBroadcast},

		// IPv6 special ranges.
		{"::", ClassUnspecified},
		{"::1", ClassLoopback},
		{"::127.0.0.1", ClassReserved}, // deprecated IPv4-compatible form
		{"fc00::1", ClassPrivate},
		{"fd12:3456::1", ClassPrivate},
		{"fec0::1", ClassPrivate},
		{"fe80::1", ClassLinkLocal},
		{"fe80::1%eth0", ClassLinkLocal},
		{"febf::1", ClassLinkLocal},
		{"ff02::1", ClassMulticast},
		{"64:ff9b:1::1", ClassPrivate},
		{"100::1", ClassReserved},
		{"2001:db8::1", ClassDocumentation},

		// IPv4 embedded in IPv6 is judged by the IPv4 address.
		{"::ffff:127.0.0.1", ClassLoopback},
		{"::ffff:0.0.0.0", ClassUnspecified},
		{"::ffff:0.0.0.1", ClassThisNetwork},
		{"::ffff:10.1.2.3", ClassPrivate},
		{"::ffff:172.16.0.1", ClassPrivate},
		{"::ffff:192.168.1.1", ClassPrivate},
		{"::ffff:169.254.1.1", ClassLinkLocal},
		{"::ffff:100.64.0.1", ClassCGNAT},
		{"::ffff:198.18.0.1", ClassBenchmark},
		{"::ffff:224.0.0.1", ClassMulticast},
		{"::ffff:255.255.255.255", ClassBroadcast},
		{"64:ff9b::7f00:1", ClassLoopback}, // NAT64 of 127.0.0.1
		{"64:ff9b::a00:1", ClassPrivate},   // NAT64 of 10.0.0.1
		{"2002:7f00:1::", ClassLoopback},   // 6to4 of 127.0.0.1
		{"2002:c0a8:101::1", ClassPrivate}, // 6to4 of 192.168.1.1
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		if got := ClassifyIP(ip); got != tt.want {
			t.Errorf("ClassifyIP(%s) = %q, want %q", tt.ip, got, tt.want)
		}
	}
	if got := ClassifyIP(netip.Addr{}); got != ClassInvalid {
		t.Errorf("ClassifyIP(zero Addr) = %q, want invalid", got)
	}
}

func TestCheckIP(t *testing.T) {
	strict := Policy{}
	lax := Policy{AllowPrivate: true}
	tests := []struct {
		ip                  string
		strictOK, privateOK bool
	}{
		{"8.8.8.8", true, true},
		{"127.0.0.1", false, true},
		{"10.0.0.1", false, true},
		{"::ffff:192.168.0.1", false, true},
		{"fe80::1", false, true},
		{"0.0.0.0", false, false},
		{"::", false, false},
		{"224.0.0.1", false, false},
		{"ff02::1", false, false},
		{"255.255.255.255", false, false},
	}
	for _, tt := range tests {
		ip := netip.MustParseAddr(tt.ip)
		if got := strict.checkIP(ip) == nil; got != tt.strictOK {
			t.Errorf("strict checkIP(%s) allowed = %v, want %v", tt.ip, got, tt.strictOK)
		}
		if got := lax.checkIP(ip) == nil; got != tt.privateOK {
			t.Errorf("AllowPrivate checkIP(%s) allowed = %v, want %v", tt.ip, got, tt.privateOK)
		}
	}
}

func TestIPRefusalText(t *testing.T) {
	r := Policy{}.checkIPForTest("127.0.0.1")
	want := "refused: 127.0.0.1 is a loopback address (server does not allow private targets)"
	if got := r.describe("127.0.0.1"); got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
	want = "refused: localhost resolves to 127.0.0.1, a loopback address (server does not allow private targets)"
	if got := r.describe("localhost"); got != want {
		t.Errorf("describe = %q, want %q", got, want)
	}
	if got := r.describe("::ffff:127.0.0.1"); got != "refused: ::ffff:127.0.0.1 is a loopback address (server does not allow private targets)" {
		t.Errorf("describe mapped = %q", got)
	}
	long := "refused: ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff is a carrier-grade NAT address (100.64.0.0/10) (server does not allow private targets), and more"
	if got := closeReason(long); len(got) > maxReason {
		t.Errorf("closeReason left %d bytes, max %d", len(got), maxReason)
	}
}

// checkIPForTest is checkIP on a literal, failing loudly if it is allowed.
func (p Policy) checkIPForTest(s string) *ipRefusal {
	r := p.checkIP(netip.MustParseAddr(s))
	if r == nil {
		panic(s + " unexpectedly allowed")
	}
	return r
}
