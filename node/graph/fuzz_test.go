package graph

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// Each fuzz target's seeds are added with f.Add, so `go test` runs them as
// ordinary tests; `go test -fuzz=FuzzX` explores from them.

// fuzzPool is the keys FuzzGossip signs with. Random bytes almost never
// carry a valid signature, so the target re-signs what it decodes with
// these keys: the fuzzer then reaches the graph's rules behind the
// signature check. The pool is small so that fuzzed messages keep naming
// the same nodes and meet in the graph.
var fuzzPool = func() []testKey {
	keys := make([]testKey, 6)
	for i := range keys {
		keys[i] = newKey(fmt.Sprintf("fuzz node %d", i))
	}
	return keys
}()

// fuzzKeyFor is the pool key standing for p: itself if p is in the pool,
// otherwise one picked by p's second byte.
func fuzzKeyFor(p lnwire.Point) testKey {
	for _, k := range fuzzPool {
		if k.pub == p {
			return k
		}
	}
	return fuzzPool[int(p[1])%len(fuzzPool)]
}

// fuzzKeepSig marks a message whose signature the target leaves as
// fuzzed (first byte 0xff), so that bad signatures are explored too.
const fuzzKeepSig = 0xff

// fuzzResign makes m's signatures valid for the pool keys it names, unless
// its first signature starts with fuzzKeepSig. A channel_update is signed
// by the node the graph holds for its direction, or, for a channel the
// graph lacks, by the pool key its signature's second byte picks (which
// the announcement that arrives later may or may not name).
func fuzzResign(t testing.TB, g *Graph, m lnwire.Message) {
	switch m := m.(type) {
	case *lnwire.ChannelAnnouncement:
		if m.NodeSignature1[0] == fuzzKeepSig {
			return
		}
		n1, n2 := fuzzKeyFor(m.NodeID1), fuzzKeyFor(m.NodeID2)
		b1, b2 := fuzzKeyFor(m.BitcoinKey1), fuzzKeyFor(m.BitcoinKey2)
		m.NodeID1, m.NodeID2, m.BitcoinKey1, m.BitcoinKey2 = n1.pub, n2.pub, b1.pub, b2.pub
		m.NodeSignature1 = signHash(t, m, n1.priv)
		m.NodeSignature2 = signHash(t, m, n2.priv)
		m.BitcoinSignature1 = signHash(t, m, b1.priv)
		m.BitcoinSignature2 = signHash(t, m, b2.priv)
	case *lnwire.ChannelUpdate:
		if m.Signature[0] == fuzzKeepSig {
			return
		}
		k := fuzzPool[int(m.Signature[1])%len(fuzzPool)]
		if c, ok := g.Channel(m.ShortChannelID); ok {
			k = fuzzKeyFor(lnwire.Point([2][33]byte{c.Node1, c.Node2}[m.ChannelFlags.Direction()]))
		}
		m.Signature = signHash(t, m, k.priv)
	case *lnwire.NodeAnnouncement:
		if m.Signature[0] == fuzzKeepSig {
			return
		}
		k := fuzzKeyFor(m.NodeID)
		m.NodeID = k.pub
		m.Signature = signHash(t, m, k.priv)
	}
}

// gossipFrame is one step of FuzzGossip's input: minutes to let pass,
// then one whole Lightning message (type and body).
func gossipFrame(t testing.TB, minutes byte, m lnwire.Message) []byte {
	b, err := lnwire.WriteMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	out := []byte{minutes}
	out = binary.BigEndian.AppendUint16(out, uint16(len(b)))
	return append(out, b...)
}

// nextGossipFrame splits one frame off data; a short length takes what
// is left.
func nextGossipFrame(data []byte) (minutes byte, msg, rest []byte, ok bool) {
	if len(data) < 3 {
		return 0, nil, nil, false
	}
	n := min(int(binary.BigEndian.Uint16(data[1:])), len(data)-3)
	return data[0], data[3 : 3+n], data[3+n:], true
}

