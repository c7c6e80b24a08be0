//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"time"

	"lnwasm/chain"
)

// info is getInfo's result: lncli getinfo's chain fields, plus the sync
// detail the page's progress bar needs, and the wallet's state. Peers and
// channels arrive with the wire and channel issues.
type info struct {
	IdentityPubkey string `json:"identityPubkey"`
	NumPeers       int    `json:"numPeers"`
	WalletState    string `json:"walletState"` // none, locked or unlocked
	Network        string `json:"network"`
	BlockHeight    uint32 `json:"blockHeight"`
	BlockHash      string `json:"blockHash"`
	HeaderHeight   uint32 `json:"headerHeight"`
	FilterHeight   uint32 `json:"filterHeight"`
	TargetHeight   uint32 `json:"targetHeight"`
	SyncedToChain  bool   `json:"syncedToChain"`
	NumChainPeers  int    `json:"numChainPeers"`
	RestoredHeight uint32 `json:"restoredHeight"`
	BridgeBytesIn  uint64 `json:"bridgeBytesIn"`
	BridgeBytesOut uint64 `json:"bridgeBytesOut"`
	// SyncMillis is how long the first sync of this session took, from the
	// backend's start to synced (0 until then): the benchmark's page figure.
	SyncMillis int64  `json:"syncMillis"`
	Version    string `json:"version"`
	// GraphNodes and GraphChannels are our view of the network, like
	// lncli getnetworkinfo's num_nodes and num_channels; GraphSynced says
	// an initial gossip sync finished.
	GraphNodes    int  `json:"graphNodes"`
	GraphChannels int  `json:"graphChannels"`
	GraphSynced   bool `json:"graphSynced"`
}

func (e *engine) getInfo(json.RawMessage) (any, error) {
	e.mu.Lock()
	b := e.backend
	e.mu.Unlock()
	if b == nil {
		return nil, apiErr(codeNotStarted, errors.New("call start first"))
	}
	return e.infoOf(b), nil
}

func (e *engine) infoOf(b *chain.Neutrino) info {
	p := b.Progress()
	e.mu.Lock()
	if p.Synced && e.syncedIn == 0 {
		e.syncedIn = time.Since(e.started)
	}
	in := info{
		Network: e.network, HeaderHeight: p.HeaderHeight, FilterHeight: p.FilterHeight,
		TargetHeight: p.TargetHeight, SyncedToChain: p.Synced, NumChainPeers: p.Peers,
		RestoredHeight: e.restored.HeaderHeight, Version: version, SyncMillis: e.syncedIn.Milliseconds(),
		BridgeBytesIn: e.bytesIn.Load(), BridgeBytesOut: e.bytesOut.Load(),
	}
	nd := e.node
	e.mu.Unlock()
	if nd != nil {
		in.IdentityPubkey = nd.IdentityPubkey()
		in.NumPeers = nd.NumConnected()
		in.WalletState, _ = nd.WalletState()
		g := nd.GraphStats()
		in.GraphNodes, in.GraphChannels, in.GraphSynced = g.Nodes, g.Channels, g.Synced
	}
	if best, err := b.BestBlock(); err == nil {
		in.BlockHeight, in.BlockHash = best.Height, best.Hash.String()
	}
	return in
}

// emitSync sends a sync event whenever the progress changes, so the page
// draws its bar from events rather than polling.
func (e *engine) emitSync(b *chain.Neutrino) {
	var last info
	// Poll finely until the first sync (the page's bar and the benchmark's
	// figure both read it), then at a relaxed pace.
	tick := time.NewTicker(25 * time.Millisecond)
	defer tick.Stop()
	relaxed := false
	for range tick.C {
		now := e.infoOf(b)
		if now.SyncedToChain && !relaxed {
			tick.Reset(200 * time.Millisecond)
			relaxed = true
		}
		cmp := now
		cmp.BridgeBytesIn, cmp.BridgeBytesOut = last.BridgeBytesIn, last.BridgeBytesOut
		if cmp == last {
			continue
		}
		last = now
		raw, err := json.Marshal(map[string]any{"type": "sync", "info": now})
		if err != nil {
			continue
		}
		e.host.Call("emit", string(raw))
	}
}
