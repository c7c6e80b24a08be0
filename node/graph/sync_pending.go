package graph

import (
	"time"

	"lnwasm/node/lnwire"
)

// Bounds of the pending set: gossip waiting for its channel_announcement.
// An honest peer sends the announcement within the same burst; a malicious
// one could send endless updates for channels that do not exist, so
// entries expire, and both the count and the bytes kept are capped.
const (
	pendingTTL       = 10 * time.Minute
	maxPendingChans  = 4096
	maxPendingNodes  = 1024
	maxPendingBytes  = 4 << 20
	pendingEntryCost = 256 // fixed part of a message, for the byte budget
	sweepEvery       = time.Minute
)

// pendingUpdates are the newest updates of each direction of one channel.
type pendingUpdates struct {
	msgs [2]*lnwire.ChannelUpdate
	at   time.Time
	cost int
}

// pendingNode is one node_announcement waiting for its node's channel.
type pendingNode struct {
	msg  *lnwire.NodeAnnouncement
	at   time.Time
	cost int
}

// pendingSet holds gossip that arrived before the announcement it depends
// on. Eviction scans for the oldest entry: the maps are small and full
// only under attack.
type pendingSet struct {
	updates   map[lnwire.ShortChannelID]*pendingUpdates
	nodes     map[[33]byte]pendingNode
	bytes     int
	lastSweep time.Time
}

// newPendingSet is an empty pendingSet.
func newPendingSet() pendingSet {
	return pendingSet{updates: map[lnwire.ShortChannelID]*pendingUpdates{}, nodes: map[[33]byte]pendingNode{}}
}

// len is the number of channels and nodes with something kept.
func (p *pendingSet) len() int { return len(p.updates) + len(p.nodes) }

// updateCost estimates the memory an update holds.
func updateCost(m *lnwire.ChannelUpdate) int {
	return pendingEntryCost + tlvBytes(m.Extra)
}

// nodeCost estimates the memory a node_announcement holds.
func nodeCost(m *lnwire.NodeAnnouncement) int {
	n := pendingEntryCost + len(m.Features) + len(m.UnknownAddresses) + tlvBytes(m.Extra)
	for _, a := range m.Addresses {
		n += 32 + len(a.Addr)
	}
	return n
}

// tlvBytes estimates the memory of extension records.
func tlvBytes(r lnwire.TLVRecords) int {
	n := 0
	for _, t := range r {
		n += 32 + len(t.Value)
	}
	return n
}

// addUpdate keeps m, the newer per direction, and returns how many entries
// it dropped to stay within bounds (m itself included if it cannot fit).
func (p *pendingSet) addUpdate(m *lnwire.ChannelUpdate, now time.Time) int {
	cost := updateCost(m)
	dir := m.ChannelFlags.Direction()
	e, ok := p.updates[m.ShortChannelID]
	if ok {
		if old := e.msgs[dir]; old != nil && old.Timestamp >= m.Timestamp {
			return 0 // a copy of what is kept, or older: nothing lost
		} else if old != nil {
			e.msgs[dir] = nil
			p.bytes -= updateCost(old)
			e.cost -= updateCost(old)
		}
	}
	dropped := p.makeRoom(cost, len(p.updates) >= maxPendingChans && !ok)
	if p.bytes+cost > maxPendingBytes {
		return dropped + 1
	}
	if e, ok = p.updates[m.ShortChannelID]; !ok { // makeRoom may have evicted it
		e = &pendingUpdates{}
		p.updates[m.ShortChannelID] = e
	}
	e.msgs[dir], e.at = m, now
	e.cost += cost
	p.bytes += cost
	return dropped
}

// addNode keeps m, the newer per node; it returns the entries dropped.
func (p *pendingSet) addNode(m *lnwire.NodeAnnouncement, now time.Time) int {
	id := [33]byte(m.NodeID)
	old, ok := p.nodes[id]
	if ok && old.msg.Timestamp >= m.Timestamp {
		return 0
	}
	if ok {
		delete(p.nodes, id)
		p.bytes -= old.cost
	}
	cost := nodeCost(m)
	dropped := p.makeRoom(cost, len(p.nodes) >= maxPendingNodes)
	if p.bytes+cost > maxPendingBytes || len(p.nodes) >= maxPendingNodes {
		return dropped + 1
	}
	p.nodes[id] = pendingNode{msg: m, at: now, cost: cost}
	p.bytes += cost
	return dropped
}

// makeRoom evicts the oldest entries while the byte budget lacks cost, or
// once if full says a map is at its count bound; it returns how many.
func (p *pendingSet) makeRoom(cost int, full bool) int {
	n := 0
	for (full || p.bytes+cost > maxPendingBytes) && p.len() > 0 {
		p.evictOldest()
		full = false
		n++
	}
	return n
}

// evictOldest drops the entry that waited longest.
func (p *pendingSet) evictOldest() {
	var oldest time.Time
	var scid lnwire.ShortChannelID
	var node [33]byte
	isNode, found := false, false
	for k, e := range p.updates {
		if !found || e.at.Before(oldest) {
			oldest, scid, isNode, found = e.at, k, false, true
		}
	}
	for k, e := range p.nodes {
		if !found || e.at.Before(oldest) {
			oldest, node, isNode, found = e.at, k, true, true
		}
	}
	if isNode {
		p.bytes -= p.nodes[node].cost
		delete(p.nodes, node)
	} else if found {
		p.bytes -= p.updates[scid].cost
		delete(p.updates, scid)
	}
}

// takeUpdates removes and returns the updates kept for scid.
func (p *pendingSet) takeUpdates(scid lnwire.ShortChannelID) []*lnwire.ChannelUpdate {
	e, ok := p.updates[scid]
	if !ok {
		return nil
	}
	delete(p.updates, scid)
	p.bytes -= e.cost
	var out []*lnwire.ChannelUpdate
	for _, m := range e.msgs {
		if m != nil {
			out = append(out, m)
		}
	}
	return out
}

// takeNode removes and returns the announcement kept for id, or nil.
func (p *pendingSet) takeNode(id [33]byte) *lnwire.NodeAnnouncement {
	e, ok := p.nodes[id]
	if !ok {
		return nil
	}
	delete(p.nodes, id)
	p.bytes -= e.cost
	return e.msg
}

// sweep drops entries older than pendingTTL, scanning at most once per
// sweepEvery; it returns how many it dropped.
func (p *pendingSet) sweep(now time.Time) int {
	if now.Sub(p.lastSweep) < sweepEvery {
		return 0
	}
	p.lastSweep = now
	n := 0
	for k, e := range p.updates {
		if now.Sub(e.at) > pendingTTL {
			p.bytes -= e.cost
			delete(p.updates, k)
			n++
		}
	}
	for k, e := range p.nodes {
		if now.Sub(e.at) > pendingTTL {
			p.bytes -= e.cost
			delete(p.nodes, k)
			n++
		}
	}
	return n
}
