package graph

import (
	"encoding/binary"
	"errors"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"testing"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// mainnetLike builds, deterministically from seed, a graph shaped like
// mainnet: node i is chosen as a channel's far end with weight 1/(i+1)
// (Zipf), so a few hubs hold thousands of channels and most nodes one or
// two; every node has at least one channel. Policies and capacities are
// drawn from plausible ranges, with some channels disabled or missing a
// direction.
func mainnetLike(nodes, chans int, seed uint64) (*Graph, [][33]byte) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	ids := make([][33]byte, nodes)
	cum := make([]float64, nodes)
	total := 0.0
	for i := range ids {
		ids[i][0] = 2 + byte(r.IntN(2))
		binary.BigEndian.PutUint64(ids[i][1:], r.Uint64())
		binary.BigEndian.PutUint32(ids[i][9:], uint32(i))
		total += 1 / float64(i+1)
		cum[i] = total
	}
	pick := func() int { return sort.SearchFloat64s(cum, r.Float64()*total) }
	g := newEmpty(store.NewMemory(), testChain)
	for k := 0; k < chans; k++ {
		a := k
		if k >= nodes {
			a = pick()
		}
		b := pick()
		for b == a {
			b = pick()
		}
		// Capacity log-uniform from 20,000 sat to 1 BTC.
		capSat := uint64(math.Exp(math.Log(2e4) + r.Float64()*(math.Log(1e8)-math.Log(2e4))))
		s := lnwire.ShortChannelID(uint64(500_000+k/8)<<40 | uint64(k%8)<<16)
		g.addTestChannel(s, ids[a], ids[b], capSat, randomPolicy(r, capSat), randomPolicy(r, capSat))
	}
	g.dirty = newDirtySet() // as if loaded or flushed: measure the graph at rest
	return g, ids
}

// randomPolicy is one direction's policy, nil for 5% of directions.
func randomPolicy(r *rand.Rand, capSat uint64) *Policy {
	if r.IntN(100) < 5 {
		return nil
	}
	p := &Policy{
		Timestamp:       1_700_000_000,
		Disabled:        r.IntN(100) < 3,
		CLTVExpiryDelta: []uint16{18, 40, 40, 80, 144, 144}[r.IntN(6)],
		HTLCMinimumMsat: []uint64{1, 1000}[r.IntN(2)],
		HTLCMaximumMsat: capSat * 990,
		FeeBaseMsat:     []uint32{0, 0, 1, 1000, 1000, 1000, uint32(r.IntN(5000))}[r.IntN(7)],
	}
	if r.IntN(5) == 0 {
		p.FeeProportionalMillionths = uint32(1 + r.IntN(10))
	} else {
		p.FeeProportionalMillionths = uint32(r.IntN(2500))
	}
	return p
}

const (
	benchNodes = 15_000
	benchChans = 50_000
	benchAmt   = 100_000_000 // 100,000 sat
)

// TestMainnetLikeShape checks the benchmark measures what it claims: the
// sizes, hubs with thousands of channels, a long tail, and routes found
// between most random pairs.
func TestMainnetLikeShape(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 50,000-channel graph")
	}
	g, ids := mainnetLike(benchNodes, benchChans, 1)
	if g.NumNodes() != benchNodes || g.NumChannels() != benchChans {
		t.Fatalf("%d nodes, %d channels", g.NumNodes(), g.NumChannels())
	}
	hub, small := len(g.NodeChannels(ids[0])), 0
	for _, id := range ids {
		if len(g.NodeChannels(id)) <= 2 {
			small++
		}
	}
	if hub < 2000 || small < benchNodes/2 {
		t.Fatalf("largest hub has %d channels; %d nodes have one or two", hub, small)
	}
	r := rand.New(rand.NewPCG(7, 7))
	found := 0
	for i := 0; i < 50; i++ {
		src, dst := ids[r.IntN(benchNodes)], ids[r.IntN(benchNodes)]
		if src == dst {
			continue
		}
		route, err := g.FindRoute(RouteRequest{Source: src, Target: dst, AmountMsat: benchAmt, FinalCLTVDelta: 40, Height: 800_000}, nil, testNow)
		if err == nil {
			found++
			checkRouteConsistent(t, g, route, benchAmt)
		} else if !errors.Is(err, ErrNoRoute) {
			t.Fatal(err)
		}
	}
	if found < 40 {
		t.Fatalf("routes found for %d of 50 random pairs", found)
	}
}

// checkRouteConsistent recomputes every hop of a route from the graph's
// policies: the HTLC into each forwarding node must pay exactly its fee on
// what it forwards and its CLTV delta, and the last node get exactly amt
// with an HTLC matching its payload.
func checkRouteConsistent(t *testing.T, g *Graph, r *Route, amt uint64) {
	t.Helper()
	in, inCLTV := r.TotalAmountMsat, r.TotalCLTV // the HTLC into hop m
	last := len(r.Hops) - 1
	for m, h := range r.Hops[:last] {
		c, _ := g.Channel(r.Hops[m+1].SCID)
		p := c.Policies[0]
		if c.Node2 == h.NodeID {
			p = c.Policies[1]
		}
		fee, _ := feeMsat(p.FeeBaseMsat, p.FeeProportionalMillionths, h.AmountMsat)
		if in != h.AmountMsat+fee || inCLTV != h.OutgoingCLTV+uint32(p.CLTVExpiryDelta) {
			t.Fatalf("hop %d: in %d/%d, forwards %d/%d with fee %d delta %d", m, in, inCLTV, h.AmountMsat, h.OutgoingCLTV, fee, p.CLTVExpiryDelta)
		}
		in, inCLTV = h.AmountMsat, h.OutgoingCLTV
	}
	if f := r.Hops[last]; in != amt || f.AmountMsat != amt || inCLTV != f.OutgoingCLTV || r.FeeMsat != r.TotalAmountMsat-amt {
		t.Fatalf("delivers %d/%d, payload %+v, fee %d", in, inCLTV, f, r.FeeMsat)
	}
}

// BenchmarkFindRouteMainnetSize searches routes of 100,000 sat between
// random nodes of a 15,000-node, 50,000-channel graph, with a Mission
// holding a hundred failures. It reports the graph's heap size.
func BenchmarkFindRouteMainnetSize(b *testing.B) {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	g, ids := mainnetLike(benchNodes, benchChans, 1)
	runtime.GC()
	runtime.ReadMemStats(&after)
	r := rand.New(rand.NewPCG(2, 3))
	mc := NewMission()
	for i := 0; i < 100; i++ {
		mc.ReportFailure(ids[r.IntN(benchNodes)], ids[r.IntN(200)], 0, benchAmt/2, testNow)
	}
	found, n := 0, 0
	for b.Loop() {
		src, dst := ids[r.IntN(benchNodes)], ids[r.IntN(benchNodes)]
		if src == dst {
			continue
		}
		n++
		_, err := g.FindRoute(RouteRequest{Source: src, Target: dst, AmountMsat: benchAmt, FinalCLTVDelta: 40, Height: 800_000}, mc, testNow)
		if err == nil {
			found++
		} else if !errors.Is(err, ErrNoRoute) {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc), "graph-bytes")
	b.ReportMetric(float64(found)/float64(max(n, 1)), "found/op")
	runtime.KeepAlive(g)
}
