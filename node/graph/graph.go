package graph

import (
	"fmt"
	"slices"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// Bounds on what the graph keeps. Mainnet has about 15,000 nodes and 50,000
// channels; the limits leave room for growth while stopping a peer that
// announces fake channels (which the graph cannot refute, see doc.go) from
// growing memory and storage without end.
const (
	MaxChannels = 250_000
	MaxNodes    = 100_000
	// maxFeatureBytes bounds a kept feature vector: every bit BOLT 9
	// defines fits in 8 bytes, and a peer-chosen 64 KiB vector per node
	// would cost gigabytes.
	maxFeatureBytes = 128
	// maxAddresses bounds the addresses kept per node.
	maxAddresses = 8
	// maxCapacitySat is 21 million bitcoin: a larger capacity is a bug,
	// and in msat it would overflow.
	maxCapacitySat = 21_000_000 * 100_000_000
)

// Policy is one direction of a channel, as its channel_update set it: the
// terms on which the update's origin node forwards an HTLC over the channel.
type Policy struct {
	// Timestamp is the channel_update's; newer updates replace older ones.
	Timestamp uint32
	// Disabled is channel_flags' disable bit: do not route this way now.
	Disabled bool
	// CLTVExpiryDelta is what the origin subtracts from the incoming
	// HTLC's cltv_expiry.
	CLTVExpiryDelta uint16
	// HTLCMinimumMsat and HTLCMaximumMsat bound a forwarded HTLC's amount.
	HTLCMinimumMsat, HTLCMaximumMsat uint64
	// FeeBaseMsat and FeeProportionalMillionths make the fee:
	// fee_base_msat + amount_to_forward * fee_proportional_millionths /
	// 1000000 (BOLT 7, HTLC Fees).
	FeeBaseMsat, FeeProportionalMillionths uint32
}

// Channel is one announced channel.
type Channel struct {
	SCID lnwire.ShortChannelID
	// Node1 is the lesser node id (node_id_1), Node2 the greater.
	Node1, Node2 [33]byte
	// CapacitySat is 0 while unknown, which is always for a light client
	// unless the host calls SetCapacity (see doc.go).
	CapacitySat uint64
	// Policies are indexed by the direction bit of channel_flags: 0 is
	// Node1's update (Node1 → Node2), 1 is Node2's. nil until received.
	Policies [2]*Policy
}

// Node is one node of the graph: any endpoint of a channel, with what its
// node_announcement said once one arrived (Timestamp 0 until then).
type Node struct {
	ID [33]byte
	// Alias is printable text or Go-quoted (lnwire.NodeAlias.String);
	// interfaces must still escape it for their context (BOLT 7).
	Alias     string
	Color     lnwire.RGBColor
	Timestamp uint32
	Features  lnwire.FeatureVector
	// Addresses are the first descriptors of known types announced, at
	// most maxAddresses of them.
	Addresses []lnwire.NetAddress
}

// policyRec is Policy packed for the channel slice; ts 0 means none.
type policyRec struct {
	ts        uint32
	feeBase   uint32
	feeProp   uint32
	cltvDelta uint16
	disabled  bool
	htlcMin   uint64
	htlcMax   uint64
}

// chanRec is a channel as stored in memory: endpoints as node indices.
type chanRec struct {
	scid   lnwire.ShortChannelID
	capSat uint64
	n      [2]int32
	pol    [2]policyRec
	// noRoute is set when the announcement's features have an unknown
	// even bit. BOLT 7: MUST NOT attempt to route messages through the
	// channel.
	noRoute bool
}

// nodeInfo is what a node_announcement told us, kept off the hot nodeRec.
type nodeInfo struct {
	ts       uint32
	color    lnwire.RGBColor
	alias    lnwire.NodeAlias
	features lnwire.FeatureVector
	addrs    []lnwire.NetAddress
}

// nodeRec is a node as stored in memory.
type nodeRec struct {
	id    [33]byte
	chans []int32 // indices into Graph.chans
	info  *nodeInfo
	// noTransit is set when the node's features have an unknown even
	// bit. BOLT 7: MUST NOT route a payment _through_ the node.
	noTransit bool
}

// Graph is the network view. Its methods are safe for concurrent use.
type Graph struct {
	mu      sync.RWMutex
	st      store.Store
	chain   chainhash.Hash
	nodes   []nodeRec
	nodeIdx map[[33]byte]int32
	chans   []chanRec
	chanIdx map[lnwire.ShortChannelID]int32
	dirty   dirtySet
}

// New returns the graph of chain persisted in st (empty the first time).
// A store holding another chain's graph is refused with ErrWrongChain.
func New(st store.Store, chain chainhash.Hash) (*Graph, error) {
	g := newEmpty(st, chain)
	if err := g.load(); err != nil {
		return nil, err
	}
	return g, nil
}

// newEmpty is a graph with nothing loaded; tests and benchmarks build on it.
func newEmpty(st store.Store, chain chainhash.Hash) *Graph {
	return &Graph{
		st:      st,
		chain:   chain,
		nodeIdx: map[[33]byte]int32{},
		chanIdx: map[lnwire.ShortChannelID]int32{},
		dirty:   newDirtySet(),
	}
}

// nodeIndex interns id, creating the node if needed. The caller holds mu
// for writing and has checked MaxNodes.
func (g *Graph) nodeIndex(id [33]byte) int32 {
	if i, ok := g.nodeIdx[id]; ok {
		return i
	}
	i := int32(len(g.nodes))
	g.nodes = append(g.nodes, nodeRec{id: id})
	g.nodeIdx[id] = i
	return i
}

// addChannel stores a channel that is not yet in the graph and returns its
// index. The caller holds mu for writing and has checked the bounds.
func (g *Graph) addChannel(scid lnwire.ShortChannelID, n1, n2 [33]byte, capSat uint64, noRoute bool) int32 {
	ci := int32(len(g.chans))
	a, b := g.nodeIndex(n1), g.nodeIndex(n2)
	g.chans = append(g.chans, chanRec{scid: scid, capSat: capSat, n: [2]int32{a, b}, noRoute: noRoute})
	g.chanIdx[scid] = ci
	g.nodes[a].chans = append(g.nodes[a].chans, ci)
	g.nodes[b].chans = append(g.nodes[b].chans, ci)
	return ci
}

// newNodes is how many of ids the graph does not hold yet; the caller
// holds mu.
func (g *Graph) newNodes(ids ...[33]byte) int {
	n := 0
	for _, id := range ids {
		if _, ok := g.nodeIdx[id]; !ok {
			n++
		}
	}
	return n
}

// Channel returns a copy of the channel, or false.
func (g *Graph) Channel(scid lnwire.ShortChannelID) (*Channel, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	ci, ok := g.chanIdx[scid]
	if !ok {
		return nil, false
	}
	c := &g.chans[ci]
	out := &Channel{SCID: scid, Node1: g.nodes[c.n[0]].id, Node2: g.nodes[c.n[1]].id, CapacitySat: c.capSat}
	for d := range c.pol {
		if p := c.pol[d]; p.ts != 0 {
			out.Policies[d] = &Policy{
				Timestamp: p.ts, Disabled: p.disabled, CLTVExpiryDelta: p.cltvDelta,
				HTLCMinimumMsat: p.htlcMin, HTLCMaximumMsat: p.htlcMax,
				FeeBaseMsat: p.feeBase, FeeProportionalMillionths: p.feeProp,
			}
		}
	}
	return out, true
}

// Node returns a copy of the node, or false.
func (g *Graph) Node(id [33]byte) (*Node, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	ni, ok := g.nodeIdx[id]
	if !ok {
		return nil, false
	}
	out := &Node{ID: id}
	if info := g.nodes[ni].info; info != nil {
		out.Alias = info.alias.String()
		out.Color = info.color
		out.Timestamp = info.ts
		out.Features = info.features
		out.Addresses = slices.Clone(info.addrs)
	}
	return out, true
}

// NodeChannels lists the channels of a node, sorted, for interfaces.
func (g *Graph) NodeChannels(id [33]byte) []lnwire.ShortChannelID {
	g.mu.RLock()
	defer g.mu.RUnlock()
	ni, ok := g.nodeIdx[id]
	if !ok {
		return nil
	}
	out := make([]lnwire.ShortChannelID, 0, len(g.nodes[ni].chans))
	for _, ci := range g.nodes[ni].chans {
		out = append(out, g.chans[ci].scid)
	}
	slices.Sort(out)
	return out
}

// NumChannels is the number of channels.
func (g *Graph) NumChannels() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.chans)
}

