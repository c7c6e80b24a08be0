package graph

import (
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

var testNow = time.Unix(1_700_000_000, 0)

// pol is a policy with the given fee and delta that carries up to 1 BTC.
func pol(base, prop uint32, delta uint16) *Policy {
	return &Policy{FeeBaseMsat: base, FeeProportionalMillionths: prop, CLTVExpiryDelta: delta, HTLCMinimumMsat: 1, HTLCMaximumMsat: 100_000_000_000}
}

// TestBOLT7RoutingExample is the "Routing Example" of BOLT 7: A pays C
// 4,999,999 msat through B (cheaper than through D); C asks for a final
// delta of 18 (the example's shadow route is not added).
func TestBOLT7RoutingExample(t *testing.T) {
	g := newEmpty(store.NewMemory(), testChain)
	A, B, C, D := nid(1), nid(2), nid(3), nid(4)
	a, b, c, d := pol(100, 1000, 10), pol(200, 2000, 20), pol(300, 3000, 30), pol(400, 4000, 40)
	g.addTestChannel(1, A, B, 0, a, b)
	g.addTestChannel(2, A, D, 0, a, d)
	g.addTestChannel(3, B, C, 0, b, c)
	g.addTestChannel(4, D, C, 0, d, c)
	const h = 800_000
	r, err := g.FindRoute(RouteRequest{Source: A, Target: C, AmountMsat: 4_999_999, FinalCLTVDelta: 18, Height: h}, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := &Route{
		Hops: []Hop{
			{NodeID: B, SCID: 1, AmountMsat: 4_999_999, OutgoingCLTV: h + 18},
			{NodeID: C, SCID: 3, AmountMsat: 4_999_999, OutgoingCLTV: h + 18},
		},
		TotalAmountMsat: 5_010_198, TotalCLTV: h + 20 + 18, FeeMsat: 10_199,
	}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("route\n%+v\nwant\n%+v", r, want)
	}
}

// TestThreeHopAmounts checks every number of a three-hop route whose first
// channel is a local edge:
//
//	B→T: fee 500 + 1,000,000*2000/1e6 = 2,500; B receives 1,002,500
//	A→B: fee 1000 + 1,002,500*100/1e6 = 1,100 (100.25 rounded down);
//	     A receives 1,003,600, cltv 18+144+40 = 202
func TestThreeHopAmounts(t *testing.T) {
	g := newEmpty(store.NewMemory(), testChain)
	S, A, B, T := nid(1), nid(2), nid(3), nid(4)
	g.addTestChannel(2, A, B, 0, pol(1000, 100, 40), pol(1, 1, 1))
	g.addTestChannel(3, B, T, 0, pol(500, 2000, 144), pol(1, 1, 1))
	local := []Edge{{From: S, To: A, SCID: 1, CapacityMsat: 10_000_000}}
	const h = 800_000
	r, err := g.FindRoute(RouteRequest{Source: S, Target: T, AmountMsat: 1_000_000, FinalCLTVDelta: 18, Height: h, LocalEdges: local}, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	want := &Route{
		Hops: []Hop{
			{NodeID: A, SCID: 1, AmountMsat: 1_002_500, OutgoingCLTV: h + 162},
			{NodeID: B, SCID: 2, AmountMsat: 1_000_000, OutgoingCLTV: h + 18},
			{NodeID: T, SCID: 3, AmountMsat: 1_000_000, OutgoingCLTV: h + 18},
		},
		TotalAmountMsat: 1_003_600, TotalCLTV: h + 202, FeeMsat: 3_600,
	}
	if !reflect.DeepEqual(r, want) {
		t.Fatalf("route\n%+v\nwant\n%+v", r, want)
	}
}

// diamond is S with channels to A (scid 1) and B (scid 2), both with
// channels to T: A→T (scid 3) cheap, B→T (scid 4) expensive.
func diamond() (g *Graph, S, A, B, T [33]byte) {
	g = newEmpty(store.NewMemory(), testChain)
	S, A, B, T = nid(1), nid(2), nid(3), nid(4)
	g.addTestChannel(1, S, A, 0, pol(0, 0, 10), pol(0, 0, 10))
	g.addTestChannel(2, S, B, 0, pol(0, 0, 10), pol(0, 0, 10))
	g.addTestChannel(3, A, T, 0, pol(0, 10, 40), pol(0, 10, 40))
	g.addTestChannel(4, B, T, 0, pol(5000, 1000, 40), pol(5000, 1000, 40))
	return
}

// via is the second node of a route.
func via(t *testing.T, g *Graph, req RouteRequest, mc *Mission, now time.Time) [33]byte {
	t.Helper()
	r, err := g.FindRoute(req, mc, now)
	if err != nil {
		t.Fatal(err)
	}
	return r.Hops[0].NodeID
}

// TestEdgeLimits: each limit on the cheap A→T channel sends the payment
// through B instead, and the unrestricted diamond goes through A.
func TestEdgeLimits(t *testing.T) {
	const amt = 50_000_000
	for _, tc := range []struct {
		name  string
		limit func(g *Graph)
		want  int
	}{
		{"none", func(*Graph) {}, 2},
		{"htlc_maximum below the amount", func(g *Graph) { g.policy(3, 2).htlcMax = amt - 1 }, 3},
		{"htlc_minimum above the amount", func(g *Graph) { g.policy(3, 2).htlcMin = amt + 1 }, 3},
		{"capacity below the amount", func(g *Graph) { _ = g.SetCapacity(3, amt/1000-1) }, 3},
		{"htlc_maximum above capacity", func(g *Graph) { _ = g.SetCapacity(3, 100_000) }, 3},
		{"disabled", func(g *Graph) { g.policy(3, 2).disabled = true }, 3},
		{"no update in that direction", func(g *Graph) { *g.policy(3, 2) = policyRec{} }, 3},
		{"excluded", nil, 3},
		{"unknown required channel feature", func(g *Graph) { g.chans[g.chanIdx[3]].noRoute = true }, 3},
		{"node requires unknown feature", func(g *Graph) { g.nodes[g.nodeIdx[nid(2)]].noTransit = true }, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			g, S, _, _, T := diamond()
			req := RouteRequest{Source: S, Target: T, AmountMsat: amt, FinalCLTVDelta: 18, Height: 100}
			if tc.limit == nil {
				req.Exclude = map[lnwire.ShortChannelID]bool{3: true}
			} else {
				tc.limit(g)
			}
			if got := via(t, g, req, nil, testNow); got != nid(tc.want) {
				t.Fatalf("went through %x, want node %d", got[:3], tc.want)
			}
		})
	}
}

// policy is the direction of channel s leaving node n (by nid number).
func (g *Graph) policy(s lnwire.ShortChannelID, n int) *policyRec {
	c := &g.chans[g.chanIdx[s]]
	if c.n[0] == g.nodeIdx[nid(n)] {
		return &c.pol[0]
	}
	return &c.pol[1]
}

// TestLocalEdgesReplaceGraph: with LocalEdges, the source's graph channels
// are not used (their balance is unknown to the graph, ours is not).
func TestLocalEdgesReplaceGraph(t *testing.T) {
	g, S, _, B, T := diamond()
	local := []Edge{{From: S, To: B, SCID: 2, CapacityMsat: 1_000_000_000}}
	req := RouteRequest{Source: S, Target: T, AmountMsat: 1000, Height: 1, LocalEdges: local}
	if got := via(t, g, req, nil, testNow); got != B {
		t.Fatalf("went through %x, not the only local channel", got[:3])
	}
}

// TestRouteHintToPrivateTarget: P is not in the graph; the invoice's hint
// B→P (scid 9) reaches it, and the hint's fee is paid to B.
func TestRouteHintToPrivateTarget(t *testing.T) {
	g, S, _, B, _ := diamond()
	P := nid(9)
	hint := []Edge{{From: B, To: P, SCID: 9, Policy: Policy{FeeBaseMsat: 1000, FeeProportionalMillionths: 1000, CLTVExpiryDelta: 80}}}
	req := RouteRequest{Source: S, Target: P, AmountMsat: 2_000_000, FinalCLTVDelta: 18, Height: 100, Hints: [][]Edge{hint}}
	r, err := g.FindRoute(req, nil, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Hops) != 2 || r.Hops[0].NodeID != B || r.Hops[1].NodeID != P || r.Hops[1].SCID != 9 {
		t.Fatalf("route %+v", r)
	}
	// B charges 1000 + 2,000,000*1000/1e6 = 3000 and adds 80 blocks.
	if r.FeeMsat != 3000 || r.TotalCLTV != 100+18+80 || r.Hops[0].AmountMsat != 2_000_000 {
		t.Fatalf("fee %d, cltv %d, hop %+v", r.FeeMsat, r.TotalCLTV, r.Hops[0])
	}
	req.Hints = nil
	if _, err := g.FindRoute(req, nil, testNow); !errors.Is(err, ErrNoRoute) || !strings.Contains(err.Error(), "no route hint") {
		t.Fatalf("without the hint: %v", err)
	}
}

// TestFailedChannelAvoided: after A fails to forward to T, the retry goes
// through B; once the failure has faded the cheap path comes back.
func TestFailedChannelAvoided(t *testing.T) {
	g, S, A, B, T := diamond()
	mc := NewMission()
	req := RouteRequest{Source: S, Target: T, AmountMsat: 10_000_000, FinalCLTVDelta: 18, Height: 100}
	if got := via(t, g, req, mc, testNow); got != A {
		t.Fatal("the first try does not take the cheap path")
	}
	mc.ReportFailure(A, T, 3, req.AmountMsat, testNow)
	if got := via(t, g, req, mc, testNow.Add(time.Second)); got != B {
		t.Fatal("the retry goes through the pair that just failed")
	}
	if got := via(t, g, req, mc, testNow.Add(6*time.Hour)); got != A {
		t.Fatal("the failure never fades")
	}
	mc.ReportNodeFailure(A, testNow.Add(6*time.Hour))
	if got := via(t, g, req, mc, testNow.Add(6*time.Hour+time.Second)); got != B {
		t.Fatal("a failed node is still used")
	}
}

// TestNoRoute covers ErrNoRoute and the reason it gives.
func TestNoRoute(t *testing.T) {
	g, S, _, _, T := diamond()
	base := RouteRequest{Source: S, Target: T, AmountMsat: 10_000_000, FinalCLTVDelta: 18, Height: 100}
	for _, tc := range []struct {
		name   string
		change func(r *RouteRequest)
		reason string
	}{
		{"unknown target", func(r *RouteRequest) { r.Target = nid(77) }, "not in the graph"},
		{"unknown source", func(r *RouteRequest) { r.Source = nid(78) }, "has no channels"},
		{"local channels too small", func(r *RouteRequest) {
			r.LocalEdges = []Edge{{From: S, To: nid(2), SCID: 1, CapacityMsat: r.AmountMsat - 1}}
		}, "no local channel"},
		{"fee limit", func(r *RouteRequest) { r.MaxFeeMsat = 1 }, "fee limit"},
		{"hop limit", func(r *RouteRequest) { r.MaxHops = 1 }, "hop limit"},
		{"cltv limit", func(r *RouteRequest) { r.MaxCLTV = 50 }, "CLTV limit"},
		{"final delta over the limit", func(r *RouteRequest) { r.Target, r.FinalCLTVDelta = nid(2), DefaultMaxCLTV+1 }, "CLTV limit"},
		{"too large", func(r *RouteRequest) { r.AmountMsat = 200_000_000_000 }, "htlc limits"},
		{"all excluded", func(r *RouteRequest) { r.Exclude = map[lnwire.ShortChannelID]bool{3: true, 4: true} }, "no path"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := base
			tc.change(&req)
			_, err := g.FindRoute(req, nil, testNow)
			if !errors.Is(err, ErrNoRoute) || !strings.Contains(err.Error(), tc.reason) {
				t.Fatalf("got %v, want ErrNoRoute saying %q", err, tc.reason)
			}
		})
	}
}

// TestBadRequests are caller mistakes, not missing routes.
func TestBadRequests(t *testing.T) {
	g, S, A, _, T := diamond()
	for name, req := range map[string]RouteRequest{
		"zero amount":        {Source: S, Target: T},
		"to itself":          {Source: S, Target: S, AmountMsat: 1},
		"foreign local edge": {Source: S, Target: T, AmountMsat: 1, LocalEdges: []Edge{{From: A, To: T}}},
	} {
		if _, err := g.FindRoute(req, nil, testNow); err == nil || errors.Is(err, ErrNoRoute) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestFeeOverflow: a proportional fee that would overflow 64 bits makes
// the edge unusable instead of wrapping around to a tiny fee.
func TestFeeOverflow(t *testing.T) {
	if _, ok := feeMsat(0, ^uint32(0), 1<<62); ok {
		t.Fatal("overflowing fee accepted")
	}
	if f, ok := feeMsat(7, 1_000_000, 5); !ok || f != 12 {
		t.Fatalf("fee %d %v", f, ok)
	}
}
