package node

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/channel"
	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/onchain"
	"lnwasm/node/script"
	"lnwasm/node/store"
)

// The store buckets of channels: each channel's state under its id, the
// next key index, and signed funding transactions by lease id.
var (
	bucketChannels = []byte("channels")
	bucketFunding  = []byte("funding-txs")
	bucketMeta     = []byte("channel-meta")
	keyNextIndex   = []byte("next-key-index")
)

// Channel errors a caller can act on.
var (
	ErrPeerNotConnected = errors.New("not connected to that peer; connect first")
	ErrUnknownChannel   = errors.New("no such channel")
	ErrCommitmentType   = errors.New("unsupported commitment type: want anchors or static_remote_key")
)

// chanEntry is one channel the node runs.
type chanEntry struct {
	m    *channel.Machine
	peer string // hex pubkey
	// opened reports the end of an OpenChannel: nil once the funding
	// transaction is published, or why the opening failed.
	opened chan error
	// closing reports the closing transaction id of a CloseChannel.
	closing chan string
	cancel  []func()
	// res is the on-chain resolution once a commitment closed the
	// channel; watched the outpoints whose spends are watched already,
	// spendWatch whether the funding output's spend is.
	res        *onchain.Resolution
	watched    map[wire.OutPoint]bool
	spendWatch bool
}

// channels is the node's set of channels and the lock that serializes
// every event fed to any of them.
type channels struct {
	mu   sync.Mutex
	byID map[lnwire.ChannelID]*chanEntry
}

// saveChannel persists a channel's state, and in the same transaction
// the revocation-log entry of a peer commitment it just signed; a channel
// without its final id (still negotiating) has nothing at stake and is
// not saved.
func (n *Node) saveChannel(m *channel.Machine, rc *channel.RemoteCommit) error {
	st := m.State()
	if st.ID.IsZero() {
		return nil
	}
	b, err := st.Encode()
	if err != nil {
		return err
	}
	var entry []byte
	if rc != nil {
		if entry, err = json.Marshal(rc); err != nil {
			return err
		}
	}
	return n.cfg.Store.Update(func(tx store.Tx) error {
		if entry != nil {
			if err := tx.Put(bucketRevlog, revlogKey(st.ID, rc.Number), entry); err != nil {
				return err
			}
		}
		return tx.Put(bucketChannels, st.ID[:], b)
	})
}

// nextKeyIndex reserves the key index of a new channel durably, so two
// channels never share keys even across a reload.
func (n *Node) nextKeyIndex() (uint32, error) {
	var idx uint32
	err := n.cfg.Store.Update(func(tx store.Tx) error {
		v, err := tx.Get(bucketMeta, keyNextIndex)
		if err != nil {
			return err
		}
		if len(v) == 4 {
			idx = binary.BigEndian.Uint32(v)
		}
		return tx.Put(bucketMeta, keyNextIndex, binary.BigEndian.AppendUint32(nil, idx+1))
	})
	if err != nil {
		return 0, fmt.Errorf("reserve channel keys: %w", err)
	}
	return idx, nil
}

// closeScript is a fresh wallet script a cooperative close pays us to.
func (n *Node) closeScript() ([]byte, error) {
	w, err := n.theWallet()
	if err != nil {
		return nil, err
	}
	addr, err := w.NewAddress()
	if err != nil {
		return nil, err
	}
	return txscript.PayToAddrScript(addr)
}

// OpenChannelRequest is lncli openchannel's arguments.
type OpenChannelRequest struct {
	NodePubkey      string
	LocalFundingSat int64
	PushSat         int64
	Private         bool
	// CommitmentType is "anchors" (the default) or "static_remote_key".
	CommitmentType string
	// FeeratePerKw is the commitment's initial fee rate; zero asks the
	// chain backend.
	FeeratePerKw uint32
}

func parseCommitmentType(s string) (script.CommitmentType, error) {
	switch s {
	case "", "anchors", "ANCHORS":
		return script.Anchors, nil
	case "static_remote_key", "STATIC_REMOTE_KEY":
		return script.StaticRemoteKey, nil
	}
	return 0, fmt.Errorf("%w: %q", ErrCommitmentType, s)
}

