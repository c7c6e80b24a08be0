package graph

import (
	"errors"
	"math/big"
	"net/netip"
	"reflect"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// TestChannelAnnouncementAccepted adds a properly signed announcement and
// checks what the graph holds; the same announcement again changes nothing.
func TestChannelAnnouncementAccepted(t *testing.T) {
	g := mustNew(t, store.NewMemory())
	alice, bob := newKey("alice"), newKey("bob")
	s := scid(t, 700000, 1)
	m := announce(t, s, alice, bob)
	for i := 0; i < 2; i++ {
		if err := g.AddChannelAnnouncement(m); err != nil {
			t.Fatalf("add %d: %v", i, err)
		}
	}
	if g.NumChannels() != 1 || g.NumNodes() != 2 {
		t.Fatalf("%d channels, %d nodes", g.NumChannels(), g.NumNodes())
	}
	c, ok := g.Channel(s)
	if !ok || c.Node1 != [33]byte(m.NodeID1) || c.Node2 != [33]byte(m.NodeID2) || c.Policies != [2]*Policy{} {
		t.Fatalf("channel %+v %v", c, ok)
	}
	if n, ok := g.Node(alice.id()); !ok || n.Timestamp != 0 {
		t.Fatalf("node %+v %v", n, ok)
	}
}

// TestChannelAnnouncementRejected breaks each rule the graph checks and
// expects the matching error and an unchanged graph.
func TestChannelAnnouncementRejected(t *testing.T) {
	alice, bob, mallory := newKey("alice"), newKey("bob"), newKey("mallory")
	for _, tc := range []struct {
		name   string
		mutate func(m *lnwire.ChannelAnnouncement)
		want   error
	}{
		{"other chain", func(m *lnwire.ChannelAnnouncement) { m.ChainHash = otherChain }, ErrWrongChain},
		{"nodes out of order", func(m *lnwire.ChannelAnnouncement) { m.NodeID1, m.NodeID2 = m.NodeID2, m.NodeID1 }, ErrInvalid},
		{"same node twice", func(m *lnwire.ChannelAnnouncement) { m.NodeID2 = m.NodeID1 }, ErrInvalid},
		{"node_signature_1", func(m *lnwire.ChannelAnnouncement) { m.NodeSignature1 = signHash(t, m, mallory.priv) }, ErrBadSignature},
		{"node_signature_2", func(m *lnwire.ChannelAnnouncement) { m.NodeSignature2 = signHash(t, m, mallory.priv) }, ErrBadSignature},
		{"bitcoin_signature_1", func(m *lnwire.ChannelAnnouncement) { m.BitcoinSignature1 = signHash(t, m, mallory.priv) }, ErrBadSignature},
		{"bitcoin_signature_2", func(m *lnwire.ChannelAnnouncement) { m.BitcoinSignature2 = signHash(t, m, mallory.priv) }, ErrBadSignature},
		{"signed bytes changed", func(m *lnwire.ChannelAnnouncement) { m.Features = lnwire.FeatureBytes{0x02} }, ErrBadSignature},
		{"zero signature", func(m *lnwire.ChannelAnnouncement) { m.NodeSignature1 = lnwire.Sig{} }, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g := mustNew(t, store.NewMemory())
			s := scid(t, 700000, 2)
			m := announce(t, s, alice, bob)
			tc.mutate(m)
			err := g.AddChannelAnnouncement(m)
			if !errors.Is(err, tc.want) || !strings.Contains(err.Error(), s.String()) {
				t.Fatalf("got %v, want %v naming %s", err, tc.want, s)
			}
			if g.NumChannels() != 0 || g.NumNodes() != 0 {
				t.Fatal("a refused announcement changed the graph")
			}
		})
	}
}

// TestHighSSignatureAccepted: a relay may flip S to N-S; the signature is
// still the node's and the message must not be refused for it.
func TestHighSSignatureAccepted(t *testing.T) {
	g := mustNew(t, store.NewMemory())
	alice, bob := newKey("alice"), newKey("bob")
	m := announce(t, scid(t, 1, 1), alice, bob)
	sv := new(big.Int).SetBytes(m.NodeSignature1[32:])
	sv.Sub(btcec.S256().N, sv)
	sv.FillBytes(m.NodeSignature1[32:])
	if _, err := m.NodeSignature1.ToECDSA(); err == nil {
		t.Fatal("the test did not make a high-S signature")
	}
	if err := g.AddChannelAnnouncement(m); err != nil {
		t.Fatal(err)
	}
}

