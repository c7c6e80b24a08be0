//go:build !js

package bridge

import "net/netip"

// IPClass says what kind of destination an IP address is, so the policy
// can name it in a refusal a person can read.
type IPClass int

// The classes. Only ClassPublic is reachable without Policy.AllowPrivate;
// ClassUnspecified, ClassMulticast and ClassBroadcast are never valid TCP
// destinations and are refused even with AllowPrivate (on Linux a connect
// to 0.0.0.0 or :: reaches the local host).
const (
	ClassPublic IPClass = iota
	ClassInvalid
	ClassUnspecified
	ClassThisNetwork
	ClassLoopback
	ClassPrivate
	ClassLinkLocal
	ClassCGNAT
	ClassBenchmark
	ClassDocumentation
	ClassReserved
	ClassMulticast
	ClassBroadcast
)

// String is the phrase used in refusal reasons ("... is a loopback
// address").
func (c IPClass) String() string {
	switch c {
	case ClassPublic:
		return "a public address"
	case ClassUnspecified:
		return "the unspecified address"
	case ClassThisNetwork:
		return "a this-network address (0.0.0.0/8)"
	case ClassLoopback:
		return "a loopback address"
	case ClassPrivate:
		return "a private address"
	case ClassLinkLocal:
		return "a link-local address"
	case ClassCGNAT:
		return "a carrier-grade NAT address (100.64.0.0/10)"
	case ClassBenchmark:
		return "a benchmarking address (198.18.0.0/15)"
	case ClassDocumentation:
		return "a documentation address"
	case ClassReserved:
		return "a reserved address"
	case ClassMulticast:
		return "a multicast address"
	case ClassBroadcast:
		return "the broadcast address"
	default:
		return "an invalid address"
	}
}

// Routable reports whether a TCP connect to the class is possible at all;
// unspecified, multicast and broadcast addresses are never a peer.
func (c IPClass) Routable() bool {
	switch c {
	case ClassInvalid, ClassUnspecified, ClassMulticast, ClassBroadcast:
		return false
	}
	return true
}

// prefixClass pairs a prefix with its class; the tables are checked in
// order, so a more specific prefix must come before a wider one.
type prefixClass struct {
	prefix netip.Prefix
	class  IPClass
}

// v4Table lists the IPv4 special-purpose ranges (RFC 6890 and friends)
// that must not be reached from the public web through the bridge.
var v4Table = []prefixClass{
	{netip.MustParsePrefix("255.255.255.255/32"), ClassBroadcast},
	{netip.MustParsePrefix("0.0.0.0/32"), ClassUnspecified},
	{netip.MustParsePrefix("0.0.0.0/8"), ClassThisNetwork},
	{netip.MustParsePrefix("127.0.0.0/8"), ClassLoopback},
	{netip.MustParsePrefix("10.0.0.0/8"), ClassPrivate},
	{netip.MustParsePrefix("172.16.0.0/12"), ClassPrivate},
	{netip.MustParsePrefix("192.168.0.0/16"), ClassPrivate},
	{netip.MustParsePrefix("169.254.0.0/16"), ClassLinkLocal},
	{netip.MustParsePrefix("100.64.0.0/10"), ClassCGNAT},
	{netip.MustParsePrefix("198.18.0.0/15"), ClassBenchmark},
	{netip.MustParsePrefix("192.0.0.0/24"), ClassReserved},
	{netip.MustParsePrefix("192.0.2.0/24"), ClassDocumentation},
	{netip.MustParsePrefix("198.51.100.0/24"), ClassDocumentation},
	{netip.MustParsePrefix("203.0.113.0/24"), ClassDocumentation},
	{netip.MustParsePrefix("224.0.0.0/4"), ClassMulticast},
	{netip.MustParsePrefix("240.0.0.0/4"), ClassReserved},
}

// v6Table lists the IPv6 special-purpose ranges. Forms that embed an IPv4
// address (mapped, NAT64, 6to4) are handled by embeddedV4 first.
var v6Table = []prefixClass{
	{netip.MustParsePrefix("::/128"), ClassUnspecified},
	{netip.MustParsePrefix("::1/128"), ClassLoopback},
	{netip.MustParsePrefix("::/96"), ClassReserved}, // deprecated IPv4-compatible
	{netip.MustParsePrefix("fc00::/7"), ClassPrivate},
	{netip.MustParsePrefix("fec0::/10"), ClassPrivate}, // deprecated site-local
	{netip.MustParsePrefix("fe80::/10"), ClassLinkLocal},
	{netip.MustParsePrefix("ff00::/8"), ClassMulticast},
	{netip.MustParsePrefix("64:ff9b:1::/48"), ClassPrivate}, // local-use NAT64
	{netip.MustParsePrefix("100::/64"), ClassReserved},      // discard-only
	{netip.MustParsePrefix("2001:db8::/32"), ClassDocumentation},
}

var (
	nat64Prefix = netip.MustParsePrefix("64:ff9b::/96")
	sixToFour   = netip.MustParsePrefix("2002::/16")
)

// ClassifyIP says what kind of destination ip is. It is pure so that the
// policy can be table-tested without a network. IPv6 forms that carry an
// IPv4 address (::ffff:a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:AABB:CCDD::)
// are classified by that IPv4 address, since that is where packets go.
func ClassifyIP(ip netip.Addr) IPClass {
	if !ip.IsValid() {
		return ClassInvalid
	}
	// Prefix.Contains never matches an address with a zone, and fe80::1%eth0
	// must still count as link-local.
	ip = ip.WithZone("")
	if v4, ok := embeddedV4(ip); ok {
		ip = v4
	}
	table := v6Table
	if ip.Is4() {
		table = v4Table
	}
	for _, pc := range table {
		if pc.prefix.Contains(ip) {
			return pc.class
		}
	}
	return ClassPublic
}

// embeddedV4 extracts the IPv4 address that an IPv6 form routes to.
func embeddedV4(ip netip.Addr) (netip.Addr, bool) {
	if ip.Is4In6() {
		return ip.Unmap(), true
	}
	if !ip.Is6() {
		return netip.Addr{}, false
	}
	b := ip.As16()
	switch {
	case nat64Prefix.Contains(ip):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case sixToFour.Contains(ip):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}
