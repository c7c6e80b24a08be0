package graph

import (
	"errors"
	"net/netip"
	"reflect"
	"testing"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// countingStore counts Update transactions and can be made to fail them.
type countingStore struct {
	store.Store
	updates int
	fail    bool
}

func (c *countingStore) Update(fn func(store.Tx) error) error {
	c.updates++
	if c.fail {
		return errors.New("disk on fire")
	}
	return c.Store.Update(fn)
}

// buildSigned fills g through the public API: three channels among four
// nodes, updates in both directions, and two node announcements.
func buildSigned(t *testing.T, g *Graph) {
	t.Helper()
	k := []testKey{newKey("a"), newKey("b"), newKey("c"), newKey("d")}
	for i, pair := range [][2]int{{0, 1}, {1, 2}, {2, 3}} {
		s := scid(t, 600000+uint32(i), 1)
		a, b := k[pair[0]], k[pair[1]]
		if err := g.AddChannelAnnouncement(announce(t, s, a, b)); err != nil {
			t.Fatal(err)
		}
		p := basicPolicy
		p.FeeBaseMsat = uint32(i)
		for _, u := range []*lnwire.ChannelUpdate{update(t, s, a, b, 1000, p), update(t, s, b, a, 1001, basicPolicy)} {
			if err := g.AddChannelUpdate(u); err != nil {
				t.Fatal(err)
			}
		}
	}
	na := nodeAnn(t, k[0], 5, "node a")
	na.Features = lnwire.NewFeatureBytes(lnwire.NewFeatureVector(lnwire.PaymentSecretRequired, 100))
	ip := lnwire.NewIPAddress(netip.MustParseAddrPort("10.1.2.3:9735"))
	dns, err := lnwire.NewDNSAddress("ln.example.org", 9735)
	if err != nil {
		t.Fatal(err)
	}
	na.Addresses = []lnwire.NetAddress{ip, dns}
	na.Signature = signHash(t, na, k[0].priv)
	for _, m := range []*lnwire.NodeAnnouncement{na, nodeAnn(t, k[2], 6, "node c")} {
		if err := g.AddNodeAnnouncement(m); err != nil {
			t.Fatal(err)
		}
	}
}

// snapshot is everything the graph exposes, for comparing two graphs.
func snapshot(g *Graph) (chans []*Channel, nodes []*Node, noTransit map[[33]byte]bool) {
	noTransit = map[[33]byte]bool{}
	for _, s := range g.KnownSCIDs() {
		c, _ := g.Channel(s)
		chans = append(chans, c)
		for _, id := range [][33]byte{c.Node1, c.Node2} {
			n, _ := g.Node(id)
			nodes = append(nodes, n)
			noTransit[id] = g.nodes[g.nodeIdx[id]].noTransit
		}
	}
	return chans, nodes, noTransit
}

// TestPersistRoundTrip: a graph reopened from its store after Flush is
// the same graph, and nothing reaches the store before Flush.
func TestPersistRoundTrip(t *testing.T) {
	st := &countingStore{Store: store.NewMemory()}
	g := mustNew(t, st)
	buildSigned(t, g)
	if st.updates != 0 || g.Unflushed() != 5 {
		t.Fatalf("%d store updates and %d unflushed before Flush", st.updates, g.Unflushed())
	}
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	if st.updates != 1 || g.Unflushed() != 0 {
		t.Fatalf("Flush took %d updates, left %d", st.updates, g.Unflushed())
	}
	again := mustNew(t, st)
	c1, n1, f1 := snapshot(g)
	c2, n2, f2 := snapshot(again)
	if !reflect.DeepEqual(c1, c2) || !reflect.DeepEqual(n1, n2) || !reflect.DeepEqual(f1, f2) {
		t.Fatalf("reloaded graph differs:\n%+v\n%+v\n%v\n%v", c1, c2, f1, f2)
	}
	a, _ := again.Node(newKey("a").id())
	if len(c2) != 3 || a.Alias != "node a" || len(a.Addresses) != 2 || a.Addresses[1].String() != "ln.example.org:9735" || !f2[a.ID] {
		t.Fatalf("reloaded graph lacks data: %+v %+v", c2, a)
	}
}

// TestFlushFailureKeepsChanges: a failed Flush leaves the changes for the
// next one.
func TestFlushFailureKeepsChanges(t *testing.T) {
	st := &countingStore{Store: store.NewMemory()}
	g := mustNew(t, st)
	buildSigned(t, g)
	st.fail = true
	if err := g.Flush(); err == nil {
		t.Fatal("Flush hid a store failure")
	}
	if g.Unflushed() != 5 {
		t.Fatalf("%d changes left after a failed Flush", g.Unflushed())
	}
	st.fail = false
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	if again := mustNew(t, st); again.NumChannels() != 3 {
		t.Fatalf("%d channels after the retried Flush", again.NumChannels())
	}
}

// TestPersistOtherChain: a store holding another chain's graph is refused.
func TestPersistOtherChain(t *testing.T) {
	st := store.NewMemory()
	g := mustNew(t, st)
	buildSigned(t, g)
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	if _, err := New(st, otherChain); !errors.Is(err, ErrWrongChain) {
		t.Fatalf("got %v", err)
	}
}

// TestPersistSkipsCorruptRecords: a record that does not decode is left
// out (and deleted on the next Flush) rather than failing the node.
func TestPersistSkipsCorruptRecords(t *testing.T) {
	st := store.NewMemory()
	g := mustNew(t, st)
	buildSigned(t, g)
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	bad := []byte{0, 0, 0, 0, 0, 0, 0, 9}
	err := st.Update(func(tx store.Tx) error { return tx.Put(bucketChans, bad, []byte("junk")) })
	if err != nil {
		t.Fatal(err)
	}
	again := mustNew(t, st)
	if again.NumChannels() != 3 || again.Unflushed() != 1 {
		t.Fatalf("%d channels, %d to delete", again.NumChannels(), again.Unflushed())
	}
	if err := again.Flush(); err != nil {
		t.Fatal(err)
	}
	_ = st.View(func(tx store.Tx) error {
		if v, _ := tx.Get(bucketChans, bad); v != nil {
			t.Fatal("the corrupt record survived the Flush")
		}
		return nil
	})
}
