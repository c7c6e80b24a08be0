//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"time"

	"lnwasm/chain"
)

// info is getInfo's result: lncli getinfo's chain fields, plus the sync
// detail the page's progress bar needs. Identity, alias, peers and channels
// arrive with the wire and channel issues.
type info struct {
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
	Version        string `json:"version"`
}

func (e *engine) getInfo(json.RawMessage) (any, error) {
	e.mu.Lock()
	b, network, restored := e.backend, e.network, e.restored
	e.mu.Unlock()
	if b == nil {
		return nil, apiErr(codeNotStarted, errors.New("call start first"))
	}
	return e.infoOf(b, network, restored), nil
}

func (e *engine) infoOf(b *chain.Neutrino, network string, restored chain.Progress) info {
	p := b.Progress()
	in := info{
		Network: network, HeaderHeight: p.HeaderHeight, FilterHeight: p.FilterHeight,
		TargetHeight: p.TargetHeight, SyncedToChain: p.Synced, NumChainPeers: p.Peers,
		RestoredHeight: restored.HeaderHeight, Version: version,
		BridgeBytesIn: e.bytesIn.Load(), BridgeBytesOut: e.bytesOut.Load(),
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
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		e.mu.Lock()
		network, restored := e.network, e.restored
		e.mu.Unlock()
		now := e.infoOf(b, network, restored)
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