// FuzzGossip runs a Syncer against a fuzzed peer: each frame is decoded
// by lnwire.ReadMessage, re-signed (see fuzzResign) and handed to Handle,
// after the time the frame says has passed. It checks, after every
// message, that:
//
//   - Handle's error is nil or one of the graph's errors the host acts on
//     (ErrBadSignature, ErrInvalid, ErrFull, ErrProtocol);
//   - every reply encodes and decodes to itself, and a
//     query_short_channel_ids asks for at most a batch of ids, in strictly
//     ascending order, with one flag per id when flags are sent;
//   - the graph holds only channels between two pool keys (nothing
//     entered without its signatures), node_id_1 below node_id_2, policies
//     with a timestamp that never goes back, nodes with their bounded
//     features and the addresses BOLT 7 says to keep;
//   - the pending set stays within its bounds and its byte count is the
//     sum of its entries';
//
// and at the end that the graph flushed to a store loads back equal.
func FuzzGossip(f *testing.F) {
	for _, seed := range gossipSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		st := store.NewMemory()
		g := mustNew(t, st)
		s := NewSyncer(g, testChain, true, testNow)
		s.batch, s.flaggedBatch = 3, 2
		now := testNow
		checkReplies(t, s, s.Start())
		seen := map[policyKey]uint32{}
		for {
			minutes, raw, rest, ok := nextGossipFrame(data)
			if !ok {
				break
			}
			data = rest
			now = now.Add(time.Duration(minutes) * time.Minute)
			m, err := lnwire.ReadMessage(raw)
			if err != nil {
				continue
			}
			fuzzResign(t, g, m)
			out, err := s.Handle(m, now)
			if err != nil && !errors.Is(err, ErrBadSignature) && !errors.Is(err, ErrInvalid) &&
				!errors.Is(err, ErrFull) && !errors.Is(err, ErrProtocol) {
				t.Fatalf("%s: error %v is none of the graph's", m.Type(), err)
			}
			checkReplies(t, s, out)
			checkGraph(t, g, seen)
			checkPending(t, &s.pending)
		}
		checkReload(t, g, st)
	})
}

// policyKey names one direction of a channel.
type policyKey struct {
	scid lnwire.ShortChannelID
	dir  int
}

// checkReplies checks what the Syncer asks the peer to be sendable and
// within the query rules.
func checkReplies(t *testing.T, s *Syncer, out []lnwire.Message) {
	t.Helper()
	for _, m := range out {
		b, err := lnwire.WriteMessage(m)
		if err != nil {
			t.Fatalf("reply %s does not encode: %v", m.Type(), err)
		}
		if back, err := lnwire.ReadMessage(b); err != nil || !reflect.DeepEqual(back, m) {
			t.Fatalf("reply %s: %+v decodes as %+v (%v)", m.Type(), m, back, err)
		}
		q, ok := m.(*lnwire.QueryShortChannelIDs)
		if !ok {
			continue
		}
		if n := len(q.ShortChannelIDs); n == 0 || n > s.batch || q.ChainHash != testChain {
			t.Fatalf("query of %d ids (batch %d) for chain %s", n, s.batch, q.ChainHash)
		}
		for i := 1; i < len(q.ShortChannelIDs); i++ {
			if q.ShortChannelIDs[i-1] >= q.ShortChannelIDs[i] {
				t.Fatalf("query ids not strictly ascending: %v", q.ShortChannelIDs)
			}
		}
		if flags, ok := q.QueryFlags.Get(); ok && (len(flags) != len(q.ShortChannelIDs) || len(flags) > s.flaggedBatch) {
			t.Fatalf("%d flags for %d ids (flagged batch %d)", len(flags), len(q.ShortChannelIDs), s.flaggedBatch)
		}
	}
}

