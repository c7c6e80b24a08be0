package node

import (
	"lnwasm/node/channel"
	"lnwasm/node/lnwire"
	"lnwasm/node/peer"
)

// connectedPeer is the live connection to a peer, or nil.
func (n *Node) connectedPeer(pubHex string) *peer.Peer {
	n.mu.Lock()
	s := n.peers[pubHex]
	n.mu.Unlock()
	if s == nil {
		return nil
	}
	return s.peer()
}

// channelID is the channel a message is about, or false for messages that
// are not about one channel.
func channelID(m lnwire.Message) (lnwire.ChannelID, bool) {
	switch m := m.(type) {
	case *lnwire.AcceptChannel:
		return m.TemporaryChannelID, true
	case *lnwire.FundingCreated:
		return m.TemporaryChannelID, true
	case *lnwire.FundingSigned:
		return m.ChannelID, true
	case *lnwire.ChannelReady:
		return m.ChannelID, true
	case *lnwire.UpdateAddHTLC:
		return m.ChannelID, true
	case *lnwire.UpdateFulfillHTLC:
		return m.ChannelID, true
	case *lnwire.UpdateFailHTLC:
		return m.ChannelID, true
	case *lnwire.UpdateFailMalformedHTLC:
		return m.ChannelID, true
	case *lnwire.UpdateFee:
		return m.ChannelID, true
	case *lnwire.CommitmentSigned:
		return m.ChannelID, true
	case *lnwire.RevokeAndAck:
		return m.ChannelID, true
	case *lnwire.ChannelReestablish:
		return m.ChannelID, true
	case *lnwire.Shutdown:
		return m.ChannelID, true
	case *lnwire.ClosingSigned:
		return m.ChannelID, true
	case *lnwire.Error:
		return m.ChannelID, true
	}
	return lnwire.ChannelID{}, false
}

// onPeerMessage routes a peer's message to its channel, or answers an
// open_channel. It runs on the connection's read goroutine, so a
// channel's messages are handled in the order they arrived.
func (n *Node) onPeerMessage(pubHex string, p *peer.Peer, m lnwire.Message) {
	if oc, ok := m.(*lnwire.OpenChannel); ok {
		n.acceptChannel(pubHex, p, oc)
		return
	}
	if isGossip(m) {
		n.onGossip(pubHex, p, m)
		return
	}
	id, ok := channelID(m)
	if !ok {
		return
	}
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	// A message read before its connection ended belongs to a session that
	// is over: the channel may have been rewound to its stored state (see
	// rewind) or told of the disconnect already. The reestablish brings
	// back whatever it carried.
	if p.Err() != nil {
		n.log.Debug("message from a closed connection dropped", "peer", pubHex, "type", m.Type())
		return
	}
	var targets []*chanEntry
	if e, ok := n.chans.byID[id]; ok && e.peer == pubHex {
		targets = append(targets, e)
	} else if _, isErr := m.(*lnwire.Error); isErr && id.IsZero() {
		// BOLT 1: an error with an all-zero channel_id is about every
		// channel with the sender.
		for _, e := range n.chans.byID {
			if e.peer == pubHex {
				targets = append(targets, e)
			}
		}
	}
	if len(targets) == 0 {
		n.log.Debug("message for unknown channel", "peer", pubHex, "type", m.Type(), "channel", id)
		return
	}
	for _, e := range targets {
		if err := n.step(e, channel.PeerMessage{Msg: m}); err != nil {
			n.log.Warn("channel message", "peer", pubHex, "type", m.Type(), "err", err)
		}
	}
}

// acceptChannel answers a peer's open_channel with our policy.
func (n *Node) acceptChannel(pubHex string, p *peer.Peer, oc *lnwire.OpenChannel) {
	refuse := func(why string) {
		_ = p.Send(&lnwire.Error{ChannelID: oc.TemporaryChannelID, Data: []byte(why)})
	}
	ring, err := n.keyRing()
	if err != nil {
		refuse("wallet locked")
		return
	}
	closeTo, err := n.closeScript()
	if err != nil {
		refuse("no wallet to close to")
		return
	}
	idx, err := n.nextKeyIndex()
	if err != nil {
		refuse("internal error")
		return
	}
	k, err := channel.DeriveLocalKeys(ring, idx)
	if err != nil {
		refuse("internal error")
		return
	}
	pub, err := parsePubkey(pubHex)
	if err != nil {
		return
	}
	m, out, err := channel.NewAccepter(oc, channel.AcceptParams{
		Chain: *n.cfg.Network.GenesisHash, Peer: lnwire.NewPoint(pub), KeyIndex: idx, CloseScript: closeTo,
	}, k, n.chanPolicy(), n.log)
	if err != nil {
		n.log.Info("refused a channel", "peer", pubHex, "err", err)
		if out != nil {
			for _, msg := range out.Msgs {
				_ = p.Send(msg)
			}
		}
		return
	}
	e := &chanEntry{m: m, peer: pubHex}
	n.chans.mu.Lock()
	n.chans.byID[oc.TemporaryChannelID] = e
	n.sendAll(e, out.Msgs)
	n.chans.mu.Unlock()
	n.log.Info("accepting a channel", "peer", pubHex, "sat", oc.FundingSatoshis)
}

// peerUp reestablishes every channel with a newly connected peer and
// starts a graph sync with it.
func (n *Node) peerUp(pubHex string) {
	defer n.gossipUp(pubHex, n.connectedPeer(pubHex))
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	for _, e := range n.chans.byID {
		if e.peer == pubHex {
			if err := n.step(e, channel.Reconnected{}); err != nil {
				n.log.Warn("reestablish", "channel", e.m.ID(), "err", err)
			}
		}
	}
}

// peerDown tells every channel with the peer that it is gone.
func (n *Node) peerDown(pubHex string) {
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	for id, e := range n.chans.byID {
		if e.peer != pubHex {
			continue
		}
		if err := n.step(e, channel.Disconnected{}); err != nil {
			n.log.Warn("disconnect", "channel", e.m.ID(), "err", err)
		}
		if e.m.Phase() == channel.PhaseFailed && e.m.State().ID.IsZero() {
			delete(n.chans.byID, id) // an opening that never got funded
		}
	}
}
