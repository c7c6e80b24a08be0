//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"lnwasm/node"
)

// connect is lncli connect pubkey@host: {pubkey, host}.
func (e *engine) connect(raw json.RawMessage) (any, error) {
	var p struct {
		Pubkey string `json:"pubkey"`
		Host   string `json:"host"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("connect: %w", err))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := n.Connect(ctx, p.Pubkey, p.Host); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}

// peerJSON is one entry of listPeers, named like lncli listpeers.
type peerJSON struct {
	Pubkey    string        `json:"pubkey"`
	Address   string        `json:"address"`
	Connected bool          `json:"connected"`
	Features  []featureJSON `json:"features"`
	PingMs    float64       `json:"pingMs"`
	LastError string        `json:"lastError,omitempty"`
}

type featureJSON struct {
	Bit      uint32 `json:"bit"`
	Name     string `json:"name"`
	Required bool   `json:"required"`
}

// listPeers is lncli listpeers: {peers: [...]}.
func (e *engine) listPeers(json.RawMessage) (any, error) {
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	out := []peerJSON{}
	for _, p := range n.ListPeers() {
		pj := peerJSON{Pubkey: p.Pubkey, Address: p.Address, Connected: p.Connected,
			PingMs: float64(p.PingRTT.Microseconds()) / 1000, LastError: p.LastError, Features: []featureJSON{}}
		for _, b := range p.Features {
			pj.Features = append(pj.Features, featureJSON{Bit: uint32(b), Name: b.String(), Required: b.IsRequired()})
		}
		out = append(out, pj)
	}
	return map[string]any{"peers": out}, nil
}

// emitNodeEvent forwards the node's events to the page.
func (e *engine) emitNodeEvent(ev node.Event) {
	raw, err := json.Marshal(map[string]any{"type": ev.Type, "pubkey": ev.Pubkey,
		"connected": ev.Connected, "error": ev.Error, "channelPoint": ev.ChannelPoint, "state": ev.State})
	if err != nil {
		return
	}
	e.host.Call("emit", string(raw))
}
