package graph

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node/lnwire"
)

// Bounds of one Syncer, against a peer that sends more than any honest
// graph holds.
const (
	// maxQueryBatch is the most ids in one query_short_channel_ids
	// without query_flags: 8000 ids are 64,000 bytes, within the 65,535 of
	// a message.
	maxQueryBatch = 8000
	// maxFlaggedBatch is the most with query_flags, one byte per id more.
	maxFlaggedBatch = 7000
	// maxWanted bounds the ids collected from reply_channel_range.
	maxWanted = MaxChannels
	// filterSlack is how far before the sync's start the final
	// gossip_timestamp_filter reaches, so that updates signed while the
	// queries ran, and clocks a little apart, are still sent to us.
	filterSlack = 10 * time.Minute
)

// queryAll asks for a channel's announcement, both updates and both node
// announcements.
const queryAll = lnwire.QueryChannelAnnouncement | lnwire.QueryChannelUpdate1 |
	lnwire.QueryChannelUpdate2 | lnwire.QueryNodeAnnouncement1 | lnwire.QueryNodeAnnouncement2

// syncPhase is where a Syncer is in the initial sync.
type syncPhase int

const (
	phaseIdle  syncPhase = iota // Start not called
	phaseRange                  // query_channel_range sent, replies coming
	phaseQuery                  // query_short_channel_ids batches
	phaseDone                   // gossip_timestamp_filter sent, or no queries
)

// wanted is one channel to ask the peer about, and what to ask.
type wanted struct {
	scid  lnwire.ShortChannelID
	flags lnwire.QueryFlag
}

// SyncStats counts what a Syncer did with the peer's gossip.
type SyncStats struct {
	Channels, Updates, Nodes int // accepted into the graph
	Stale                    int // not newer than the graph's
	BadSignatures            int // refused: ErrBadSignature
	Invalid                  int // refused: ErrInvalid, ErrWrongChain, ErrFull
	Pending                  int // kept for an announcement not yet seen
	Dropped                  int // pending ones expired or evicted, ids over the bound
}

// Syncer runs the BOLT 7 gossip queries with one peer: it asks for the
// channel ids the peer knows, queries the ones the graph lacks (or holds
// older updates for) in batches, then sends gossip_timestamp_filter so the
// peer keeps us current. It is sans-I/O and not safe for concurrent use:
// the peer's goroutine feeds it messages and sends what it returns.
type Syncer struct {
	g       *Graph
	chain   chainhash.Hash
	queries bool
	start   time.Time
	phase   syncPhase
	want    []wanted
	next    int // index in want of the next batch's first id
	flight  int // ids in the outstanding query_short_channel_ids, 0: none
	total   int // ids to query once the range is complete
	done    int // ids answered or skipped
	pending pendingSet
	stats   SyncStats
	// batch and flaggedBatch are maxQueryBatch and maxFlaggedBatch; tests
	// lower them to see several batches without thousands of channels.
	batch, flaggedBatch int
}

// NewSyncer prepares the sync with one peer. peerSupportsQueries is
// whether the peer offers gossip_queries; now is when the sync starts.
func NewSyncer(g *Graph, chain chainhash.Hash, peerSupportsQueries bool, now time.Time) *Syncer {
	return &Syncer{
		g: g, chain: chain, queries: peerSupportsQueries, start: now, pending: newPendingSet(),
		batch: maxQueryBatch, flaggedBatch: maxFlaggedBatch,
	}
}

// Start returns the first messages to send: query_channel_range over every
// block, asking for the updates' timestamps so that channels we already
// hold get their newer updates fetched too. A peer without gossip_queries
// gets nothing: BOLT 7 says such a node "is not worth querying for gossip";
// its own channels' gossip still reaches Handle.
func (s *Syncer) Start() []lnwire.Message {
	if s.phase != phaseIdle {
		return nil
	}
	if !s.queries {
		s.phase = phaseDone
		return nil
	}
	s.phase = phaseRange
	return []lnwire.Message{&lnwire.QueryChannelRange{
		ChainHash:      s.chain,
		FirstBlocknum:  0,
		NumberOfBlocks: math.MaxUint32,
		QueryOption:    lnwire.Some(lnwire.QueryOptionTimestamps),
	}}
}

// queryEnd is first_blocknum + number_of_blocks of Start's query.
const queryEnd = math.MaxUint32

// Done reports whether the initial sync is over.
func (s *Syncer) Done() bool { return s.phase == phaseDone }

// Progress is the number of channels the sync will query (known once the
// range replies are complete) and how many of them the peer has answered.
func (s *Syncer) Progress() (known, queried int) { return s.total, s.done }

// Stats is what the Syncer did so far.
func (s *Syncer) Stats() SyncStats {
	st := s.stats
	st.Pending = s.pending.len()
	return st
}