// checkGraph checks what the graph holds against the rules it enforces.
func checkGraph(t *testing.T, g *Graph, seen map[policyKey]uint32) {
	t.Helper()
	pool := map[[33]byte]bool{}
	for _, k := range fuzzPool {
		pool[k.id()] = true
	}
	for _, scid := range g.KnownSCIDs() {
		c, ok := g.Channel(scid)
		if !ok {
			t.Fatalf("KnownSCIDs lists %s but Channel has none", scid)
		}
		if !pool[c.Node1] || !pool[c.Node2] || bytes.Compare(c.Node1[:], c.Node2[:]) >= 0 {
			t.Fatalf("channel %s between %x and %x", scid, c.Node1, c.Node2)
		}
		for d, p := range c.Policies {
			if p == nil {
				continue
			}
			k := policyKey{scid, d}
			if p.Timestamp == 0 || p.Timestamp < seen[k] {
				t.Fatalf("%s direction %d: timestamp %d after %d", scid, d, p.Timestamp, seen[k])
			}
			seen[k] = p.Timestamp
		}
	}
	for id := range pool {
		if n, ok := g.Node(id); ok {
			checkNode(t, g, n)
		}
	}
	if g.NumNodes() > len(pool) {
		t.Fatalf("%d nodes from a pool of %d keys", g.NumNodes(), len(pool))
	}
}

// checkNode checks one node's announcement as the graph keeps it.
func checkNode(t *testing.T, g *Graph, n *Node) {
	t.Helper()
	if len(g.NodeChannels(n.ID)) == 0 {
		t.Fatalf("node %x has no channel", n.ID)
	}
	if l := n.Features.EncodedLen(); l > maxFeatureBytes {
		t.Fatalf("node %x keeps %d bytes of features", n.ID, l)
	}
	if len(n.Addresses) > maxAddresses {
		t.Fatalf("node %x keeps %d addresses", n.ID, len(n.Addresses))
	}
	dns := 0
	for _, a := range n.Addresses {
		switch {
		case a.Type == lnwire.AddressTorV2:
			t.Fatalf("node %x keeps a Tor v2 address", n.ID)
		case a.Port == 0 && a.Type != lnwire.AddressTorV3:
			t.Fatalf("node %x keeps %v with port 0", n.ID, a)
		case a.Type == lnwire.AddressDNS:
			dns++
		}
	}
	if dns > 1 {
		t.Fatalf("node %x keeps %d DNS names", n.ID, dns)
	}
}

// checkPending checks the pending set's bounds and byte accounting.
func checkPending(t *testing.T, p *pendingSet) {
	t.Helper()
	if len(p.updates) > maxPendingChans || len(p.nodes) > maxPendingNodes || p.bytes > maxPendingBytes {
		t.Fatalf("pending: %d channels, %d nodes, %d bytes", len(p.updates), len(p.nodes), p.bytes)
	}
	sum := 0
	for scid, e := range p.updates {
		cost := 0
		for d, m := range e.msgs {
			if m == nil {
				continue
			}
			if m.ShortChannelID != scid || m.ChannelFlags.Direction() != d {
				t.Fatalf("pending update for %s/%d kept under %s/%d", m.ShortChannelID, m.ChannelFlags.Direction(), scid, d)
			}
			cost += updateCost(m)
		}
		if cost != e.cost {
			t.Fatalf("pending %s: cost %d, its updates cost %d", scid, e.cost, cost)
		}
		sum += e.cost
	}
	for id, e := range p.nodes {
		if [33]byte(e.msg.NodeID) != id || e.cost != nodeCost(e.msg) {
			t.Fatalf("pending node %x: kept as %x, cost %d of %d", id, e.msg.NodeID, e.cost, nodeCost(e.msg))
		}
		sum += e.cost
	}
	if sum != p.bytes {
		t.Fatalf("pending bytes %d, entries sum to %d", p.bytes, sum)
	}
}

