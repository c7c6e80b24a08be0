package graph

import (
	"errors"
	"reflect"
	"testing"
	"time"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// TestPrune: a channel goes when its older direction is more than two
// weeks old (or was never updated), its nodes when they have no channel
// left; what remains is intact, routable and persisted.
func TestPrune(t *testing.T) {
	now := testNow
	fresh := uint32(now.Add(-time.Hour).Unix())
	old := uint32(now.Add(-StaleAfter - time.Second).Unix())
	edge := uint32(now.Add(-StaleAfter).Unix())
	at := func(ts uint32) *Policy { p := *pol(1, 1, 10); p.Timestamp = ts; return &p }
	st := store.NewMemory()
	g := mustNew(t, st)
	g.addTestChannel(1, nid(1), nid(2), 0, at(fresh), at(fresh)) // kept
	g.addTestChannel(2, nid(2), nid(3), 0, at(fresh), at(old))   // one side stale
	g.addTestChannel(3, nid(3), nid(4), 0, at(fresh), nil)       // one side never updated
	g.addTestChannel(4, nid(2), nid(5), 0, nil, nil)             // never updated
	g.addTestChannel(5, nid(1), nid(6), 0, at(edge), at(fresh))  // exactly two weeks: kept
	g.nodes[g.nodeIdx[nid(4)]].info = &nodeInfo{ts: 1}
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	if n := g.Prune(now); n != 3 {
		t.Fatalf("pruned %d channels, want 3", n)
	}
	if got := g.KnownSCIDs(); !reflect.DeepEqual(got, []lnwire.ShortChannelID{1, 5}) {
		t.Fatalf("left %v", got)
	}
	if g.NumNodes() != 3 {
		t.Fatalf("%d nodes left, want 1, 2 and 6", g.NumNodes())
	}
	for _, n := range []int{3, 4, 5} {
		if _, ok := g.Node(nid(n)); ok {
			t.Fatalf("node %d survived without channels", n)
		}
	}
	if got := g.NodeChannels(nid(1)); !reflect.DeepEqual(got, []lnwire.ShortChannelID{1, 5}) {
		t.Fatalf("node 1's channels after the rebuild: %v", got)
	}
	if _, err := g.FindRoute(RouteRequest{Source: nid(2), Target: nid(6), AmountMsat: 1000, Height: 1}, nil, now); err != nil {
		t.Fatalf("route over the rebuilt graph: %v", err)
	}
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	again := mustNew(t, st)
	if got := again.KnownSCIDs(); !reflect.DeepEqual(got, []lnwire.ShortChannelID{1, 5}) || again.NumNodes() != 3 {
		t.Fatalf("reloaded after prune: %v, %d nodes", got, again.NumNodes())
	}
	if g.Prune(now) != 0 {
		t.Fatal("a second prune found more")
	}
}

// TestRemoveChannel forgets one closed channel.
func TestRemoveChannel(t *testing.T) {
	g := newEmpty(store.NewMemory(), testChain)
	g.addTestChannel(1, nid(1), nid(2), 0, nil, nil)
	g.addTestChannel(2, nid(2), nid(3), 0, nil, nil)
	if !g.RemoveChannel(1) || g.RemoveChannel(1) {
		t.Fatal("RemoveChannel did not report what it removed")
	}
	if g.NumChannels() != 1 || g.NumNodes() != 2 {
		t.Fatalf("%d channels, %d nodes", g.NumChannels(), g.NumNodes())
	}
	if err := g.SetCapacity(1, 1000); !errors.Is(err, ErrUnknownChannel) {
		t.Fatalf("capacity of a removed channel: %v", err)
	}
	if err := g.SetCapacity(2, maxCapacitySat+1); !errors.Is(err, ErrInvalid) {
		t.Fatalf("capacity beyond all bitcoin: %v", err)
	}
}