// NumNodes is the number of nodes (every node has a channel).
func (g *Graph) NumNodes() int {
	g.mu.RLock()
	defer g.mu.RUnlock()
	return len(g.nodes)
}

// KnownSCIDs lists every channel's short_channel_id in ascending order,
// the order BOLT 7's encoded_short_ids use.
func (g *Graph) KnownSCIDs() []lnwire.ShortChannelID {
	g.mu.RLock()
	out := make([]lnwire.ShortChannelID, len(g.chans))
	for i := range g.chans {
		out[i] = g.chans[i].scid
	}
	g.mu.RUnlock()
	slices.Sort(out)
	return out
}

// SetCapacity records a channel's capacity when the host learns it (from
// the funding output, which the graph cannot see). Routing then also
// honours BOLT 7's "if htlc_maximum_msat is greater than channel capacity:
// SHOULD ignore this channel during route considerations".
func (g *Graph) SetCapacity(scid lnwire.ShortChannelID, sat uint64) error {
	if sat > maxCapacitySat {
		return fmt.Errorf("channel %s: capacity of %d sat exceeds all bitcoin: %w", scid, sat, ErrInvalid)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	ci, ok := g.chanIdx[scid]
	if !ok {
		return unknownChannel(scid)
	}
	g.chans[ci].capSat = sat
	g.dirty.chans[scid] = struct{}{}
	return nil
}