// OpenChannel opens a channel we fund to a connected peer and returns once
// the funding transaction is published, with its channel point.
func (n *Node) OpenChannel(ctx context.Context, req OpenChannelRequest) (wire.OutPoint, error) {
	typ, err := parseCommitmentType(req.CommitmentType)
	if err != nil {
		return wire.OutPoint{}, err
	}
	pub, err := parsePeer(req.NodePubkey, "x:1")
	if err != nil {
		return wire.OutPoint{}, err
	}
	p := n.connectedPeer(req.NodePubkey)
	if p == nil {
		return wire.OutPoint{}, ErrPeerNotConnected
	}
	ring, err := n.keyRing()
	if err != nil {
		return wire.OutPoint{}, err
	}
	rate, err := n.commitFeerate(req.FeeratePerKw)
	if err != nil {
		return wire.OutPoint{}, err
	}
	closeTo, err := n.closeScript()
	if err != nil {
		return wire.OutPoint{}, fmt.Errorf("open channel: %w", err)
	}
	idx, err := n.nextKeyIndex()
	if err != nil {
		return wire.OutPoint{}, err
	}
	k, err := channel.DeriveLocalKeys(ring, idx)
	if err != nil {
		return wire.OutPoint{}, err
	}
	var temp lnwire.ChannelID
	if _, err := rand.Read(temp[:]); err != nil {
		return wire.OutPoint{}, err
	}
	m, out, err := channel.NewOpener(channel.OpenParams{
		Chain: *n.cfg.Network.GenesisHash, Peer: lnwire.NewPoint(pub), TempID: temp, KeyIndex: idx,
		FundingSat: req.LocalFundingSat, PushMsat: uint64(req.PushSat) * 1000, FeeratePerKw: rate,
		Type: typ, Announce: !req.Private, CloseScript: closeTo,
	}, k, n.chanPolicy(), n.log)
	if err != nil {
		return wire.OutPoint{}, err
	}
	e := &chanEntry{m: m, peer: req.NodePubkey, opened: make(chan error, 1)}
	n.chans.mu.Lock()
	n.chans.byID[temp] = e
	n.sendAll(e, out.Msgs)
	n.chans.mu.Unlock()
	select {
	case err := <-e.opened:
		if err != nil {
			return wire.OutPoint{}, fmt.Errorf("open channel: %w", err)
		}
		return e.m.ChannelPoint(), nil
	case <-ctx.Done():
		n.event(e, channel.Disconnected{})
		return wire.OutPoint{}, fmt.Errorf("open channel: %w", ctx.Err())
	}
}

// commitFeerate is the explicit rate or the backend's estimate for the
// commitment (it must confirm within a few blocks if ever broadcast).
func (n *Node) commitFeerate(explicit uint32) (uint32, error) {
	if explicit != 0 {
		return explicit, nil
	}
	if n.cfg.Chain == nil {
		return 0, ErrNoChain
	}
	r, err := n.cfg.Chain.FeeRate(6)
	if err != nil {
		return 0, fmt.Errorf("fee estimate: %w", err)
	}
	return max(uint32(r), 253), nil
}

func (n *Node) chanPolicy() channel.Policy {
	if n.cfg.ChannelPolicy != nil {
		return *n.cfg.ChannelPolicy
	}
	return channel.DefaultPolicy()
}

func (n *Node) keyRing() (*keys.Ring, error) {
	if _, err := n.identityKey(); err != nil {
		return nil, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.ring, nil
}

// findChannel finds a channel by its channel point ("txid:index").
func (n *Node) findChannel(point string) (*chanEntry, error) {
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	for _, e := range n.chans.byID {
		if e.m.ChannelPoint().String() == point {
			return e, nil
		}
	}
	return nil, fmt.Errorf("%w: %s", ErrUnknownChannel, point)
}

// ChannelInfos lists every channel, sorted by channel point.
func (n *Node) ChannelInfos() []channel.Info {
	n.chans.mu.Lock()
	out := make([]channel.Info, 0, len(n.chans.byID))
	for _, e := range n.chans.byID {
		out = append(out, e.m.Info())
	}
	n.chans.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].ChannelPoint.String() < out[j].ChannelPoint.String() })
	return out
}

// CloseChannel closes a channel cooperatively and returns the closing
// transaction id once both sides signed it; with force it broadcasts our
// commitment at once (funds return after our to_self_delay) and returns
// its id.
func (n *Node) CloseChannel(ctx context.Context, point string, feeratePerKw uint32, force bool) (string, error) {
	e, err := n.findChannel(point)
	if err != nil {
		return "", err
	}
	if force {
		return n.forceClose(e)
	}
	rate, err := n.commitFeerate(feeratePerKw)
	if err != nil {
		return "", err
	}
	n.chans.mu.Lock()
	e.closing = make(chan string, 1)
	n.chans.mu.Unlock()
	if err := n.event(e, channel.Close{FeeratePerKw: rate}); err != nil {
		return "", fmt.Errorf("close channel %s: %w", point, err)
	}
	select {
	case txid := <-e.closing:
		return txid, nil
	case <-ctx.Done():
		return "", fmt.Errorf("close channel %s: %w (the close goes on; see pendingChannels)", point, ctx.Err())
	}
}

// UpdateChannelFee moves the commitment fee rate of a channel we opened
// (update_fee); the peer follows with the next commitment. The node does
// this by itself as estimates move; this call sets a rate explicitly.
func (n *Node) UpdateChannelFee(point string, feeratePerKw uint32) error {
	e, err := n.findChannel(point)
	if err != nil {
		return err
	}
	if err := n.event(e, channel.SetFeerate{FeeratePerKw: feeratePerKw}); err != nil {
		return fmt.Errorf("update fee of %s: %w", point, err)
	}
	return nil
}

// forceClose broadcasts our commitment.
func (n *Node) forceClose(e *chanEntry) (string, error) {
	if err := n.event(e, channel.ForceClose{}); err != nil {
		return "", fmt.Errorf("force close %s: %w", e.m.ChannelPoint(), err)
	}
	return e.m.State().Close.Txid.String(), nil
}