// checkReload flushes g and loads the store into a new graph, which must
// hold the same channels and nodes.
func checkReload(t *testing.T, g *Graph, st store.Store) {
	t.Helper()
	if err := g.Flush(); err != nil {
		t.Fatal(err)
	}
	back, err := New(st, testChain)
	if err != nil {
		t.Fatalf("reload: %v", err)
	}
	if a, b := g.KnownSCIDs(), back.KnownSCIDs(); !reflect.DeepEqual(a, b) {
		t.Fatalf("reloaded channels %v, want %v", b, a)
	}
	for _, scid := range g.KnownSCIDs() {
		a, _ := g.Channel(scid)
		b, _ := back.Channel(scid)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("channel %s reloaded as %+v, want %+v", scid, b, a)
		}
		for _, id := range [2][33]byte{a.Node1, a.Node2} {
			na, _ := g.Node(id)
			nb, _ := back.Node(id)
			if !sameNode(na, nb) {
				t.Fatalf("node %x reloaded as %+v, want %+v", id, nb, na)
			}
		}
	}
}

// sameNode compares nodes, features by their encoding.
func sameNode(a, b *Node) bool {
	if a == nil || b == nil {
		return a == b
	}
	fa, fb := a.Features.Encode(), b.Features.Encode()
	ca, cb := *a, *b
	ca.Features, cb.Features = lnwire.FeatureVector{}, lnwire.FeatureVector{}
	return bytes.Equal(fa, fb) && reflect.DeepEqual(ca, cb)
}

// signedBy sets the byte fuzzResign reads to sign an update of a channel
// the graph does not hold yet with pool key i.
func signedBy(u *lnwire.ChannelUpdate, i int) *lnwire.ChannelUpdate {
	u.Signature = lnwire.Sig{1: byte(i)}
	return u
}

