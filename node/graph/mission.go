package graph

import (
	"math"
	"sync"
	"time"

	"lnwasm/node/lnwire"
)

// The probability model, after lnd's a priori estimator: an untried hop
// succeeds with aprioriHopProbability, less when the amount takes more
// than half of what the channel can hold; a failure drops the pair to 0
// for that amount and above, recovering with penaltyHalfLife (to 75% of
// the a priori value after an hour); a success lifts it towards
// successProbability for that amount and below, fading the same way.
const (
	aprioriHopProbability = 0.6
	successProbability    = 0.95
	penaltyHalfLife       = 30 * time.Minute
	// forgetAfter is when a result no longer says anything and may be
	// dropped to make room.
	forgetAfter     = 24 * time.Hour
	maxMissionPairs = 20_000
	maxMissionNodes = 5_000
)

// pairKey is a directed node pair. Results are kept per pair, not per
// channel, as lnd does: a node may forward over any of its channels to the
// next node (non-strict forwarding), so what failed is its liquidity
// towards that node.
type pairKey struct{ from, to [33]byte }

// pairHistory is what attempts taught about one pair.
type pairHistory struct {
	failAmt uint64 // smallest amount known to fail, if failAt is set
	failAt  time.Time
	okAmt   uint64 // largest amount known to pass, if okAt is set
	okAt    time.Time
}

// last is the time of the newest result.
func (h pairHistory) last() time.Time {
	if h.failAt.After(h.okAt) {
		return h.failAt
	}
	return h.okAt
}

// Mission is "mission control": what past payment attempts taught about
// the network, used by FindRoute to steer away from what failed. It lives
// in memory only (results fade within hours, so there is little to
// persist) and is safe for concurrent use.
type Mission struct {
	mu    sync.Mutex
	pairs map[pairKey]pairHistory
	nodes map[[33]byte]time.Time
}

// NewMission returns a Mission that knows nothing yet.
func NewMission() *Mission {
	return &Mission{pairs: map[pairKey]pairHistory{}, nodes: map[[33]byte]time.Time{}}
}

// ReportFailure records that from could not forward amountMsat to to (a
// temporary_channel_failure and the like). scid is accepted for the
// caller's convenience; the result applies to the pair, see pairKey.
func (m *Mission) ReportFailure(from, to [33]byte, scid lnwire.ShortChannelID, amountMsat uint64, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := pairKey{from, to}
	h := m.pairs[k]
	h.failAmt, h.failAt = amountMsat, now
	if !h.okAt.IsZero() && h.okAmt >= amountMsat { // what passed before no longer does
		if amountMsat == 0 {
			h.okAt = time.Time{}
		} else {
			h.okAmt = amountMsat - 1
		}
	}
	m.putPair(k, h, now)
}

// ReportSuccess records that from forwarded amountMsat to to.
func (m *Mission) ReportSuccess(from, to [33]byte, scid lnwire.ShortChannelID, amountMsat uint64, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := pairKey{from, to}
	h := m.pairs[k]
	if h.okAt.IsZero() || amountMsat > h.okAmt {
		h.okAmt = amountMsat
	}
	h.okAt = now
	if !h.failAt.IsZero() && h.failAmt <= amountMsat { // liquidity came back
		if amountMsat == math.MaxUint64 {
			h.failAt = time.Time{}
		} else {
			h.failAmt = amountMsat + 1
		}
	}
	m.putPair(k, h, now)
}

// ReportNodeFailure records that node failed as a whole (a node-level
// onion failure): every pair into or out of it is penalized.
func (m *Mission) ReportNodeFailure(node [33]byte, now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.nodes[node]; !ok && len(m.nodes) >= maxMissionNodes {
		var oldest [33]byte
		var at time.Time
		for k, t := range m.nodes {
			if at.IsZero() || t.Before(at) {
				oldest, at = k, t
			}
		}
		delete(m.nodes, oldest)
	}
	m.nodes[node] = now
}

