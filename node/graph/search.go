package graph

import (
	"math"
	"math/bits"
	"time"

	"lnwasm/node/lnwire"
)

// Cost model, after lnd's: a route costs its fees, plus the value of the
// funds it locks (amount × blocks × riskFactor), plus attemptCost divided
// by its success probability, so that a route half as likely to succeed
// costs one more failed attempt.
const (
	// riskFactor is lnd's default of 15 parts per billion per block.
	riskFactor = 15e-9
	// attemptCostMsat and attemptCostPPM are lnd's defaults: 100 sat plus
	// 0.1% of the amount per attempt.
	attemptCostMsat = 100_000
	attemptCostPPM  = 1000
	// minProbability drops paths so unlikely that trying them is waste;
	// it is what keeps a just-failed pair out of the next route.
	minProbability = 1e-4
)

// Label states.
const (
	unseen uint8 = iota
	queued
	settled
)

// label is a node's best known way to the target: the HTLC that must
// reach it (amt, cltv relative to the request's Height) and the edge it
// forwards over (next, to nextNode).
type label struct {
	dist     float64 // the search key: weight + attemptCost/prob
	weight   float64 // fees and lock-up cost, msat
	prob     float64
	amt      uint64
	cltv     uint32
	hops     uint16
	state    uint8
	next     int32 // edge: chan*2+dir in the graph, or -(extra+1)
	nextNode int32
}

// extraEdge is a request's Edge resolved to node indices.
type extraEdge struct {
	from, to int32
	scid     lnwire.ShortChannelID
	pol      policyRec
	maxAmt   uint64 // what the edge can carry
	capMsat  uint64 // for the probability, 0 unknown
	local    bool
}

// skipCounts are why edges were left out, for ErrNoRoute's message.
type skipCounts struct{ limits, fee, cltv, hops, prob int }

// search is one FindRoute. Nodes are the graph's indices, then indices
// from n on for request nodes the graph lacks.
type search struct {
	g         *Graph
	req       *RouteRequest
	n         int32
	extraIDs  [][33]byte
	extraIdx  map[[33]byte]int32
	extras    []extraEdge
	extraIn   map[int32][]int32 // incoming extra edges by node
	src, dst  int32
	localOnly bool
	labels    []label
	heap      minHeap
	mv        *missionView
	attempt   float64
	skips     skipCounts
}

// newSearch resolves the request against the graph; the caller holds the
// read lock.
func (g *Graph) newSearch(req *RouteRequest, mc *Mission, now time.Time) *search {
	s := &search{g: g, req: req, n: int32(len(g.nodes)), extraIdx: map[[33]byte]int32{}, extraIn: map[int32][]int32{}}
	s.src, s.dst = s.index(req.Source), s.index(req.Target)
	s.localOnly = len(req.LocalEdges) > 0
	for _, e := range req.LocalEdges {
		s.addExtra(e, true)
	}
	for _, hint := range req.Hints {
		for _, e := range hint {
			s.addExtra(e, false)
		}
	}
	s.labels = make([]label, int(s.n)+len(s.extraIDs))
	s.mv = mc.view(s.lookup, now)
	s.attempt = attemptCostMsat + float64(req.AmountMsat)*attemptCostPPM/1e6
	return s
}

// lookup finds a node's index without creating one.
func (s *search) lookup(id [33]byte) (int32, bool) {
	if i, ok := s.g.nodeIdx[id]; ok {
		return i, true
	}
	i, ok := s.extraIdx[id]
	return i, ok
}

// index finds or creates a node's index.
func (s *search) index(id [33]byte) int32 {
	if i, ok := s.lookup(id); ok {
		return i
	}
	i := s.n + int32(len(s.extraIDs))
	s.extraIDs = append(s.extraIDs, id)
	s.extraIdx[id] = i
	return i
}

// nodeID is the id of node index i.
func (s *search) nodeID(i int32) [33]byte {
	if i < s.n {
		return s.g.nodes[i].id
	}
	return s.extraIDs[i-s.n]
}

// edgeSCID is the channel of an edge reference.
func (s *search) edgeSCID(ref int32) lnwire.ShortChannelID {
	if ref < 0 {
		return s.extras[-ref-1].scid
	}
	return s.g.chans[ref/2].scid
}

// addExtra adds a request edge, with its amount bound: the policy's
// maximum and the capacity, whichever is set and smaller.
func (s *search) addExtra(e Edge, local bool) {
	p := e.Policy
	x := extraEdge{
		from: s.index(e.From), to: s.index(e.To), scid: e.SCID, local: local, capMsat: e.CapacityMsat,
		maxAmt: math.MaxUint64,
		pol: policyRec{ts: 1, disabled: p.Disabled, cltvDelta: p.CLTVExpiryDelta, htlcMin: p.HTLCMinimumMsat,
			htlcMax: p.HTLCMaximumMsat, feeBase: p.FeeBaseMsat, feeProp: p.FeeProportionalMillionths},
	}
	if p.HTLCMaximumMsat != 0 {
		x.maxAmt = p.HTLCMaximumMsat
	}
	// Our own channel's CapacityMsat is what we can send now, 0 included;
	// a hint's 0 means unknown.
	if local || e.CapacityMsat != 0 {
		x.maxAmt = min(x.maxAmt, e.CapacityMsat)
	}
	s.extras = append(s.extras, x)
	s.extraIn[x.to] = append(s.extraIn[x.to], int32(len(s.extras)-1))
}

