package node

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"lnwasm/node/graph"
	"lnwasm/node/lnwire"
	"lnwasm/node/peer"
	"lnwasm/node/store"
)

// isGossip reports the BOLT 7 messages the graph's syncer handles.
func isGossip(m lnwire.Message) bool {
	switch m.(type) {
	case *lnwire.ChannelAnnouncement, *lnwire.ChannelUpdate, *lnwire.NodeAnnouncement,
		*lnwire.QueryChannelRange, *lnwire.ReplyChannelRange, *lnwire.QueryShortChannelIDs,
		*lnwire.ReplyShortChannelIDsEnd, *lnwire.GossipTimestampFilter:
		return true
	}
	return false
}

// gossipUp starts a graph sync with a newly connected peer.
func (n *Node) gossipUp(pubHex string, p *peer.Peer) {
	ps, err := n.payments()
	if err != nil || p == nil {
		return
	}
	queries := p.Agreed().Supports(lnwire.GossipQueriesOptional)
	rt := ps.router
	rt.mu.Lock()
	s := graph.NewSyncer(rt.g, *n.cfg.Network.GenesisHash, queries, time.Now())
	if rt.syncers == nil {
		rt.syncers = map[string]*graph.Syncer{}
	}
	rt.syncers[pubHex] = s
	msgs := s.Start()
	rt.mu.Unlock()
	for _, m := range msgs {
		if err := p.Send(m); err != nil {
			n.log.Warn("gossip query", "peer", pubHex, "err", err)
			return
		}
	}
}

// onGossip feeds a peer's gossip to its syncer; a channel_update for one
// of our own private channels is kept as that peer's policy instead.
func (n *Node) onGossip(pubHex string, p *peer.Peer, m lnwire.Message) {
	if u, ok := m.(*lnwire.ChannelUpdate); ok && n.ownChannelUpdate(pubHex, u) {
		return
	}
	ps, err := n.payments()
	if err != nil {
		return
	}
	rt := ps.router
	rt.mu.Lock()
	s := rt.syncers[pubHex]
	var reply []lnwire.Message
	if s != nil {
		reply, err = s.Handle(m, time.Now())
		rt.dirty++
		if s.Done() || rt.dirty >= flushEvery {
			if ferr := rt.g.Flush(); ferr != nil {
				n.log.Warn("store graph", "err", ferr)
			}
			rt.dirty = 0
		}
	}
	rt.mu.Unlock()
	if err != nil {
		n.log.Debug("gossip", "peer", pubHex, "type", m.Type(), "err", err)
	}
	for _, r := range reply {
		if err := p.Send(r); err != nil {
			return
		}
	}
}

// flushEvery is how many gossip messages may wait in memory before the
// graph is written: one write per batch, not per message, keeps a sync
// into IndexedDB fast.
const flushEvery = 500

// ownChannelUpdate stores the peer's channel_update for a channel we have
// with it, after checking its signature. It reports whether u was ours.
func (n *Node) ownChannelUpdate(pubHex string, u *lnwire.ChannelUpdate) bool {
	n.chans.mu.Lock()
	var mine bool
	for _, e := range n.chans.byID {
		if e.peer == pubHex && e.m.SCID() == u.ShortChannelID {
			mine = true
		}
	}
	n.chans.mu.Unlock()
	if !mine {
		return false
	}
	if err := verifyUpdate(pubHex, u); err != nil {
		n.log.Warn("peer's channel_update for our channel", "peer", pubHex, "err", err)
		return true
	}
	if old := n.peerPolicy(u.ShortChannelID); old != nil && old.Timestamp >= u.Timestamp {
		return true
	}
	raw, err := lnwire.WriteMessage(u)
	if err == nil {
		err = n.cfg.Store.Update(func(tx store.Tx) error {
			return tx.Put(bucketPeerPolicies, binary.BigEndian.AppendUint64(nil, uint64(u.ShortChannelID)), raw)
		})
	}
	if err != nil {
		n.log.Warn("store peer's channel policy", "err", err)
	}
	return true
}

// verifyUpdate checks u is signed by the node pubHex, as the graph checks
// every channel_update.
func verifyUpdate(pubHex string, u *lnwire.ChannelUpdate) error {
	raw, ok := pubkeyBytes(pubHex)
	if !ok {
		return fmt.Errorf("node id %q", pubHex)
	}
	pt, err := lnwire.ParsePoint(raw[:])
	if err != nil {
		return err
	}
	return graph.VerifyChannelUpdate(u, pt)
}

// parsePubkey reads a hex node id.
func parsePubkey(h string) (*btcec.PublicKey, error) {
	raw, err := hex.DecodeString(h)
	if err != nil {
		return nil, fmt.Errorf("node id %q: %w", h, err)
	}
	return btcec.ParsePubKey(raw)
}

// pubkeyBytes is a hex node id as bytes.
func pubkeyBytes(h string) ([33]byte, bool) {
	var k [33]byte
	raw, err := hex.DecodeString(h)
	if err != nil || len(raw) != 33 {
		return k, false
	}
	copy(k[:], raw)
	return k, true
}
