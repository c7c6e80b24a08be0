package lnwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// TestAddressDescriptors parses the descriptors Core Lightning's spec-test
// gossip announces (devtools/mkgossip in its gossip tests), one of each
// type but DNS, and a hostname, and writes them back unchanged.
func TestAddressDescriptors(t *testing.T) {
	cases := map[string][]string{
		"01080808082607": {"8.8.8.8:9735"},
		"0151b6887026070220014c4e1cc141001e6f65fffec8a825260703c43068ceb641d7b25c3a2607" +
			"0441cf248da2034dfa9351a9e946d71ce86f561f50b67753fd8e385d44647bf62cdb91032607": {
			"81.182.136.112:9735", "[2001:4c4e:1cc1:4100:1e6f:65ff:fec8:a825]:9735",
			"yqygrtvwihl3exb2.onion:9735",
			"ihhsjdncang7ve2rvhuunvy45bxvmh2qwz3vh7mohbouizd36ywnxeid.onion:9735",
		},
		"050e6c6e2e6578616d706c652e6f72672607": {"ln.example.org:9735"},
	}
	for in, want := range cases {
		b := mustHex(t, in)
		addrs, unknown, err := decodeAddresses(b)
		if err != nil || unknown != nil || len(addrs) != len(want) {
			t.Fatalf("%s: %v %x %v", in, addrs, unknown, err)
		}
		for i, a := range addrs {
			if a.String() != want[i] {
				t.Errorf("%s: descriptor %d is %s, want %s", in, i, a, want[i])
			}
		}
		if out, err := encodeAddresses(addrs, unknown); err != nil || !bytes.Equal(out, b) {
			t.Errorf("%s re-encodes as %x (%v)", in, out, err)
		}
	}
}

// TestAddressStopRules: BOLT 7, the receiving node SHOULD ignore the first
// `address descriptor` that does NOT match the types defined above. Its
// length is unknown, so the rest is kept raw (known types after it too,
// and type 0, which BOLT 7 no longer defines); a known descriptor that
// does not fit is an error.
func TestAddressStopRules(t *testing.T) {
	ipv4 := []byte{1, 10, 0, 0, 1, 0x26, 0x07}
	for _, tc := range []struct {
		name    string
		in      []byte
		known   int
		unknown []byte
	}{
		{"unknown type 9", cat(ipv4, []byte{9, 0xaa}, ipv4), 1, cat([]byte{9, 0xaa}, ipv4)},
		{"type 0", cat([]byte{0}, ipv4), 0, cat([]byte{0}, ipv4)},
		{"unknown last", cat(ipv4, ipv4, []byte{200}), 2, []byte{200}},
	} {
		addrs, unknown, err := decodeAddresses(tc.in)
		if err != nil || len(addrs) != tc.known || !bytes.Equal(unknown, tc.unknown) {
			t.Errorf("%s: %v, unknown %x, %v", tc.name, addrs, unknown, err)
		}
		if out, err := encodeAddresses(addrs, unknown); err != nil || !bytes.Equal(out, tc.in) {
			t.Errorf("%s: re-encoded as %x (%v)", tc.name, out, err)
		}
	}
	// BOLT 7: if `addrlen` is insufficient to hold the address descriptors
	// of the known types: SHOULD send a `warning`. MAY close the connection.
	for name, in := range map[string][]byte{
		"ipv4 cut":          ipv4[:6],
		"ipv6 cut":          {2, 1, 2, 3},
		"torv3 cut":         append([]byte{4}, make([]byte, 36)...),
		"hostname too long": {5, 10, 'a', 'b', 0x26, 0x07},
		"hostname no len":   {5},
	} {
		if _, _, err := decodeAddresses(in); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: %v, want unexpected EOF", name, err)
		}
	}
}

func TestAddressEncodeRefusals(t *testing.T) {
	for name, a := range map[string]NetAddress{
		"short ipv4":    {Type: AddressIPv4, Addr: []byte{1, 2, 3}},
		"long torv3":    {Type: AddressTorV3, Addr: make([]byte, 36)},
		"long hostname": {Type: AddressDNS, Addr: bytes.Repeat([]byte{'a'}, 256)},
		"unknown type":  {Type: 7, Addr: []byte{1}},
	} {
		if _, err := encodeAddresses([]NetAddress{a}, nil); err == nil {
			t.Errorf("%s encoded", name)
		}
	}
	if _, err := encodeAddresses(nil, []byte{1, 2}); !errors.Is(err, errUnknownAddressHead) {
		t.Errorf("unknown bytes starting with ipv4: %v", err)
	}
	m := &NodeAnnouncement{Addresses: []NetAddress{{Type: AddressIPv6}}}
	if _, err := WriteMessage(m); err == nil || !strings.Contains(err.Error(), "addresses") {
		t.Errorf("node_announcement with an empty ipv6: %v", err)
	}
}

