//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"lnwasm/node"
)

// theNode returns the running node or NOT_STARTED.
func (e *engine) theNode() (*node.Node, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.node == nil {
		return nil, apiErr(codeNotStarted, errors.New("call start first"))
	}
	return e.node, nil
}

// createWallet is lncli create: {password, mnemonic?} → {mnemonic,
// restoredChannels: 0}, or with {backup, backupPassword} a restore from
// an exported backup (restoreWallet).
func (e *engine) createWallet(raw json.RawMessage) (any, error) {
	var p restoreParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("createWallet: %w", err))
	}
	if p.Backup != "" {
		return e.restoreWallet(p)
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	words, err := n.CreateWallet(p.Password, p.Mnemonic)
	if err != nil {
		return nil, err
	}
	return map[string]any{"mnemonic": words, "restoredChannels": 0}, nil
}

// unlockWallet is lncli unlock: {password}.
func (e *engine) unlockWallet(raw json.RawMessage) (any, error) {
	var p struct {
		Password string `json:"password"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("unlockWallet: %w", err))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	if err := n.UnlockWallet(p.Password); err != nil {
		return nil, err
	}
	return map[string]any{}, nil
}
