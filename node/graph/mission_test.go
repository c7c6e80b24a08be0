package graph

import (
	"math"
	"testing"
	"time"
)

// TestAprioriFallsWithAmount: flat up to half the capacity, then down to
// nothing at the capacity; unknown capacity is flat.
func TestAprioriFallsWithAmount(t *testing.T) {
	const capMsat = 1_000_000
	last := 1.0
	for _, amt := range []uint64{1, 500_000, 600_000, 900_000, 999_999, 1_000_000} {
		p := apriori(amt, capMsat)
		if p > last || p > aprioriHopProbability {
			t.Fatalf("amount %d: %v after %v", amt, p, last)
		}
		last = p
	}
	if apriori(500_000, capMsat) != aprioriHopProbability || apriori(1_000_000, capMsat) != 0 {
		t.Fatal("wrong end points")
	}
	if apriori(1<<60, 0) != aprioriHopProbability {
		t.Fatal("unknown capacity is not neutral")
	}
}

// TestMissionFailureRecovers: a failed pair is impossible right after the
// failure for that amount and more, untouched below it, and back near its
// a priori value hours later.
func TestMissionFailureRecovers(t *testing.T) {
	m := NewMission()
	a, b := nid(1), nid(2)
	m.ReportFailure(a, b, 7, 1000, testNow)
	if p := m.Probability(a, b, 7, 1000, 0, testNow); p != 0 {
		t.Fatalf("just failed: %v", p)
	}
	if p := m.Probability(a, b, 7, 999, 0, testNow); p != aprioriHopProbability {
		t.Fatalf("smaller amount: %v", p)
	}
	if p := m.Probability(a, b, 7, 1000, 0, testNow.Add(time.Hour)); math.Abs(p-0.75*aprioriHopProbability) > 1e-9 {
		t.Fatalf("an hour later: %v", p)
	}
	if p := m.Probability(b, a, 7, 1000, 0, testNow); p != aprioriHopProbability {
		t.Fatalf("the other direction: %v", p)
	}
	// A success above the failed amount means the liquidity came back.
	m.ReportSuccess(a, b, 7, 2000, testNow)
	if p := m.Probability(a, b, 7, 1500, 0, testNow); p != successProbability {
		t.Fatalf("after a success: %v", p)
	}
	// Extreme amounts do not wrap the bounds around.
	m.ReportFailure(a, b, 7, 0, testNow)
	if h := m.pairs[pairKey{a, b}]; !h.okAt.IsZero() {
		t.Fatalf("a failure at 0 msat left a success up to %d", h.okAmt)
	}
	m.ReportFailure(b, a, 7, 1000, testNow)
	m.ReportSuccess(b, a, 7, math.MaxUint64, testNow)
	if p := m.Probability(b, a, 7, 1, 0, testNow); p != successProbability {
		t.Fatalf("after a success at the maximum: %v", p)
	}
}

// TestMissionNodeFailure penalizes both directions of every pair of the
// node.
func TestMissionNodeFailure(t *testing.T) {
	m := NewMission()
	a, b, c := nid(1), nid(2), nid(3)
	m.ReportNodeFailure(b, testNow)
	if m.Probability(a, b, 1, 10, 0, testNow) != 0 || m.Probability(b, c, 2, 10, 0, testNow) != 0 {
		t.Fatal("a failed node's pairs are not penalized")
	}
	if m.Probability(a, c, 3, 10, 0, testNow) != aprioriHopProbability {
		t.Fatal("an unrelated pair is penalized")
	}
}

// TestMissionBounded: results beyond the bounds evict the oldest.
func TestMissionBounded(t *testing.T) {
	m := NewMission()
	for i := 0; i < maxMissionPairs+10; i++ {
		m.ReportFailure(nid(i%60000), nid(60000+i/60000), 1, 1, testNow.Add(time.Duration(i)))
	}
	for i := 0; i < maxMissionNodes+10; i++ {
		m.ReportNodeFailure(nid(i), testNow.Add(time.Duration(i)))
	}
	if len(m.pairs) != maxMissionPairs || len(m.nodes) != maxMissionNodes {
		t.Fatalf("%d pairs, %d nodes", len(m.pairs), len(m.nodes))
	}
	if _, ok := m.pairs[pairKey{nid(0), nid(60000)}]; ok {
		t.Fatal("the oldest pair was kept")
	}
}
