package graph

import (
	"math"
	"testing"
	"time"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// orphanUpdate is an (unsigned) update for a channel nobody announced.
func orphanUpdate(i int, extra int) *lnwire.ChannelUpdate {
	m := &lnwire.ChannelUpdate{ChainHash: testChain, ShortChannelID: lnwire.ShortChannelID(i + 1), Timestamp: 1}
	if extra > 0 {
		m.Extra = lnwire.TLVRecords{{Type: 99, Value: make([]byte, extra)}}
	}
	return m
}

// TestPendingBounded: updates for unknown channels are kept up to the
// count and byte bounds, then expire.
func TestPendingBounded(t *testing.T) {
	s := NewSyncer(newEmpty(store.NewMemory(), testChain), testChain, true, testNow)
	const sent = maxPendingChans + 500
	for i := 0; i < sent; i++ {
		handle(t, s, orphanUpdate(i, 0), testNow.Add(time.Duration(i)))
	}
	if st := s.Stats(); st.Pending != maxPendingChans || st.Dropped != sent-maxPendingChans {
		t.Fatalf("count bound: %+v", st)
	}
	if _, ok := s.pending.updates[1]; ok {
		t.Fatal("the oldest entry was not the one evicted")
	}
	later := testNow.Add(pendingTTL + sweepEvery)
	handle(t, s, &lnwire.GossipTimestampFilter{}, later)
	if st := s.Stats(); st.Pending != 0 || st.Dropped != sent || s.pending.bytes != 0 {
		t.Fatalf("after the TTL: %+v, %d bytes", st, s.pending.bytes)
	}
	for i := 0; i < 200; i++ {
		handle(t, s, orphanUpdate(i, 60_000), later)
	}
	if s.pending.bytes > maxPendingBytes || s.pending.len() >= 200 || s.pending.len() == 0 {
		t.Fatalf("byte bound: %d entries, %d bytes", s.pending.len(), s.pending.bytes)
	}
}

// TestPendingNodesBounded is the same for node announcements of nodes
// without a channel.
func TestPendingNodesBounded(t *testing.T) {
	s := NewSyncer(newEmpty(store.NewMemory(), testChain), testChain, true, testNow)
	for i := 0; i < maxPendingNodes+10; i++ {
		handle(t, s, &lnwire.NodeAnnouncement{NodeID: lnwire.Point(nid(i)), Timestamp: 1}, testNow)
	}
	if n := len(s.pending.nodes); n != maxPendingNodes {
		t.Fatalf("%d pending node announcements", n)
	}
}

// rangeOf is a reply_channel_range covering blocks [first, end) with ids.
func rangeOf(first, end uint32, ids []lnwire.ShortChannelID) *lnwire.ReplyChannelRange {
	return &lnwire.ReplyChannelRange{ChainHash: testChain, FirstBlocknum: first, NumberOfBlocks: end - first, ShortChannelIDs: ids}
}

// TestWantedBounded: a peer listing more ids than any graph holds gets
// the excess ignored.
func TestWantedBounded(t *testing.T) {
	s := NewSyncer(newEmpty(store.NewMemory(), testChain), testChain, true, testNow)
	s.Start()
	const replies = maxWanted/8000 + 2
	for r := 0; r < replies; r++ {
		ids := make([]lnwire.ShortChannelID, 8000)
		for i := range ids {
			ids[i] = lnwire.ShortChannelID(r*8000 + i + 1)
		}
		end := uint32(r + 1)
		if r == replies-1 {
			end = math.MaxUint32
		}
		_, err := s.Handle(rangeOf(uint32(r), end, ids), testNow)
		must(t, err)
	}
	if known, _ := s.Progress(); known != maxWanted || s.Stats().Dropped != replies*8000-maxWanted {
		t.Fatalf("kept %d ids, dropped %d", known, s.Stats().Dropped)
	}
}

// TestBatchesFitAMessage: full batches, with and without query_flags,
// encode within the 65,535 bytes of a message.
func TestBatchesFitAMessage(t *testing.T) {
	g := newEmpty(store.NewMemory(), testChain)
	const n = 20_000
	ids := make([]lnwire.ShortChannelID, n)
	ts := make([]lnwire.UpdateTimestamps, n)
	for i := range ids {
		ids[i] = lnwire.ShortChannelID(i + 1)
		ts[i] = lnwire.UpdateTimestamps{Node1: 9, Node2: 9}
		if i < maxFlaggedBatch { // known, with older updates: flagged queries
			g.addTestChannel(ids[i], nid(2*i), nid(2*i+1), 0, pol(1, 1, 1), pol(1, 1, 1))
		}
	}
	s := NewSyncer(g, testChain, true, testNow)
	s.Start()
	reply := rangeOf(0, math.MaxUint32, ids)
	reply.Timestamps = lnwire.Some(ts)
	out, err := s.Handle(reply, testNow)
	must(t, err)
	for want := []int{maxFlaggedBatch, maxQueryBatch, n - maxFlaggedBatch - maxQueryBatch}; len(want) > 0; want = want[1:] {
		q := out[0].(*lnwire.QueryShortChannelIDs)
		if len(q.ShortChannelIDs) != want[0] {
			t.Fatalf("batch of %d ids, want %d", len(q.ShortChannelIDs), want[0])
		}
		if _, err := lnwire.WriteMessage(q); err != nil {
			t.Fatalf("batch of %d ids does not encode: %v", want[0], err)
		}
		out, err = s.Handle(&lnwire.ReplyShortChannelIDsEnd{ChainHash: testChain}, testNow)
		must(t, err)
	}
	if _, ok := out[0].(*lnwire.GossipTimestampFilter); !ok || !s.Done() {
		t.Fatalf("after the last batch: %v", out)
	}
}