// TestChannelUpdateRules walks one direction's updates through the graph's
// checks: unknown channel, wrong signer, accepted, equal and older
// timestamps, a newer one, and another chain.
func TestChannelUpdateRules(t *testing.T) {
	g := mustNew(t, store.NewMemory())
	alice, bob := newKey("alice"), newKey("bob")
	s := scid(t, 700000, 3)
	if err := g.AddChannelUpdate(update(t, s, alice, bob, 100, basicPolicy)); !errors.Is(err, ErrUnknownChannel) || !strings.Contains(err.Error(), s.String()) {
		t.Fatalf("before the announcement: %v", err)
	}
	if err := g.AddChannelAnnouncement(announce(t, s, alice, bob)); err != nil {
		t.Fatal(err)
	}
	forged := update(t, s, alice, bob, 100, basicPolicy)
	forged.Signature = signHash(t, forged, bob.priv) // bob signs alice's direction
	if err := g.AddChannelUpdate(forged); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged: %v", err)
	}
	p := basicPolicy
	p.FeeBaseMsat = 7
	if err := g.AddChannelUpdate(update(t, s, alice, bob, 100, p)); err != nil {
		t.Fatal(err)
	}
	for _, ts := range []uint32{100, 99} {
		if err := g.AddChannelUpdate(update(t, s, alice, bob, ts, basicPolicy)); !errors.Is(err, ErrStale) {
			t.Fatalf("timestamp %d: %v", ts, err)
		}
	}
	p.FeeBaseMsat, p.Disabled = 9, true
	if err := g.ApplyFailureUpdate(update(t, s, alice, bob, 101, p)); err != nil {
		t.Fatal(err)
	}
	other := update(t, s, alice, bob, 200, basicPolicy)
	other.ChainHash = otherChain
	if err := g.AddChannelUpdate(other); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("other chain: %v", err)
	}
	c, _ := g.Channel(s)
	d := 0
	if c.Node1 != alice.id() {
		d = 1
	}
	if got := c.Policies[d]; got == nil || got.FeeBaseMsat != 9 || !got.Disabled || got.Timestamp != 101 {
		t.Fatalf("alice's policy %+v", got)
	}
	if c.Policies[1-d] != nil {
		t.Fatal("bob's direction was set by alice's updates")
	}
}

// TestNodeAnnouncementRules: only for nodes with a channel, signed by the
// node, newer than the last.
func TestNodeAnnouncementRules(t *testing.T) {
	g := mustNew(t, store.NewMemory())
	alice, bob := newKey("alice"), newKey("bob")
	if err := g.AddNodeAnnouncement(nodeAnn(t, alice, 10, "alice")); !errors.Is(err, ErrUnknownNode) || !strings.Contains(err.Error(), alice.pub.String()) {
		t.Fatalf("no channel yet: %v", err)
	}
	if err := g.AddChannelAnnouncement(announce(t, scid(t, 5, 5), alice, bob)); err != nil {
		t.Fatal(err)
	}
	bad := nodeAnn(t, alice, 10, "alice")
	bad.Signature = signHash(t, bad, bob.priv)
	if err := g.AddNodeAnnouncement(bad); !errors.Is(err, ErrBadSignature) {
		t.Fatalf("bob signing for alice: %v", err)
	}
	if err := g.AddNodeAnnouncement(nodeAnn(t, alice, 10, "alice")); err != nil {
		t.Fatal(err)
	}
	if err := g.AddNodeAnnouncement(nodeAnn(t, alice, 10, "again")); !errors.Is(err, ErrStale) {
		t.Fatalf("same timestamp: %v", err)
	}
	n, _ := g.Node(alice.id())
	if n.Alias != "alice" || n.Timestamp != 10 || n.Color != (lnwire.RGBColor{1, 2, 3}) {
		t.Fatalf("node %+v", n)
	}
}

// TestNodeAddressesFiltered: BOLT 7's receiver rules on addresses (port
// 0, Tor v2, a second hostname) decide what the graph keeps.
func TestNodeAddressesFiltered(t *testing.T) {
	g := mustNew(t, store.NewMemory())
	alice, bob := newKey("alice"), newKey("bob")
	must(t, g.AddChannelAnnouncement(announce(t, scid(t, 5, 5), alice, bob)))
	good := lnwire.NewIPAddress(netip.MustParseAddrPort("10.0.0.1:9735"))
	dns1, err1 := lnwire.NewDNSAddress("a.example", 9735)
	dns2, err2 := lnwire.NewDNSAddress("b.example", 9735)
	must(t, errors.Join(err1, err2))
	m := nodeAnn(t, alice, 1, "alice")
	m.Addresses = []lnwire.NetAddress{
		lnwire.NewIPAddress(netip.MustParseAddrPort("10.0.0.2:0")),
		good,
		{Type: lnwire.AddressTorV2, Addr: make([]byte, 10), Port: 9735},
		dns1, dns2,
	}
	m.Signature = signHash(t, m, alice.priv)
	must(t, g.AddNodeAnnouncement(m))
	n, _ := g.Node(alice.id())
	if !reflect.DeepEqual(n.Addresses, []lnwire.NetAddress{good, dns1}) {
		t.Fatalf("kept %v", n.Addresses)
	}
}

// TestUnknownRequiredFeatures: an unknown even bit marks the node as not
// to be routed through (BOLT 7), a known or odd one does not.
func TestUnknownRequiredFeatures(t *testing.T) {
	for bit, want := range map[lnwire.FeatureBit]bool{
		lnwire.PaymentSecretRequired: false, 101: false, 100: true,
	} {
		if got := hasUnknownRequired(lnwire.NewFeatureVector(bit)); got != want {
			t.Errorf("bit %d: %v, want %v", bit, got, want)
		}
	}
}

// TestGraphFull: once MaxChannels channels are held, a new valid
// announcement is refused rather than grow memory further.
func TestGraphFull(t *testing.T) {
	if testing.Short() {
		t.Skip("fills the graph")
	}
	g := newEmpty(store.NewMemory(), testChain)
	for i := 0; i < MaxChannels; i++ {
		g.addTestChannel(lnwire.ShortChannelID(i+1), nid(i%1000), nid(1000+i/1000), 0, nil, nil)
	}
	err := g.AddChannelAnnouncement(announce(t, scid(t, 900000, 1), newKey("alice"), newKey("bob")))
	if !errors.Is(err, ErrFull) || g.NumChannels() != MaxChannels {
		t.Fatalf("got %v with %d channels", err, g.NumChannels())
	}
}
