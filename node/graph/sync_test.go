package graph

import (
	"errors"
	"fmt"
	"math"
	"testing"
	"time"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// peerChannel is one channel a fake peer knows, with its signed gossip.
type peerChannel struct {
	ann   *lnwire.ChannelAnnouncement
	upd   [2]*lnwire.ChannelUpdate // by direction
	nodes [2]testKey
}

// fakePeer answers gossip queries from a fixed set of channels, sending
// each answer's gossip in an unhelpful order: node announcements first,
// then each channel's updates before its announcement.
type fakePeer struct {
	t     *testing.T
	chans []peerChannel // ascending scid
	byID  map[lnwire.ShortChannelID]*peerChannel
	nodes map[[33]byte]*lnwire.NodeAnnouncement
	split uint32 // the block where the first range reply ends
}

// newFakePeer makes n channels on a ring of keys, each block 100+i.
func newFakePeer(t *testing.T, n int, keys []testKey) *fakePeer {
	p := &fakePeer{t: t, byID: map[lnwire.ShortChannelID]*peerChannel{}, nodes: map[[33]byte]*lnwire.NodeAnnouncement{}, split: 106}
	for i := 0; i < n; i++ {
		a, b := keys[i%len(keys)], keys[(i+1+i/len(keys))%len(keys)]
		a, b = orderKeys(a, b)
		s := scid(t, 100+uint32(i), 0)
		pol := basicPolicy
		pol.FeeBaseMsat = uint32(i)
		c := peerChannel{ann: announce(t, s, a, b), nodes: [2]testKey{a, b}}
		c.upd[0] = update(t, s, a, b, 1000+uint32(i), pol)
		c.upd[1] = update(t, s, b, a, 1000+uint32(i), pol)
		p.chans = append(p.chans, c)
	}
	for i := range p.chans {
		p.byID[p.chans[i].ann.ShortChannelID] = &p.chans[i]
	}
	for i, k := range keys {
		p.nodes[k.id()] = nodeAnn(t, k, 50, fmt.Sprintf("node %d", i))
	}
	return p
}

// rangeReplies answers query_channel_range in two chunks split at
// p.split, with timestamps, the first without sync_complete.
func (p *fakePeer) rangeReplies(q *lnwire.QueryChannelRange) []*lnwire.ReplyChannelRange {
	first := &lnwire.ReplyChannelRange{ChainHash: q.ChainHash, FirstBlocknum: 0, NumberOfBlocks: p.split}
	second := &lnwire.ReplyChannelRange{ChainHash: q.ChainHash, FirstBlocknum: p.split,
		NumberOfBlocks: math.MaxUint32 - p.split, SyncComplete: true}
	var ts1, ts2 []lnwire.UpdateTimestamps
	for _, c := range p.chans {
		r, ts := first, &ts1
		if c.ann.ShortChannelID.BlockHeight() >= p.split {
			r, ts = second, &ts2
		}
		r.ShortChannelIDs = append(r.ShortChannelIDs, c.ann.ShortChannelID)
		*ts = append(*ts, lnwire.UpdateTimestamps{Node1: c.upd[0].Timestamp, Node2: c.upd[1].Timestamp})
	}
	first.Timestamps, second.Timestamps = lnwire.Some(ts1), lnwire.Some(ts2)
	return []*lnwire.ReplyChannelRange{first, second}
}

// answer is the peer's whole response to query_short_channel_ids.
func (p *fakePeer) answer(q *lnwire.QueryShortChannelIDs) []lnwire.Message {
	var nodes, chans []lnwire.Message
	for i, s := range q.ShortChannelIDs {
		c := p.byID[s]
		flags := queryAll
		if f, ok := q.QueryFlags.Get(); ok {
			flags = f[i]
		}
		for d, bit := range []lnwire.QueryFlag{lnwire.QueryChannelUpdate1, lnwire.QueryChannelUpdate2} {
			if flags&bit != 0 {
				chans = append(chans, c.upd[d])
			}
		}
		if flags&lnwire.QueryChannelAnnouncement != 0 {
			chans = append(chans, c.ann)
		}
		for d, bit := range []lnwire.QueryFlag{lnwire.QueryNodeAnnouncement1, lnwire.QueryNodeAnnouncement2} {
			if flags&bit != 0 {
				nodes = append(nodes, p.nodes[c.nodes[d].id()])
			}
		}
	}
	out := append(nodes, chans...)
	return append(out, &lnwire.ReplyShortChannelIDsEnd{ChainHash: q.ChainHash, FullInformation: true})
}

// handle feeds m to s and fails the test on an error.
func handle(t *testing.T, s *Syncer, m lnwire.Message, now time.Time) []lnwire.Message {
	t.Helper()
	out, err := s.Handle(m, now)
	if err != nil {
		t.Fatalf("%s: %v", m.Type(), err)
	}
	return out
}

// TestSyncFullExchange drives a Syncer through a whole initial sync with a
// fake peer: range replies in two chunks, id queries in several batches
// (one with query_flags for a channel we hold older updates of), the end
// replies, then the timestamp filter.
func TestSyncFullExchange(t *testing.T) {
	keys := []testKey{newKey("n0"), newKey("n1"), newKey("n2"), newKey("n3"), newKey("n4"), newKey("n5"), newKey("n6"), newKey("n7")}
	peer := newFakePeer(t, 12, keys)
	g := mustNew(t, store.NewMemory())
	// The graph holds channel 0 with an older update, channel 1 current.
	c0, c1 := peer.chans[0], peer.chans[1]
	must(t, g.AddChannelAnnouncement(c0.ann))
	must(t, g.AddChannelUpdate(update(t, c0.ann.ShortChannelID, c0.nodes[0], c0.nodes[1], 500, basicPolicy)))
	must(t, g.AddChannelAnnouncement(c1.ann))
	must(t, g.AddChannelUpdate(c1.upd[0]))
	must(t, g.AddChannelUpdate(c1.upd[1]))

	s := NewSyncer(g, testChain, true, testNow)
	s.batch, s.flaggedBatch = 4, 3
	start := s.Start()
	q, ok := start[0].(*lnwire.QueryChannelRange)
	if len(start) != 1 || !ok || q.FirstBlocknum != 0 || q.NumberOfBlocks != math.MaxUint32 || q.ChainHash != testChain {
		t.Fatalf("Start sent %+v", start)
	}
	replies := peer.rangeReplies(q)
	if out := handle(t, s, replies[0], testNow); out != nil {
		t.Fatalf("answered an incomplete range with %v", out)
	}
	out := handle(t, s, replies[1], testNow)
	var sizes []int
	for !s.Done() {
		qs, ok := out[0].(*lnwire.QueryShortChannelIDs)
		if len(out) != 1 || !ok {
			t.Fatalf("expected one query_short_channel_ids, got %v", out)
		}
		if _, flagged := qs.QueryFlags.Get(); flagged != (len(sizes) == 0) {
			t.Fatalf("batch %d: query_flags present %v", len(sizes), flagged)
		}
		sizes = append(sizes, len(qs.ShortChannelIDs))
		answer := peer.answer(qs)
		for _, m := range answer[:len(answer)-1] {
			if r := handle(t, s, m, testNow); r != nil {
				t.Fatalf("gossip answered with %v", r)
			}
		}
		out = handle(t, s, answer[len(answer)-1], testNow)
	}
	if fmt.Sprint(sizes) != "[3 4 4]" {
		t.Fatalf("batch sizes %v, want [3 4 4]", sizes)
	}
	f, ok := out[0].(*lnwire.GossipTimestampFilter)
	if len(out) != 1 || !ok || f.FirstTimestamp != uint32(testNow.Unix()-600) || f.TimestampRange != math.MaxUint32 {
		t.Fatalf("sync ended with %+v", out)
	}
	checkSynced(t, g, s, peer)
}

// checkSynced checks that g holds all of peer's gossip.
func checkSynced(t *testing.T, g *Graph, s *Syncer, peer *fakePeer) {
	t.Helper()
	if known, queried := s.Progress(); known != 11 || queried != 11 {
		t.Fatalf("progress %d/%d, want 11/11", queried, known)
	}
	if st := s.Stats(); st.Pending != 0 || st.BadSignatures != 0 || st.Channels != 10 || st.Dropped != 0 {
		t.Fatalf("stats %+v", st)
	}
	if g.NumChannels() != 12 {
		t.Fatalf("%d channels", g.NumChannels())
	}
	for _, c := range peer.chans {
		ch, _ := g.Channel(c.ann.ShortChannelID)
		for d := range 2 {
			if p := ch.Policies[d]; p == nil || p.Timestamp != c.upd[d].Timestamp {
				t.Fatalf("%s direction %d: %+v", c.ann.ShortChannelID, d, p)
			}
		}
	}
	for id := range peer.nodes {
		if n, ok := g.Node(id); !ok || n.Timestamp != 50 {
			t.Fatalf("node %x: %+v", id[:4], n)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestSyncAnswersPeerQueries: we relay nothing, and say so in BOLT 7's
// terms.
func TestSyncAnswersPeerQueries(t *testing.T) {
	s := NewSyncer(newEmpty(store.NewMemory(), testChain), testChain, true, testNow)
	out := handle(t, s, &lnwire.QueryChannelRange{ChainHash: otherChain, FirstBlocknum: 10, NumberOfBlocks: 0}, testNow)
	r, ok := out[0].(*lnwire.ReplyChannelRange)
	if len(out) != 1 || !ok || r.ChainHash != otherChain || r.FirstBlocknum != 10 || r.NumberOfBlocks != 1 || !r.SyncComplete || len(r.ShortChannelIDs) != 0 {
		t.Fatalf("reply_channel_range %+v", out)
	}
	out = handle(t, s, &lnwire.QueryShortChannelIDs{ChainHash: testChain, ShortChannelIDs: []lnwire.ShortChannelID{1}}, testNow)
	e, ok := out[0].(*lnwire.ReplyShortChannelIDsEnd)
	if len(out) != 1 || !ok || e.FullInformation || e.ChainHash != testChain {
		t.Fatalf("reply_short_channel_ids_end %+v", out)
	}
	if out := handle(t, s, &lnwire.GossipTimestampFilter{ChainHash: testChain}, testNow); out != nil {
		t.Fatalf("answered a filter with %v", out)
	}
}

// TestSyncProtocolErrors: replies to queries we never sent.
func TestSyncProtocolErrors(t *testing.T) {
	s := NewSyncer(newEmpty(store.NewMemory(), testChain), testChain, true, testNow)
	if _, err := s.Handle(&lnwire.ReplyChannelRange{ChainHash: testChain}, testNow); !errors.Is(err, ErrProtocol) {
		t.Fatalf("unsolicited reply_channel_range: %v", err)
	}
	s.Start()
	if _, err := s.Handle(&lnwire.ReplyShortChannelIDsEnd{ChainHash: testChain}, testNow); !errors.Is(err, ErrProtocol) {
		t.Fatalf("unsolicited reply_short_channel_ids_end: %v", err)
	}
	if _, err := s.Handle(&lnwire.ReplyChannelRange{ChainHash: otherChain, NumberOfBlocks: math.MaxUint32}, testNow); !errors.Is(err, ErrProtocol) {
		t.Fatalf("reply for another chain: %v", err)
	}
}

// TestSyncWithoutQueries: a peer without gossip_queries is not queried.
func TestSyncWithoutQueries(t *testing.T) {
	s := NewSyncer(newEmpty(store.NewMemory(), testChain), testChain, false, testNow)
	if out := s.Start(); out != nil || !s.Done() {
		t.Fatalf("Start sent %v, done %v", out, s.Done())
	}
}

// TestSyncBadSignatureNotFatal: a forged update is reported and counted,
// and the next valid gossip is still taken.
func TestSyncBadSignatureNotFatal(t *testing.T) {
	g := newEmpty(store.NewMemory(), testChain)
	s := NewSyncer(g, testChain, true, testNow)
	alice, bob := newKey("alice"), newKey("bob")
	sc := scid(t, 9, 9)
	handle(t, s, announce(t, sc, alice, bob), testNow)
	forged := update(t, sc, alice, bob, 10, basicPolicy)
	forged.FeeBaseMsat++
	if out, err := s.Handle(forged, testNow); out != nil || !errors.Is(err, ErrBadSignature) {
		t.Fatalf("forged update: %v %v", out, err)
	}
	handle(t, s, update(t, sc, alice, bob, 10, basicPolicy), testNow)
	handle(t, s, update(t, sc, alice, bob, 10, basicPolicy), testNow) // a duplicate is no error
	if st := s.Stats(); st.BadSignatures != 1 || st.Updates != 1 || st.Stale != 1 {
		t.Fatalf("stats %+v", st)
	}
}