// TestDialable: BOLT 7, if `port` is equal to 0: SHOULD ignore `ipv6_addr`
// OR `ipv4_addr` OR `hostname`; SHOULD ignore Tor v2 onion services.
func TestDialable(t *testing.T) {
	v4 := NewIPAddress(netip.MustParseAddrPort("192.0.2.1:9735"))
	mapped := NewIPAddress(netip.MustParseAddrPort("[::ffff:192.0.2.1]:9735"))
	v6 := NewIPAddress(netip.MustParseAddrPort("[2001:db8::1]:9735"))
	dns, err := NewDNSAddress("node.example", 9735)
	if err != nil || v4.Type != AddressIPv4 || !reflect.DeepEqual(v4, mapped) || v6.Type != AddressIPv6 {
		t.Fatalf("constructors: %v %v %v %v", v4, mapped, v6, err)
	}
	for _, a := range []NetAddress{v4, v6, dns, {Type: AddressTorV3, Addr: make([]byte, 35), Port: 9735}} {
		if !a.Dialable() {
			t.Errorf("%s not dialable", a)
		}
		b := a
		b.Port = 0
		if b.Type != AddressTorV3 && b.Dialable() {
			t.Errorf("%s dialable with port 0", b)
		}
	}
	for _, a := range []NetAddress{
		{Type: AddressTorV2, Addr: make([]byte, 10), Port: 9735},
		{Type: AddressDNS, Addr: []byte("bad host"), Port: 9735},
		{Type: AddressDNS, Addr: []byte("caf\xc3\xa9"), Port: 9735},
	} {
		if a.Dialable() {
			t.Errorf("%s dialable", a)
		}
	}
	if _, err := NewDNSAddress("café.example", 1); err == nil {
		t.Error("non-ASCII hostname accepted (BOLT 7: punycode)")
	}
	if s := (NetAddress{Type: AddressDNS, Addr: []byte("a\nb"), Port: 1}).String(); s != `"a\nb":1` {
		t.Errorf("control character in a hostname rendered as %q", s)
	}
}

func TestNodeAliasAndColor(t *testing.T) {
	a, err := NewNodeAlias("⚡ zap")
	if err != nil || a.String() != "⚡ zap" {
		t.Fatalf("%q %v", a, err)
	}
	if _, err := NewNodeAlias(strings.Repeat("x", 33)); err == nil {
		t.Error("33-byte alias accepted")
	}
	if _, err := NewNodeAlias("\xff"); err == nil {
		t.Error("invalid UTF-8 alias accepted")
	}
	var raw NodeAlias
	copy(raw[:], "evil\x1b[31m\u202e")
	if s := raw.String(); strings.ContainsAny(s, "\x1b\u202e") {
		t.Errorf("alias rendered with control characters: %q", s)
	}
	if c := (RGBColor{0x33, 0x99, 0xff}); c.String() != "#3399ff" {
		t.Error(c.String())
	}
}

// TestSignedMessagesKeepTheirBytes: what a signature covers survives a
// decode and an encode even where a canonical form exists: padded
// features, unknown address bytes, unknown odd TLV records, unassigned
// flag bits.
func TestSignedMessagesKeepTheirBytes(t *testing.T) {
	g := newGen(77)
	g.bare = true
	na := g.nodeAnnouncement()
	na.Features = FeatureBytes{0, 0, 0x02}
	na.Addresses = []NetAddress{{Type: AddressIPv4, Addr: []byte{1, 2, 3, 4}, Port: 9735}}
	na.UnknownAddresses = []byte{0, 0xff}
	na.Extra = TLVRecords{{Type: 1, Value: []byte{0xaa}}, {Type: 77, Value: nil}}
	cu := generators[MsgChannelUpdate](g).(*ChannelUpdate)
	cu.MessageFlags, cu.ChannelFlags = 0xfd, 0xfe
	cu.Extra = TLVRecords{{Type: 55555, Value: []byte{0, 0, 0, 1, 0, 0, 0, 2}}}
	for _, m := range []Message{na, cu} {
		b := roundTrip(t, m)
		got, _ := ReadMessage(b)
		d1, _ := m.(Signed).SignedData()
		d2, _ := got.(Signed).SignedData()
		if !bytes.Equal(d1, d2) || !bytes.Equal(d1, b[2+SigSize:]) {
			t.Fatalf("%s: signed data changed", m.Type())
		}
	}
	if !na.Features.Vector().Has(1) || NewFeatureBytes(NewFeatureVector(9)).Vector().Bits()[0] != 9 {
		t.Error("FeatureBytes does not decode its bits")
	}
}

func TestChannelUpdateFlags(t *testing.T) {
	if UpdateChanFlags(0).Direction() != 0 || UpdateChanFlags(ChanFlagDirection).Direction() != 1 {
		t.Error("direction")
	}
	if !UpdateChanFlags(ChanFlagDisable).Disabled() || UpdateChanFlags(ChanFlagDirection).Disabled() {
		t.Error("disable")
	}
	if !(MsgFlagMustBeOne | MsgFlagDontForward).DontForward() || MsgFlagMustBeOne.DontForward() {
		t.Error("dont_forward")
	}
}

func TestRangeHelpers(t *testing.T) {
	q := &QueryChannelRange{FirstBlocknum: 0xffffffff, NumberOfBlocks: 2}
	r := &ReplyChannelRange{FirstBlocknum: 0xfffffff0, NumberOfBlocks: 0x20}
	if q.EndBlock() != 0x100000001 || r.EndBlock() != 0x100000010 {
		t.Error("EndBlock overflowed")
	}
	f := &GossipTimestampFilter{FirstTimestamp: 0xfffffff0, TimestampRange: 0xffffffff}
	if !f.Matches(0xffffffff) || f.Matches(0xffffffef) {
		t.Error("Matches near the top of u32")
	}
	// BOLT 7: If the receiver does not offer `gossip_queries`: SHOULD set
	// `first_timestamp` to 0xFFFFFFFF and `timestamp_range` to 0.
	none := &GossipTimestampFilter{FirstTimestamp: 0xffffffff}
	if none.Matches(0xffffffff) || none.Matches(0) {
		t.Error("the filter that asks for nothing matched")
	}
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func u16b(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
