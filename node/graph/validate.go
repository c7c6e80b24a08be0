package graph

import (
	"bytes"
	"fmt"

	"lnwasm/node/lnwire"
)

// unknownChannel is ErrUnknownChannel naming scid.
func unknownChannel(scid lnwire.ShortChannelID) error {
	return fmt.Errorf("channel %s: %w", scid, ErrUnknownChannel)
}

// AddChannelAnnouncement adds a channel once its announcement checks out.
// A channel already in the graph makes it a no-op, even if this
// announcement names other nodes: the graph keeps the first valid one (see
// doc.go on what a light client cannot check).
func (g *Graph) AddChannelAnnouncement(m *lnwire.ChannelAnnouncement) error {
	_, err := g.addAnnouncement(m)
	return err
}

// addAnnouncement is AddChannelAnnouncement, also reporting whether the
// channel is new. Signatures are checked without the lock so that peers'
// syncers verify in parallel.
func (g *Graph) addAnnouncement(m *lnwire.ChannelAnnouncement) (bool, error) {
	scid := m.ShortChannelID
	if err := g.checkAnnouncement(m); err != nil {
		return false, fmt.Errorf("channel_announcement %s: %w", scid, err)
	}
	g.mu.RLock()
	_, known := g.chanIdx[scid]
	g.mu.RUnlock()
	if known {
		return false, nil
	}
	// BOLT 7: MUST verify the integrity AND authenticity of the message by
	// verifying the signatures.
	if err := verifyAnnouncement(m); err != nil {
		return false, fmt.Errorf("channel_announcement %s: %w", scid, err)
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if _, known := g.chanIdx[scid]; known {
		return false, nil
	}
	n1, n2 := [33]byte(m.NodeID1), [33]byte(m.NodeID2)
	if len(g.chans) >= MaxChannels || len(g.nodes)+g.newNodes(n1, n2) > MaxNodes {
		return false, fmt.Errorf("channel_announcement %s: %w", scid, ErrFull)
	}
	g.addChannel(scid, n1, n2, 0, hasUnknownRequired(m.Features.Vector()))
	g.dirty.chans[scid] = struct{}{}
	return true, nil
}

// checkAnnouncement applies the rules that need no signature check.
func (g *Graph) checkAnnouncement(m *lnwire.ChannelAnnouncement) error {
	// BOLT 7: if the specified `chain_hash` is unknown to the receiver:
	// MUST ignore the message.
	if m.ChainHash != g.chain {
		return fmt.Errorf("chain %s: %w", m.ChainHash, ErrWrongChain)
	}
	// BOLT 7, the origin node: MUST set `node_id_1` and `node_id_2` to the
	// public keys of the two nodes operating the channel, such that
	// `node_id_1` is the lexicographically-lesser of the two compressed
	// keys sorted in ascending lexicographic order.
	if bytes.Compare(m.NodeID1[:], m.NodeID2[:]) >= 0 {
		return fmt.Errorf("node_id_1 %s is not less than node_id_2 %s: %w", m.NodeID1, m.NodeID2, ErrInvalid)
	}
	if len(m.Features) > maxFeatureBytes {
		return fmt.Errorf("%d bytes of features: %w", len(m.Features), ErrInvalid)
	}
	return nil
}

// verifyAnnouncement checks the four signatures over the one hash.
//
// BOLT 7: MUST set `node_signature_1` and `node_signature_2` to valid
// signatures of the hash `h` (using `node_id_1` and `node_id_2`'s
// respective secrets). MUST set `bitcoin_signature_1` and
// `bitcoin_signature_2` to valid signatures of the hash `h` (using
// `bitcoin_key_1` and `bitcoin_key_2`'s respective secrets).
func verifyAnnouncement(m *lnwire.ChannelAnnouncement) error {
	h, err := signedHash(m)
	if err != nil {
		return err
	}
	checks := []struct {
		field string
		sig   lnwire.Sig
		key   lnwire.Point
	}{
		{"node_signature_1", m.NodeSignature1, m.NodeID1},
		{"node_signature_2", m.NodeSignature2, m.NodeID2},
		{"bitcoin_signature_1", m.BitcoinSignature1, m.BitcoinKey1},
		{"bitcoin_signature_2", m.BitcoinSignature2, m.BitcoinKey2},
	}
	for _, c := range checks {
		if err := verifySig(c.field, c.sig, h, c.key); err != nil {
			return err
		}
	}
	return nil
}

// AddChannelUpdate sets one direction's policy from a channel_update signed
// by that direction's node and newer than the policy held. An update for a
// channel the graph lacks is ErrUnknownChannel: the caller may keep it
// until the announcement arrives.
func (g *Graph) AddChannelUpdate(m *lnwire.ChannelUpdate) error {
	if err := g.addUpdate(m); err != nil {
		return fmt.Errorf("channel_update %s direction %d: %w", m.ShortChannelID, m.ChannelFlags.Direction(), err)
	}
	return nil
}

// ApplyFailureUpdate takes a channel_update that came back inside an onion
// failure (BOLT 4 failure messages such as temporary_channel_failure carry
// one). It gets exactly the checks of gossip: a failing node's word is
// worth no more than its signature.
func (g *Graph) ApplyFailureUpdate(m *lnwire.ChannelUpdate) error {
	if err := g.addUpdate(m); err != nil {
		return fmt.Errorf("channel_update %s from an onion failure: %w", m.ShortChannelID, err)
	}
	return nil
}

// addUpdate does AddChannelUpdate's work, with errors not yet naming the
// message.
func (g *Graph) addUpdate(m *lnwire.ChannelUpdate) error {
	// BOLT 7: if the specified `chain_hash` value is unknown (meaning it
	// isn't active on the specified chain): MUST ignore the channel update.
	if m.ChainHash != g.chain {
		return fmt.Errorf("chain %s: %w", m.ChainHash, ErrWrongChain)
	}
	// BOLT 7, the origin node: MUST set `timestamp` to greater than 0.
	if m.Timestamp == 0 {
		return fmt.Errorf("timestamp 0: %w", ErrInvalid)
	}
	dir := m.ChannelFlags.Direction()
	key, err := g.updateKey(m.ShortChannelID, dir, m.Timestamp)
	if err != nil {
		return err
	}
	// BOLT 7: The `node_id` for the signature verification is taken from
	// the corresponding `channel_announcement`: `node_id_1` if the
	// least-significant bit of flags is 0 or `node_id_2` otherwise.
	h, err := signedHash(m)
	if err != nil {
		return err
	}
	if err := verifySig("signature", m.Signature, h, key); err != nil {
		return err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	ci, ok := g.chanIdx[m.ShortChannelID]
	if !ok { // pruned while we verified
		return ErrUnknownChannel
	}
	p := &g.chans[ci].pol[dir]
	if m.Timestamp <= p.ts {
		return fmt.Errorf("timestamp %d, have %d: %w", m.Timestamp, p.ts, ErrStale)
	}
	*p = policyRec{
		ts: m.Timestamp, disabled: m.ChannelFlags.Disabled(), cltvDelta: m.CLTVExpiryDelta,
		htlcMin: uint64(m.HTLCMinimumMsat), htlcMax: uint64(m.HTLCMaximumMsat),
		feeBase: m.FeeBaseMsat, feeProp: m.FeeProportionalMillionths,
	}
	g.dirty.chans[m.ShortChannelID] = struct{}{}
	return nil
}

// updateKey returns the key that must have signed an update of the
// channel's direction dir with timestamp ts, or why the update is not
// wanted.
//
// BOLT 7: if the `short_channel_id` does NOT match a previous
// `channel_announcement` [...]: MUST ignore `channel_update`s that do NOT
// correspond to one of its own channels. [...] if the `timestamp` is equal
// to the last-received `channel_update` for this `short_channel_id` AND
// `node_id`: [...] SHOULD ignore this message. if `timestamp` is lower than
// that of the last-received `channel_update` [...]: SHOULD ignore the
// message.
func (g *Graph) updateKey(scid lnwire.ShortChannelID, dir int, ts uint32) (lnwire.Point, error) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	ci, ok := g.chanIdx[scid]
	if !ok {
		return lnwire.Point{}, ErrUnknownChannel
	}
	c := &g.chans[ci]
	if have := c.pol[dir].ts; ts <= have {
		return lnwire.Point{}, fmt.Errorf("timestamp %d, have %d: %w", ts, have, ErrStale)
	}
	return lnwire.Point(g.nodes[c.n[dir]].id), nil
}

// AddNodeAnnouncement records what a node says about itself, for a node
// that has a channel, when signed by it and newer than what is held.
func (g *Graph) AddNodeAnnouncement(m *lnwire.NodeAnnouncement) error {
	if err := g.addNodeAnnouncement(m); err != nil {
		return fmt.Errorf("node_announcement %s: %w", m.NodeID, err)
	}
	return nil
}

// addNodeAnnouncement does AddNodeAnnouncement's work.
//
// BOLT 7: if `node_id` is NOT previously known from a
// `channel_announcement` message, OR if `timestamp` is NOT greater than
// the last-received `node_announcement` from this `node_id`: SHOULD ignore
// the message.
func (g *Graph) addNodeAnnouncement(m *lnwire.NodeAnnouncement) error {
	id := [33]byte(m.NodeID)
	if have, ok := g.nodeTimestamp(id); !ok {
		return ErrUnknownNode
	} else if m.Timestamp <= have {
		return fmt.Errorf("timestamp %d, have %d: %w", m.Timestamp, have, ErrStale)
	}
	if len(m.Features) > maxFeatureBytes {
		return fmt.Errorf("%d bytes of features: %w", len(m.Features), ErrInvalid)
	}
	// BOLT 7: if `signature` is NOT a valid signature (using `node_id` of
	// the double-SHA256 of the entire message following the `signature`
	// field, including any future fields appended to the end): [...] MUST
	// NOT process the message further.
	h, err := signedHash(m)
	if err != nil {
		return err
	}
	if err := verifySig("signature", m.Signature, h, m.NodeID); err != nil {
		return err
	}
	info := newNodeInfo(m)
	g.mu.Lock()
	defer g.mu.Unlock()
	ni, ok := g.nodeIdx[id]
	if !ok {
		return ErrUnknownNode
	}
	n := &g.nodes[ni]
	if n.info != nil && m.Timestamp <= n.info.ts {
		return fmt.Errorf("timestamp %d, have %d: %w", m.Timestamp, n.info.ts, ErrStale)
	}
	n.info, n.noTransit = info, hasUnknownRequired(info.features)
	g.dirty.nodes[id] = struct{}{}
	return nil
}

// nodeTimestamp is the node's announcement timestamp (0 without one) and
// whether the node is known.
func (g *Graph) nodeTimestamp(id [33]byte) (uint32, bool) {
	g.mu.RLock()
	defer g.mu.RUnlock()
	ni, ok := g.nodeIdx[id]
	if !ok {
		return 0, false
	}
	if info := g.nodes[ni].info; info != nil {
		return info.ts, true
	}
	return 0, true
}

// newNodeInfo copies what the graph keeps of an announcement, so that none
// of it aliases the message, leaving out the addresses BOLT 7 says to
// ignore.
func newNodeInfo(m *lnwire.NodeAnnouncement) *nodeInfo {
	info := &nodeInfo{ts: m.Timestamp, color: m.RGBColor, alias: m.Alias, features: m.Features.Vector()}
	dns := false
	for _, a := range m.Addresses {
		if len(info.addrs) == maxAddresses {
			break
		}
		switch {
		// BOLT 7: SHOULD ignore Tor v2 onion services.
		case a.Type == lnwire.AddressTorV2:
			continue
		// BOLT 7: if `port` is equal to 0: SHOULD ignore `ipv6_addr` OR
		// `ipv4_addr` OR `hostname`.
		case a.Port == 0 && a.Type != lnwire.AddressTorV3:
			continue
		// BOLT 7: if more than one `type 5` address is announced: SHOULD
		// ignore the additional data.
		case a.Type == lnwire.AddressDNS && dns:
			continue
		}
		dns = dns || a.Type == lnwire.AddressDNS
		info.addrs = append(info.addrs, lnwire.NetAddress{Type: a.Type, Addr: bytes.Clone(a.Addr), Port: a.Port})
	}
	return info
}