// gossipSeeds are FuzzGossip's seeds: an honest sync, gossip in every
// order, and the messages the graph must refuse.
func gossipSeeds(t testing.TB) [][]byte {
	k := fuzzPool
	s1, s2, s3 := scid(t, 700_000, 1), scid(t, 700_001, 2), scid(t, 700_002, 3)
	a12, a23, a34 := announce(t, s1, k[1], k[2]), announce(t, s2, k[2], k[3]), announce(t, s3, k[3], k[4])
	idx := func(k testKey) int {
		for i, p := range fuzzPool {
			if p.pub == k.pub {
				return i
			}
		}
		return 0
	}
	upd := func(s lnwire.ShortChannelID, from, to testKey, ts uint32) *lnwire.ChannelUpdate {
		return signedBy(update(t, s, from, to, ts, basicPolicy), idx(from))
	}
	rich := nodeAnn(t, k[1], 20, "rich")
	rich.Features = lnwire.NewFeatureBytes(lnwire.NewFeatureVector(lnwire.GossipQueriesOptional, 100))
	dns, err := lnwire.NewDNSAddress("ln.example.org", 9735)
	if err != nil {
		t.Fatal(err)
	}
	rich.Addresses = []lnwire.NetAddress{
		lnwire.NewIPAddress(netip.MustParseAddrPort("203.0.113.9:9735")), dns, dns,
		lnwire.NewIPAddress(netip.MustParseAddrPort("[2001:db8::1]:0")),
	}
	frames := func(fr ...[]byte) []byte { return bytes.Join(fr, nil) }
	fr := func(minutes byte, m lnwire.Message) []byte { return gossipFrame(t, minutes, m) }

	reply := &lnwire.ReplyChannelRange{ChainHash: testChain, NumberOfBlocks: math.MaxUint32, SyncComplete: true,
		ShortChannelIDs: []lnwire.ShortChannelID{s1, s2, s3},
		Timestamps:      lnwire.Some([]lnwire.UpdateTimestamps{{Node1: 10, Node2: 11}, {Node1: 12}, {}})}
	half := &lnwire.ReplyChannelRange{ChainHash: testChain, NumberOfBlocks: 700_001,
		ShortChannelIDs: []lnwire.ShortChannelID{s1}}
	end := &lnwire.ReplyShortChannelIDsEnd{ChainHash: testChain, FullInformation: true}

	wrongChain := announce(t, s1, k[1], k[2])
	wrongChain.ChainHash = otherChain
	unordered := announce(t, s1, k[1], k[2])
	unordered.NodeID1, unordered.NodeID2 = unordered.NodeID2, unordered.NodeID1
	badSig := announce(t, s2, k[2], k[3])
	badSig.NodeSignature1[0] = fuzzKeepSig
	zeroTS := upd(s1, k[1], k[2], 0)
	bigFeatures := nodeAnn(t, k[2], 30, "big")
	bigFeatures.Features = make(lnwire.FeatureBytes, 200)
	bigFeatures.Features[0] = 0x80
	return [][]byte{
		// An honest sync: the range, then the queried gossip in an
		// unhelpful order, one batch at a time.
		frames(fr(0, half), fr(0, reply),
			fr(0, nodeAnn(t, k[1], 20, "one")), fr(0, upd(s1, k[1], k[2], 10)), fr(0, a12),
			fr(0, upd(s1, k[2], k[1], 11)), fr(0, a23), fr(0, upd(s2, k[2], k[3], 12)), fr(0, end),
			fr(0, a34), fr(0, end)),
		// Gossip pushed without queries, with stale and repeated copies,
		// and a rich node announcement.
		frames(fr(0, a12), fr(0, a12), fr(0, upd(s1, k[1], k[2], 5)), fr(0, upd(s1, k[1], k[2], 5)),
			fr(0, upd(s1, k[1], k[2], 4)), fr(0, rich), fr(0, nodeAnn(t, k[1], 19, "older")),
			fr(0, a23), fr(1, upd(s2, k[3], k[2], 7))),
		// An update and a node announcement that wait for their channel,
		// and an update whose channel comes after the pending TTL.
		frames(fr(0, upd(s3, k[3], k[4], 9)), fr(0, nodeAnn(t, k[4], 9, "early")), fr(5, a34),
			fr(0, upd(s2, k[2], k[3], 9)), fr(11, a23)),
		// What the graph refuses.
		frames(fr(0, wrongChain), fr(0, unordered), fr(0, badSig), fr(0, a12), fr(0, zeroTS),
			fr(0, bigFeatures), fr(0, nodeAnn(t, k[5], 1, "no channel"))),
		// The peer's own queries, and replies out of turn.
		frames(fr(0, end), fr(0, &lnwire.QueryChannelRange{ChainHash: testChain, FirstBlocknum: 5, NumberOfBlocks: 10}),
			fr(0, &lnwire.QueryShortChannelIDs{ChainHash: testChain, ShortChannelIDs: []lnwire.ShortChannelID{s1}}),
			fr(0, &lnwire.GossipTimestampFilter{ChainHash: testChain, TimestampRange: 10}),
			fr(0, &lnwire.ReplyChannelRange{ChainHash: otherChain, NumberOfBlocks: math.MaxUint32}),
			fr(0, reply), fr(0, reply)),
	}
}

