package node

import (
	"context"
	"time"

	"lnwasm/node/channel"
	"lnwasm/node/store"
)

// bucketPeerAddrs remembers where each peer we connected to listens, so a
// reload can reconnect to the peers our channels need.
var bucketPeerAddrs = []byte("peer-addrs")

func (n *Node) rememberPeer(pubHex, addr string) {
	err := n.cfg.Store.Update(func(tx store.Tx) error {
		return tx.Put(bucketPeerAddrs, []byte(pubHex), []byte(addr))
	})
	if err != nil {
		n.log.Warn("remember peer address", "peer", pubHex, "err", err)
	}
}

// reconnectChannelPeers dials, in the background and with backoff, every
// peer one of our open channels is with: a channel is only usable, and
// only safe, while its peer can reach us. A channel restored from a
// backup needs its peer too: only the peer can close it.
func (n *Node) reconnectChannelPeers() {
	want := map[string]bool{}
	for _, c := range n.ChannelInfos() {
		open := c.Phase >= channel.PhaseAwaitLocked && c.Phase < channel.PhaseClosing
		if open || (c.Restored && c.Phase == channel.PhaseFailed) {
			want[c.Peer] = true
		}
	}
	for pub := range want {
		var addr []byte
		_ = n.cfg.Store.View(func(tx store.Tx) (err error) {
			addr, err = tx.Get(bucketPeerAddrs, []byte(pub))
			return err
		})
		if addr == nil {
			n.log.Warn("no address for a channel peer; connect to it to use the channel", "peer", pub)
			continue
		}
		go n.dialUntilUp(pub, string(addr))
	}
}

// dialUntilUp connects to a peer, retrying with backoff until it works or
// the wallet locks.
func (n *Node) dialUntilUp(pub, addr string) {
	backoff := minBackoff
	for {
		n.mu.Lock()
		_, kept := n.peers[pub]
		n.mu.Unlock()
		if kept {
			return // connected, or the node's own reconnect loop has it
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err := n.Connect(ctx, pub, addr)
		cancel()
		if err == nil || n.IdentityPubkey() == "" {
			return
		}
		n.log.Info("reconnect to channel peer", "peer", pub, "err", err)
		time.Sleep(backoff)
		backoff = min(2*backoff, maxBackoff)
	}
}
