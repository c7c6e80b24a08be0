package graph

import (
	"time"

	"lnwasm/node/lnwire"
)

// StaleAfter is BOLT 7's two weeks (1209600 seconds).
const StaleAfter = 14 * 24 * time.Hour

// Prune removes the channels whose older direction was last updated more
// than StaleAfter before now (a direction never updated counts as older
// than anything), then the nodes left without a channel, and returns the
// number of channels removed. The removals are written by the next Flush.
//
// BOLT 7: if the `timestamp` of the latest `channel_update` in either
// direction is older than two weeks (1209600 seconds): MAY prune the
// channel. [...] The oldest `channel_update` is used to prune the channel
// since both sides need to be active in order for the channel to be
// usable. [Pruning the Network View] if the announced node no longer has
// any associated open channels: MAY prune nodes added through
// `node_announcement` messages from their local view.
func (g *Graph) Prune(now time.Time) int {
	cutoff := now.Add(-StaleAfter).Unix()
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.removeChannels(func(c *chanRec) bool {
		oldest := min(c.pol[0].ts, c.pol[1].ts)
		return int64(oldest) < cutoff
	})
}

// RemoveChannel forgets a channel the host saw closed on chain (BOLT 7: if
// the funding output of a channel is spent and received 12 block
// confirmations: SHOULD be removed from the local network view), with its
// nodes if they are left without channels.
func (g *Graph) RemoveChannel(scid lnwire.ShortChannelID) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.removeChannels(func(c *chanRec) bool { return c.scid == scid }) == 1
}

// removeChannels drops the channels doomed says so and the nodes it leaves
// bare, then rebuilds the slices, indices and adjacency compactly: removal
// is rare and a rebuild keeps every hot structure dense. The caller holds
// mu for writing.
func (g *Graph) removeChannels(doomed func(*chanRec) bool) int {
	degree := make([]int32, len(g.nodes))
	kept := make([]chanRec, 0, len(g.chans))
	for i := range g.chans {
		c := &g.chans[i]
		if doomed(c) {
			g.dirty.chans[c.scid] = struct{}{}
			continue
		}
		degree[c.n[0]]++
		degree[c.n[1]]++
		kept = append(kept, *c)
	}
	removed := len(g.chans) - len(kept)
	if removed == 0 {
		return 0
	}
	g.rebuild(kept, degree)
	return removed
}

// rebuild makes kept the channel set, keeping the nodes with a non-zero
// degree. The caller holds mu for writing.
func (g *Graph) rebuild(kept []chanRec, degree []int32) {
	remap := make([]int32, len(g.nodes))
	nodes := make([]nodeRec, 0, len(g.nodes))
	nodeIdx := make(map[[33]byte]int32, len(g.nodes))
	for i := range g.nodes {
		n := &g.nodes[i]
		if degree[i] == 0 {
			remap[i] = -1
			if n.info != nil {
				g.dirty.nodes[n.id] = struct{}{}
			}
			continue
		}
		remap[i] = int32(len(nodes))
		nodeIdx[n.id] = remap[i]
		nodes = append(nodes, nodeRec{id: n.id, info: n.info, noTransit: n.noTransit, chans: make([]int32, 0, degree[i])})
	}
	chanIdx := make(map[lnwire.ShortChannelID]int32, len(kept))
	for ci := range kept {
		c := &kept[ci]
		c.n = [2]int32{remap[c.n[0]], remap[c.n[1]]}
		chanIdx[c.scid] = int32(ci)
		nodes[c.n[0]].chans = append(nodes[c.n[0]].chans, int32(ci))
		nodes[c.n[1]].chans = append(nodes[c.n[1]].chans, int32(ci))
	}
	g.nodes, g.nodeIdx, g.chans, g.chanIdx = nodes, nodeIdx, kept, chanIdx
}