// FuzzNodeRecord: a stored node record that decodes is within the
// graph's bounds, and encodes to a record that decodes to the same node
// and encodes to itself (feature bytes lose their leading zeros, so the
// first encoding may differ from the input). The store is ours, but what
// a record holds (alias, features, addresses) came from a peer.
func FuzzNodeRecord(f *testing.F) {
	rich := nodeAnn(f, fuzzPool[1], 20, "rich")
	rich.Features = lnwire.NewFeatureBytes(lnwire.NewFeatureVector(lnwire.PaymentSecretRequired, 100))
	dns, err := lnwire.NewDNSAddress("ln.example.org", 9735)
	if err != nil {
		f.Fatal(err)
	}
	rich.Addresses = []lnwire.NetAddress{lnwire.NewIPAddress(netip.MustParseAddrPort("[2001:db8::1]:9735")), dns}
	f.Add(encodeNodeInfo(newNodeInfo(rich)))
	f.Add(encodeNodeInfo(newNodeInfo(nodeAnn(f, fuzzPool[2], 1, ""))))
	f.Add([]byte{recordVersion})
	f.Fuzz(func(t *testing.T, v []byte) {
		n, err := decodeNodeInfo(v)
		if err != nil {
			return
		}
		if n.features.EncodedLen() > maxFeatureBytes || len(n.addrs) > maxAddresses {
			t.Fatalf("%x: %d feature bytes, %d addresses", v, n.features.EncodedLen(), len(n.addrs))
		}
		for _, a := range n.addrs {
			_, _ = a.String(), a.Dialable()
		}
		b := encodeNodeInfo(n)
		n2, err := decodeNodeInfo(b)
		if err != nil {
			t.Fatalf("%x decodes, but its encoding %x does not: %v", v, b, err)
		}
		if again := encodeNodeInfo(n2); !bytes.Equal(again, b) {
			t.Fatalf("%x: encodings differ: %x, %x", v, b, again)
		}
		f1, f2 := n.features.Encode(), n2.features.Encode()
		n.features, n2.features = lnwire.FeatureVector{}, lnwire.FeatureVector{}
		if !bytes.Equal(f1, f2) || !reflect.DeepEqual(n, n2) {
			t.Fatalf("%x decodes to %+v, which re-decodes as %+v", v, n, n2)
		}
	})
}

// FuzzChannelRecord: a stored channel record that decodes loads as one
// channel between ordered node ids, with a capacity SetCapacity would
// accept, and the record Flush would write for it loads as the same
// channel and is written again unchanged.
func FuzzChannelRecord(f *testing.F) {
	g := newEmpty(store.NewMemory(), testChain)
	p := basicPolicy
	g.addTestChannel(scid(f, 800_000, 7), nid(1), nid(2), 5000, &p, nil)
	g.chans[0].noRoute = true
	key := binary.BigEndian.AppendUint64(nil, uint64(g.chans[0].scid))
	f.Add(key, g.encodeChannel(&g.chans[0]))
	g.addTestChannel(scid(f, 800_001, 0), nid(3), nid(2), 0, nil, nil)
	f.Add(key, g.encodeChannel(&g.chans[1]))
	f.Add(key[:7], []byte{recordVersion})
	f.Fuzz(func(t *testing.T, k, v []byte) {
		scid, _, err := decodeChannel(k, v)
		if err != nil {
			return
		}
		g1 := newEmpty(store.NewMemory(), testChain)
		if err := g1.loadChannel(k, v); err != nil || g1.NumChannels() != 1 {
			t.Fatalf("%x decodes but does not load (%v)", v, err)
		}
		c1, _ := g1.Channel(scid)
		if bytes.Compare(c1.Node1[:], c1.Node2[:]) >= 0 || c1.CapacitySat > maxCapacitySat {
			t.Fatalf("%x loads as %+v", v, c1)
		}
		b := g1.encodeChannel(&g1.chans[0])
		g2 := newEmpty(store.NewMemory(), testChain)
		if err := g2.loadChannel(k, b); err != nil || g2.NumChannels() != 1 {
			t.Fatalf("%x: its encoding %x does not load (%v)", v, b, err)
		}
		c2, _ := g2.Channel(scid)
		if !reflect.DeepEqual(c1, c2) || g1.chans[0].noRoute != g2.chans[0].noRoute {
			t.Fatalf("%x loads as %+v, its encoding %x as %+v", v, c1, b, c2)
		}
		if again := g2.encodeChannel(&g2.chans[0]); !bytes.Equal(again, b) {
			t.Fatalf("%x: encodings differ: %x, %x", v, b, again)
		}
	})
}
