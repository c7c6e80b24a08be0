package lnwire

import (
	"bytes"
	"encoding/base32"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// AddressType is the first byte of a node_announcement address descriptor.
type AddressType byte

// The address descriptor types BOLT 7 defines. Every other type, 0
// included, is unknown here: its length cannot be known, so parsing stops
// at it (see decodeAddresses).
const (
	// AddressIPv4: data = `[4:ipv4_addr][2:port]` (length 6).
	AddressIPv4 AddressType = 1
	// AddressIPv6: data = `[16:ipv6_addr][2:port]` (length 18).
	AddressIPv6 AddressType = 2
	// AddressTorV2 is deprecated (length 12): a 10-byte Tor v2 onion
	// service and a port. It is parsed only so that what follows it can be.
	//
	// BOLT 7, the receiving node: SHOULD ignore Tor v2 onion services.
	AddressTorV2 AddressType = 3
	// AddressTorV3: data = `[35:onion_addr][2:port]` (length 37), the
	// onion address being `[32:ed25519_pubkey] || [2:checksum] ||
	// [1:version]`.
	AddressTorV3 AddressType = 4
	// AddressDNS: data = `[1:hostname_len][hostname_len:hostname][2:port]`
	// (length up to 258).
	AddressDNS AddressType = 5
)

// addrSizes is the address length (port excluded) of each known type with
// a fixed one; AddressDNS carries its own.
var addrSizes = map[AddressType]int{
	AddressIPv4: 4, AddressIPv6: 16, AddressTorV2: 10, AddressTorV3: 35,
}

// Known reports whether t is a type whose length this package knows.
func (t AddressType) Known() bool {
	_, fixed := addrSizes[t]
	return fixed || t == AddressDNS
}

// String names the type ("ipv4", "torv3", "unknown(9)").
func (t AddressType) String() string {
	switch t {
	case AddressIPv4:
		return "ipv4"
	case AddressIPv6:
		return "ipv6"
	case AddressTorV2:
		return "torv2"
	case AddressTorV3:
		return "torv3"
	case AddressDNS:
		return "dns"
	}
	return fmt.Sprintf("unknown(%d)", byte(t))
}

// NetAddress is one address descriptor of a known type.
type NetAddress struct {
	Type AddressType
	// Addr is the address as on the wire: 4 bytes for IPv4, 16 for IPv6,
	// 10 for Tor v2, 35 for Tor v3, or the hostname's bytes for DNS (at
	// most 255, kept even when not ASCII so the signed bytes survive).
	Addr []byte
	Port uint16
}

// NewIPAddress is the descriptor for an IPv4 (including an IPv4-mapped
// IPv6 address) or IPv6 address and port.
func NewIPAddress(ap netip.AddrPort) NetAddress {
	ip := ap.Addr().Unmap()
	if ip.Is4() {
		a := ip.As4()
		return NetAddress{Type: AddressIPv4, Addr: a[:], Port: ap.Port()}
	}
	a := ip.As16()
	return NetAddress{Type: AddressIPv6, Addr: a[:], Port: ap.Port()}
}

// NewDNSAddress is the descriptor for a hostname and port.
//
// BOLT 7: `hostname` bytes MUST be ASCII characters. Non-ASCII characters
// MUST be encoded using Punycode.
func NewDNSAddress(host string, port uint16) (NetAddress, error) {
	if host == "" || len(host) > 255 || !isASCII([]byte(host)) {
		return NetAddress{}, fmt.Errorf("lnwire: hostname %q must be 1 to 255 ASCII bytes (punycode for others)", host)
	}
	return NetAddress{Type: AddressDNS, Addr: []byte(host), Port: port}, nil
}

// Dialable reports whether the descriptor names somewhere worth
// connecting to, by BOLT 7's rules for the receiver.
//
// BOLT 7, the receiving node: if `port` is equal to 0: SHOULD ignore
// `ipv6_addr` OR `ipv4_addr` OR `hostname`. [...] SHOULD ignore Tor v2
// onion services.
func (a NetAddress) Dialable() bool {
	switch a.Type {
	case AddressIPv4, AddressIPv6:
		return a.Port != 0 && len(a.Addr) == addrSizes[a.Type]
	case AddressDNS:
		return a.Port != 0 && len(a.Addr) > 0 && isASCII(a.Addr)
	case AddressTorV3:
		return len(a.Addr) == addrSizes[a.Type]
	}
	return false
}

// AddrPort gives an IPv4 or IPv6 descriptor as a netip.AddrPort; ok is
// false for every other type.
func (a NetAddress) AddrPort() (ap netip.AddrPort, ok bool) {
	if (a.Type != AddressIPv4 && a.Type != AddressIPv6) || len(a.Addr) != addrSizes[a.Type] {
		return netip.AddrPort{}, false
	}
	ip, _ := netip.AddrFromSlice(a.Addr)
	return netip.AddrPortFrom(ip, a.Port), true
}

// onionEncoding is Tor's base32 alphabet, lower case and unpadded.
var onionEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// String is the host:port form a dialer takes: "203.0.113.7:9735",
// "[2001:db8::1]:9735", "<56 base32 chars>.onion:9735", "node.example:9735".
// A hostname is quoted when it is not plain ASCII, since it came from a
// peer.
func (a NetAddress) String() string {
	port := strconv.Itoa(int(a.Port))
	if ap, ok := a.AddrPort(); ok {
		return ap.String()
	}
	switch a.Type {
	case AddressTorV2, AddressTorV3:
		return onionEncoding.EncodeToString(a.Addr) + ".onion:" + port
	case AddressDNS:
		if isASCII(a.Addr) {
			return string(a.Addr) + ":" + port
		}
		return strconv.Quote(string(a.Addr)) + ":" + port
	}
	return fmt.Sprintf("%s:%x:%s", a.Type, a.Addr, port)
}

// isASCII reports whether b is printable ASCII without spaces, the only
// bytes a hostname can hold (BOLT 7 asks for ASCII, punycode for the rest).
func isASCII(b []byte) bool {
	for _, c := range b {
		if c < 0x21 || c > 0x7e {
			return false
		}
	}
	return true
}

// errUnknownAddressHead is returned when encoding unknown descriptor bytes
// that begin with a known type: they would decode as something else.
var errUnknownAddressHead = errors.New("unknown address bytes start with a known type")

// decodeAddresses parses the `addresses` field. Descriptors of known types
// become the list; at the first descriptor of any other type parsing stops
// and everything from it on is returned raw, because its length is not
// known. Each length is checked against the bytes left before anything is
// copied.
//
// BOLT 7, the receiving node: SHOULD ignore the first `address descriptor`
// that does NOT match the types defined above. if `addrlen` is
// insufficient to hold the address descriptors of the known types: SHOULD
// send a `warning`. MAY close the connection.
func decodeAddresses(b []byte) (addrs []NetAddress, unknown []byte, err error) {
	r := NewReader(b)
	for r.Len() > 0 {
		t := AddressType(b[r.off])
		if !t.Known() {
			return addrs, cloneBytes(r.rest()), nil
		}
		r.Byte("address type")
		n, fixed := addrSizes[t]
		if !fixed {
			n = int(r.Byte("hostname_len"))
		}
		a := NetAddress{Type: t, Addr: r.Bytes(t.String()+" address", n)}
		a.Port = r.U16(t.String() + " port")
		if r.Err() != nil {
			return nil, nil, fmt.Errorf("descriptor %d: %w", len(addrs), r.Err())
		}
		addrs = append(addrs, a)
	}
	return addrs, nil, nil
}

// encodeAddresses is decodeAddresses' inverse. It refuses a descriptor
// whose length does not fit its type, and unknown bytes that would parse
// as a known descriptor, so that what it writes decodes to the same value.
// It does not sort: decoding keeps any order, and the sender's order is
// what was signed.
func encodeAddresses(addrs []NetAddress, unknown []byte) ([]byte, error) {
	var w bytes.Buffer
	for i, a := range addrs {
		n, fixed := addrSizes[a.Type]
		switch {
		case !a.Type.Known():
			return nil, fmt.Errorf("descriptor %d: type %s belongs in the unknown bytes", i, a.Type)
		case fixed && len(a.Addr) != n:
			return nil, fmt.Errorf("descriptor %d: %s address of %d bytes, want %d", i, a.Type, len(a.Addr), n)
		case !fixed && len(a.Addr) > 255:
			return nil, fmt.Errorf("descriptor %d: hostname of %d bytes exceeds 255", i, len(a.Addr))
		}
		w.WriteByte(byte(a.Type))
		if !fixed {
			w.WriteByte(byte(len(a.Addr)))
		}
		w.Write(a.Addr)
		putU16(&w, a.Port)
	}
	if len(unknown) > 0 && AddressType(unknown[0]).Known() {
		return nil, fmt.Errorf("%w (%s)", errUnknownAddressHead, AddressType(unknown[0]))
	}
	w.Write(unknown)
	return w.Bytes(), nil
}
