package node

import (
	"context"
	"encoding/hex"
	"fmt"
	"net"
	"sort"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"

	"lnwasm/node/lnwire"
	"lnwasm/node/peer"
)

// Reconnect backoff: the first retry after minBackoff, doubling to
// maxBackoff, so a flapping peer neither hammers the bridge nor waits long.
const (
	minBackoff = time.Second
	maxBackoff = time.Minute
)

// peerSlot is a peer we want to stay connected to.
type peerSlot struct {
	pub  *btcec.PublicKey
	addr string
	stop chan struct{}

	mu      sync.Mutex
	current *peer.Peer // nil while reconnecting
	lastErr error
}

// PeerInfo is one row of ListPeers, like lncli listpeers.
type PeerInfo struct {
	Pubkey    string
	Address   string
	Features  []lnwire.FeatureBit
	Connected bool
	PingRTT   time.Duration
	LastError string
}

// parsePeer checks a pubkey in hex and a host:port.
func parsePeer(pubHex, host string) (*btcec.PublicKey, error) {
	raw, err := hex.DecodeString(pubHex)
	if err != nil || len(raw) != 33 {
		return nil, ErrInvalidPubkey
	}
	pub, err := btcec.ParsePubKey(raw)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidPubkey, err)
	}
	if _, port, err := net.SplitHostPort(host); err != nil || port == "" {
		return nil, fmt.Errorf("%w: %q", ErrInvalidHost, host)
	}
	return pub, nil
}

// Connect dials pubkey@host, authenticates it and exchanges init; the
// error says why if any step fails. Once connected the node keeps the peer,
// reconnecting with backoff after a drop, until Disconnect.
func (n *Node) Connect(ctx context.Context, pubHex, host string) error {
	pub, err := parsePeer(pubHex, host)
	if err != nil {
		return err
	}
	if _, err := n.identityKey(); err != nil {
		return err
	}
	key := hex.EncodeToString(pub.SerializeCompressed())
	n.mu.Lock()
	if s, ok := n.peers[key]; ok {
		n.mu.Unlock()
		return waitReconnected(ctx, key, s)
	}
	n.mu.Unlock()
	p, open, err := n.dialPeer(ctx, pub, host)
	if err != nil {
		return err
	}
	s := &peerSlot{pub: pub, addr: host, stop: make(chan struct{}), current: p}
	n.mu.Lock()
	n.peers[key] = s
	n.mu.Unlock()
	n.rememberPeer(key, host)
	n.peerUp(key)
	open()
	n.emit(Event{Type: "peer", Pubkey: key, Connected: true})
	go n.keep(key, s)
	return nil
}

// waitReconnected waits for a kept peer's reconnection (lncli: "already
// connected to peer" once it is up) rather than dialling a second
// connection the peer would drop one of.
func waitReconnected(ctx context.Context, key string, s *peerSlot) error {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for !s.connected() {
		select {
		case <-ctx.Done():
			return fmt.Errorf("connect %s: still reconnecting (last error: %v): %w", key, s.lastError(), ctx.Err())
		case <-s.stop:
			return fmt.Errorf("connect %s: disconnected while reconnecting", key)
		case <-tick.C:
		}
	}
	return nil
}

// dialPeer makes one connection with the node's identity. The peer's
// messages wait until open is called, so our channel_reestablish goes out
// before we answer anything the peer sends (BOLT 2 wants it first).
func (n *Node) dialPeer(ctx context.Context, pub *btcec.PublicKey, host string) (p *peer.Peer, open func(), err error) {
	id, err := n.identityKey()
	if err != nil {
		return nil, nil, err
	}
	key := hex.EncodeToString(pub.SerializeCompressed())
	gate := make(chan struct{})
	cfg := peer.Config{
		Local: id, Features: n.cfg.Features, Chain: *n.cfg.Network.GenesisHash,
		Dial: n.cfg.Dial, PingInterval: n.cfg.PingInterval, PongTimeout: n.cfg.PongTimeout,
		Logger: n.log,
		Handler: func(p *peer.Peer, m lnwire.Message) {
			<-gate
			n.onPeerMessage(key, p, m)
		},
	}
	p, err = peer.Dial(ctx, cfg, pub, host)
	if err != nil {
		return nil, nil, err
	}
	var once sync.Once
	return p, func() { once.Do(func() { close(gate) }) }, nil
}

// keep waits for the connection to end and redials until the slot stops.
func (n *Node) keep(key string, s *peerSlot) {
	backoff := minBackoff
	for {
		p := s.peer()
		select {
		case <-s.stop:
			p.Close()
			n.peerDown(key)
			return
		case <-p.Done():
		}
		s.set(nil, p.Err())
		n.peerDown(key)
		n.emit(Event{Type: "peer", Pubkey: key, Connected: false, Error: errString(p.Err())})
		for {
			select {
			case <-s.stop:
				return
			case <-time.After(backoff):
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			np, open, err := n.dialPeer(ctx, s.pub, s.addr)
			cancel()
			if err == nil {
				s.set(np, nil)
				n.peerUp(key)
				open()
				backoff = minBackoff
				n.log.Info("peer reconnected", "peer", key)
				n.emit(Event{Type: "peer", Pubkey: key, Connected: true})
				break
			}
			s.set(nil, err)
			backoff = min(backoff*2, maxBackoff)
		}
	}
}

// Disconnect drops a peer and stops reconnecting to it.
func (n *Node) Disconnect(pubHex string) error {
	n.mu.Lock()
	s, ok := n.peers[pubHex]
	delete(n.peers, pubHex)
	n.mu.Unlock()
	if !ok {
		return fmt.Errorf("disconnect %s: not a peer", pubHex)
	}
	close(s.stop)
	if p := s.peer(); p != nil {
		p.Close()
	}
	return nil
}

// ListPeers reports every peer the node keeps, connected or not.
func (n *Node) ListPeers() []PeerInfo {
	n.mu.Lock()
	keys := make([]string, 0, len(n.peers))
	for k := range n.peers {
		keys = append(keys, k)
	}
	slots := make([]*peerSlot, len(keys))
	sort.Strings(keys)
	for i, k := range keys {
		slots[i] = n.peers[k]
	}
	n.mu.Unlock()
	out := make([]PeerInfo, len(slots))
	for i, s := range slots {
		out[i] = PeerInfo{Pubkey: keys[i], Address: s.addr, LastError: errString(s.lastError())}
		if p := s.peer(); p != nil {
			out[i].Connected = true
			out[i].Features = p.Features().Bits()
			out[i].PingRTT = p.Stats().PingRTT
		}
	}
	return out
}

func (s *peerSlot) peer() *peer.Peer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.current
}

func (s *peerSlot) set(p *peer.Peer, err error) {
	s.mu.Lock()
	s.current, s.lastErr = p, err
	s.mu.Unlock()
}

func (s *peerSlot) connected() bool { return s.peer() != nil }

func (s *peerSlot) lastError() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lastErr
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// NumConnected counts peers with a live connection (getinfo's num_peers).
func (n *Node) NumConnected() int {
	c := 0
	for _, p := range n.ListPeers() {
		if p.Connected {
			c++
		}
	}
	return c
}