// putPair stores h, first forgetting old results, then the oldest one, if
// the map is at its bound. The caller holds mu.
func (m *Mission) putPair(k pairKey, h pairHistory, now time.Time) {
	if _, ok := m.pairs[k]; !ok && len(m.pairs) >= maxMissionPairs {
		var oldest pairKey
		var at time.Time
		for pk, ph := range m.pairs {
			if now.Sub(ph.last()) > forgetAfter {
				delete(m.pairs, pk)
			} else if at.IsZero() || ph.last().Before(at) {
				oldest, at = pk, ph.last()
			}
		}
		if len(m.pairs) >= maxMissionPairs {
			delete(m.pairs, oldest)
		}
	}
	m.pairs[k] = h
}

// Probability estimates that from forwards amountMsat to to over a channel
// of capacityMsat (0: unknown) at now.
func (m *Mission) Probability(from, to [33]byte, scid lnwire.ShortChannelID, amountMsat, capacityMsat uint64, now time.Time) float64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	h, ok := m.pairs[pairKey{from, to}]
	var hp *pairHistory
	if ok {
		hp = &h
	}
	p := estimate(apriori(amountMsat, capacityMsat), hp, amountMsat, now)
	return p * nodePenalty(m.nodes[from], now) * nodePenalty(m.nodes[to], now)
}

// apriori is the probability of an untried hop: aprioriHopProbability up to
// half the capacity, falling linearly to 0 at the capacity, where the
// channel reserve makes success impossible.
func apriori(amt, capacity uint64) float64 {
	if capacity == 0 {
		return aprioriHopProbability
	}
	if amt >= capacity {
		return 0
	}
	f := float64(amt) / float64(capacity)
	if f <= 0.5 {
		return aprioriHopProbability
	}
	return aprioriHopProbability * (1 - f) / 0.5
}

// estimate adjusts p by a pair's history for amt.
func estimate(p float64, h *pairHistory, amt uint64, now time.Time) float64 {
	if h == nil {
		return p
	}
	if !h.okAt.IsZero() && amt <= h.okAmt {
		w := fade(now.Sub(h.okAt))
		p = p*(1-w) + successProbability*w
	}
	if !h.failAt.IsZero() && amt >= h.failAmt {
		p *= 1 - fade(now.Sub(h.failAt))
	}
	return p
}

// nodePenalty is the factor a node failure at t leaves at now (1: none).
func nodePenalty(t, now time.Time) float64 {
	if t.IsZero() {
		return 1
	}
	return 1 - fade(now.Sub(t))
}

// fade is the weight a result of age d still has: 1 when fresh, halving
// every penaltyHalfLife.
func fade(d time.Duration) float64 {
	if d <= 0 {
		return 1
	}
	return math.Exp2(-float64(d) / float64(penaltyHalfLife))
}

// missionView is a Mission's results keyed by a search's node indices, so
// that the search's inner loop hashes two int32s instead of 66 bytes.
type missionView struct {
	pairs map[uint64]pairHistory
	nodes map[int32]time.Time
	now   time.Time
}

// view snapshots the results among nodes that index resolves; nil when
// there are none, which lets the search skip lookups entirely.
func (m *Mission) view(index func([33]byte) (int32, bool), now time.Time) *missionView {
	if m == nil {
		return nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	v := &missionView{pairs: map[uint64]pairHistory{}, nodes: map[int32]time.Time{}, now: now}
	for k, h := range m.pairs {
		a, ok1 := index(k.from)
		b, ok2 := index(k.to)
		if ok1 && ok2 {
			v.pairs[pairIndex(a, b)] = h
		}
	}
	for id, t := range m.nodes {
		if i, ok := index(id); ok {
			v.nodes[i] = t
		}
	}
	if len(v.pairs) == 0 && len(v.nodes) == 0 {
		return nil
	}
	return v
}

// pairIndex packs a directed pair of node indices into a map key.
func pairIndex(from, to int32) uint64 { return uint64(uint32(from))<<32 | uint64(uint32(to)) }

// adjust is estimate and the node penalties for the pair from → to.
func (v *missionView) adjust(from, to int32, amt uint64, p float64) float64 {
	if v == nil {
		return p
	}
	if h, ok := v.pairs[pairIndex(from, to)]; ok {
		p = estimate(p, &h, amt, v.now)
	}
	if len(v.nodes) > 0 {
		p *= nodePenalty(v.nodes[from], v.now) * nodePenalty(v.nodes[to], v.now)
	}
	return p
}