// Handle takes one message from the peer and returns the messages to send
// back. Messages that are not gossip are ignored. An error never stops the
// sync: ErrBadSignature and ErrInvalid mean the peer relayed gossip that
// BOLT 7 says to ignore (the host may send a warning); ErrProtocol means
// it broke the query protocol (the host may disconnect).
func (s *Syncer) Handle(m lnwire.Message, now time.Time) ([]lnwire.Message, error) {
	s.stats.Dropped += s.pending.sweep(now)
	switch m := m.(type) {
	case *lnwire.ChannelAnnouncement:
		return nil, s.onChannelAnnouncement(m, now)
	case *lnwire.ChannelUpdate:
		return nil, s.onChannelUpdate(m, now)
	case *lnwire.NodeAnnouncement:
		return nil, s.onNodeAnnouncement(m, now)
	case *lnwire.ReplyChannelRange:
		return s.onReplyChannelRange(m)
	case *lnwire.ReplyShortChannelIDsEnd:
		return s.onReplyEnd(m)
	case *lnwire.QueryChannelRange:
		return []lnwire.Message{answerRange(m)}, nil
	case *lnwire.QueryShortChannelIDs:
		return []lnwire.Message{answerIDs(m)}, nil
	}
	// gossip_timestamp_filter among others: we relay nothing, so a filter
	// on what we would relay has nothing to act on.
	return nil, nil
}

// answerRange is our whole answer to a peer's query_channel_range: one
// reply covering its range, without ids, since we relay no gossip.
//
// BOLT 7: MUST set with `chain_hash` equal to that of
// `query_channel_range` [...] the first `reply_channel_range` message: MUST
// set `first_blocknum` less than or equal to the `first_blocknum` in
// `query_channel_range`. MUST set `first_blocknum` plus `number_of_blocks`
// greater than `first_blocknum` in `query_channel_range`. [...] the final
// `reply_channel_range` message: MUST have `first_blocknum` plus
// `number_of_blocks` equal or greater than the `query_channel_range`
// `first_blocknum` plus `number_of_blocks`. MUST set `sync_complete` to
// `true`.
func answerRange(q *lnwire.QueryChannelRange) lnwire.Message {
	return &lnwire.ReplyChannelRange{
		ChainHash:      q.ChainHash,
		FirstBlocknum:  q.FirstBlocknum,
		NumberOfBlocks: max(q.NumberOfBlocks, 1),
		SyncComplete:   true,
	}
}

// answerIDs is our answer to a peer's query_short_channel_ids: we keep no
// signed messages to send, so we answer with the end alone and say our
// information is not full.
//
// BOLT 7: MUST follow these responses with `reply_short_channel_ids_end`.
// if does not maintain up-to-date channel information for `chain_hash`:
// MUST set `full_information` to 0.
func answerIDs(q *lnwire.QueryShortChannelIDs) lnwire.Message {
	return &lnwire.ReplyShortChannelIDsEnd{ChainHash: q.ChainHash, FullInformation: false}
}

// count files a graph error under its stat, and returns what Handle
// should: nil for the ordinary outcomes of gossip (stale, duplicate), the
// error for messages BOLT 7 says to warn about.
func (s *Syncer) count(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrStale):
		s.stats.Stale++
		return nil
	case errors.Is(err, ErrBadSignature):
		s.stats.BadSignatures++
	case errors.Is(err, ErrWrongChain):
		// BOLT 7 says to ignore it; nothing to warn about.
		s.stats.Invalid++
		return nil
	default:
		s.stats.Invalid++
	}
	return err
}

// onChannelAnnouncement adds the channel, then whatever was waiting for it.
func (s *Syncer) onChannelAnnouncement(m *lnwire.ChannelAnnouncement, now time.Time) error {
	added, err := s.g.addAnnouncement(m)
	if err != nil {
		return s.count(err)
	}
	if added {
		s.stats.Channels++
	}
	var first error
	for _, u := range s.pending.takeUpdates(m.ShortChannelID) {
		if err := s.onChannelUpdate(u, now); first == nil {
			first = err
		}
	}
	for _, id := range [2]lnwire.Point{m.NodeID1, m.NodeID2} {
		if n := s.pending.takeNode([33]byte(id)); n != nil {
			if err := s.onNodeAnnouncement(n, now); first == nil {
				first = err
			}
		}
	}
	return first
}

// onChannelUpdate applies an update, keeping it if its channel is unknown.
//
// BOLT 7 (query_short_channel_ids): [the sender] MAY send this if it
// receives a `channel_update` for a `short_channel_id` for which it has no
// `channel_announcement`. Peers send gossip in any order, so the update is
// kept briefly for the announcement that usually follows.
func (s *Syncer) onChannelUpdate(m *lnwire.ChannelUpdate, now time.Time) error {
	err := s.g.AddChannelUpdate(m)
	if errors.Is(err, ErrUnknownChannel) && m.ChainHash == s.chain {
		s.stats.Dropped += s.pending.addUpdate(m, now)
		return nil
	}
	if err == nil {
		s.stats.Updates++
	}
	return s.count(err)
}

// onNodeAnnouncement applies a node announcement, keeping it if its node
// has no channel yet.
func (s *Syncer) onNodeAnnouncement(m *lnwire.NodeAnnouncement, now time.Time) error {
	err := s.g.AddNodeAnnouncement(m)
	if errors.Is(err, ErrUnknownNode) {
		s.stats.Dropped += s.pending.addNode(m, now)
		return nil
	}
	if err == nil {
		s.stats.Nodes++
	}
	return s.count(err)
}

// protocolError is ErrProtocol explaining what the peer did.
func protocolError(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrProtocol, fmt.Sprintf(format, args...))
}