// run is Dijkstra from the target back to the source; it reports whether
// the source was reached.
func (s *search) run() bool {
	s.labels[s.dst] = label{amt: s.req.AmountMsat, cltv: s.req.FinalCLTVDelta, prob: 1, state: queued, next: -1, nextNode: -1}
	s.heap.push(s.dst, 0)
	for s.heap.len() > 0 {
		v, d := s.heap.pop()
		lv := &s.labels[v]
		if lv.state == settled || d > lv.dist {
			continue // a stale entry: the node was queued again cheaper
		}
		lv.state = settled
		if v == s.src {
			return true
		}
		s.expand(v)
	}
	return false
}

// expand relaxes every edge into v.
func (s *search) expand(v int32) {
	if v < s.n {
		excl := len(s.req.Exclude) > 0
		for _, ci := range s.g.nodes[v].chans {
			c := &s.g.chans[ci]
			dir, u := 0, c.n[0]
			if u == v {
				dir, u = 1, c.n[1]
			}
			if (u == s.src && s.localOnly) || c.noRoute || (excl && s.req.Exclude[c.scid]) {
				continue
			}
			p := &c.pol[dir]
			capMsat := c.capSat * 1000
			// BOLT 7: if `htlc_maximum_msat` < `htlc_minimum_msat`:
			// SHOULD ignore this channel during route considerations. if
			// `htlc_maximum_msat` is greater than channel capacity: [...]
			// SHOULD ignore this channel during route considerations.
			if p.ts == 0 || p.disabled || p.htlcMax < p.htlcMin || (capMsat != 0 && p.htlcMax > capMsat) {
				continue
			}
			probCap := capMsat
			if probCap == 0 {
				probCap = p.htlcMax // the best bound a light client has
			}
			s.relax(u, v, ci*2+int32(dir), p, p.htlcMax, probCap, false)
		}
	}
	if len(s.extraIn) == 0 {
		return
	}
	for _, ei := range s.extraIn[v] {
		x := &s.extras[ei]
		if x.pol.disabled || s.req.Exclude[x.scid] {
			continue
		}
		s.relax(x.from, v, -ei-1, &x.pol, x.maxAmt, x.capMsat, x.local)
	}
}

// relax offers u the path through the edge ref (u → v) with policy p.
func (s *search) relax(u, v, ref int32, p *policyRec, maxAmt, capMsat uint64, local bool) {
	lu := &s.labels[u]
	if lu.state == settled {
		return
	}
	lv := &s.labels[v]
	a := lv.amt
	if a < p.htlcMin || a > maxAmt {
		s.skips.limits++
		return
	}
	var c label
	var ok bool
	if u == s.src {
		c, ok = s.fromSource(lv, a, capMsat, local)
	} else {
		c, ok = s.forward(u, lv, a, p, capMsat)
	}
	if !ok {
		return
	}
	c.prob = s.mv.adjust(u, v, a, c.prob) * lv.prob
	if c.prob < minProbability {
		s.skips.prob++
		return
	}
	c.dist = c.weight + s.attempt/c.prob
	if lu.state == queued && c.dist >= lu.dist {
		return
	}
	c.state, c.next, c.nextNode = queued, ref, v
	*lu = c
	s.heap.push(u, c.dist)
}

// fromSource is the source's label over its first channel: no fee and no
// CLTV delta, since we do not pay ourselves; our own channels' liquidity is
// known, so their a priori probability is 1.
func (s *search) fromSource(lv *label, a, capMsat uint64, local bool) (label, bool) {
	if int(lv.hops)+1 > s.req.MaxHops {
		s.skips.hops++
		return label{}, false
	}
	if lv.cltv > s.req.MaxCLTV { // only a final delta beyond the limit
		s.skips.cltv++
		return label{}, false
	}
	p := 1.0
	if !local {
		p = apriori(a, capMsat)
	}
	return label{amt: a, cltv: lv.cltv, weight: lv.weight, hops: lv.hops + 1, prob: p}, true
}

// forward is u's label as a forwarding node: the amount grows by u's fee
// and the CLTV by its delta.
//
// BOLT 7 (HTLC Fees): fee_base_msat + ( amount_to_forward *
// fee_proportional_millionths / 1000000 ). [Routing] When building the
// route, amounts and expiries for HTLCs need to be calculated backward
// from the destination to the source.
func (s *search) forward(u int32, lv *label, a uint64, p *policyRec, capMsat uint64) (label, bool) {
	if u < s.n && s.g.nodes[u].noTransit {
		return label{}, false
	}
	if int(lv.hops)+2 > s.req.MaxHops {
		s.skips.hops++
		return label{}, false
	}
	fee, ok := feeMsat(p.feeBase, p.feeProp, a)
	amt := a + fee
	if !ok || amt < a || (s.req.MaxFeeMsat != 0 && amt-s.req.AmountMsat > s.req.MaxFeeMsat) {
		s.skips.fee++
		return label{}, false
	}
	cltv := lv.cltv + uint32(p.cltvDelta)
	if cltv > s.req.MaxCLTV {
		s.skips.cltv++
		return label{}, false
	}
	lock := float64(amt) * float64(p.cltvDelta) * riskFactor
	return label{amt: amt, cltv: cltv, hops: lv.hops + 1, weight: lv.weight + float64(fee) + lock,
		prob: apriori(a, capMsat)}, true
}

// feeMsat is fee_base_msat + amount * fee_proportional_millionths /
// 1000000 in 128-bit arithmetic, false if it does not fit 64 bits.
func feeMsat(base, prop uint32, amt uint64) (uint64, bool) {
	hi, lo := bits.Mul64(amt, uint64(prop))
	if hi >= 1e6 {
		return 0, false
	}
	q, _ := bits.Div64(hi, lo, 1e6)
	f := q + uint64(base)
	return f, f >= q
}
