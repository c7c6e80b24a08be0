package graph

import (
	"slices"

	"lnwasm/node/lnwire"
)

// onReplyChannelRange collects the ids of one reply and, on the reply that
// reaches the end of our range, starts the id queries.
//
// The end is told by the blocks covered, not by sync_complete, which older
// implementations set on every reply. BOLT 7 (rationale): By insisting
// that replies be in increasing order, the receiver can easily determine
// if replies are done: simply check if `first_blocknum` plus
// `number_of_blocks` equals or exceeds the `first_blocknum` plus
// `number_of_blocks` it asked for.
func (s *Syncer) onReplyChannelRange(m *lnwire.ReplyChannelRange) ([]lnwire.Message, error) {
	if s.phase != phaseRange {
		return nil, protocolError("reply_channel_range without an outstanding query_channel_range")
	}
	if m.ChainHash != s.chain {
		return nil, protocolError("reply_channel_range for chain %s", m.ChainHash)
	}
	s.collect(m)
	if m.EndBlock() < queryEnd {
		return nil, nil
	}
	s.want = compactWanted(s.want)
	s.total = len(s.want)
	s.phase = phaseQuery
	return []lnwire.Message{s.nextBatch()}, nil
}

// collect appends the reply's ids the graph lacks, or holds older updates
// for, up to maxWanted.
func (s *Syncer) collect(m *lnwire.ReplyChannelRange) {
	ts, haveTS := m.Timestamps.Get()
	s.g.mu.RLock()
	defer s.g.mu.RUnlock()
	for i, scid := range m.ShortChannelIDs {
		var flags lnwire.QueryFlag
		ci, known := s.g.chanIdx[scid]
		switch {
		case !known:
			flags = queryAll
		case haveTS:
			pol := &s.g.chans[ci].pol
			if ts[i].Node1 > pol[0].ts {
				flags |= lnwire.QueryChannelUpdate1
			}
			if ts[i].Node2 > pol[1].ts {
				flags |= lnwire.QueryChannelUpdate2
			}
		}
		if flags == 0 {
			continue
		}
		if len(s.want) >= maxWanted {
			s.stats.Dropped++
			continue
		}
		s.want = append(s.want, wanted{scid, flags})
	}
}

// compactWanted sorts the ids, as encoded_short_ids want them ("MUST
// encode [...] in ascending order"), merging the flags of repeated ones.
func compactWanted(w []wanted) []wanted {
	slices.SortFunc(w, func(a, b wanted) int {
		switch {
		case a.scid < b.scid:
			return -1
		case a.scid > b.scid:
			return 1
		}
		return 0
	})
	out := w[:0]
	for _, x := range w {
		if n := len(out); n > 0 && out[n-1].scid == x.scid {
			out[n-1].flags |= x.flags
			continue
		}
		out = append(out, x)
	}
	return out
}

// onReplyEnd closes the outstanding batch and sends the next.
//
// BOLT 7: MUST NOT send `query_short_channel_ids` if it has sent a
// previous `query_short_channel_ids` to this peer and not received
// `reply_short_channel_ids_end`.
func (s *Syncer) onReplyEnd(m *lnwire.ReplyShortChannelIDsEnd) ([]lnwire.Message, error) {
	if s.phase != phaseQuery || s.flight == 0 {
		return nil, protocolError("reply_short_channel_ids_end without an outstanding query_short_channel_ids")
	}
	if m.ChainHash != s.chain {
		return nil, protocolError("reply_short_channel_ids_end for chain %s", m.ChainHash)
	}
	s.done += s.flight
	s.flight = 0
	return []lnwire.Message{s.nextBatch()}, nil
}

// nextBatch is the next query_short_channel_ids, or, once every id has
// been asked, the gossip_timestamp_filter that ends the initial sync. Ids
// whose channel another peer delivered meanwhile are skipped.
func (s *Syncer) nextBatch() lnwire.Message {
	var ids []lnwire.ShortChannelID
	var flags []lnwire.QueryFlag
	partial, limit := false, s.batch
	for s.next < len(s.want) && len(ids) < limit {
		w := s.want[s.next]
		if w.flags == queryAll && s.g.hasChannel(w.scid) {
			s.next++
			s.done++
			continue
		}
		if w.flags != queryAll && !partial {
			if len(ids) >= s.flaggedBatch {
				break
			}
			partial, limit = true, s.flaggedBatch
		}
		ids = append(ids, w.scid)
		flags = append(flags, w.flags)
		s.next++
	}
	if len(ids) == 0 {
		return s.finish()
	}
	s.flight = len(ids)
	q := &lnwire.QueryShortChannelIDs{ChainHash: s.chain, ShortChannelIDs: ids}
	if partial {
		q.QueryFlags = lnwire.Some(flags)
	}
	return q
}

// finish ends the initial sync with the filter that has the peer send new
// gossip from the sync's start on.
//
// BOLT 7: A node which wants any gossip messages has to send this,
// otherwise no gossip messages would be received. [The receiver] SHOULD
// send all gossip messages whose `timestamp` is greater or equal to
// `first_timestamp`, and less than `first_timestamp` plus
// `timestamp_range`.
func (s *Syncer) finish() lnwire.Message {
	s.phase = phaseDone
	s.want = nil
	first := max(s.start.Add(-filterSlack).Unix(), 0)
	return &lnwire.GossipTimestampFilter{
		ChainHash:      s.chain,
		FirstTimestamp: uint32(min(first, int64(^uint32(0)))),
		TimestampRange: ^uint32(0),
	}
}

// hasChannel reports whether the graph holds scid.
func (g *Graph) hasChannel(scid lnwire.ShortChannelID) bool {
	g.mu.RLock()
	defer g.mu.RUnlock()
	_, ok := g.chanIdx[scid]
	return ok
}
