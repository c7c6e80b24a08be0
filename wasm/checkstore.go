//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"

	"lnwasm/node/store"
	"lnwasm/node/store/storecheck"
	"lnwasm/node/store/wdbstore"
)

// checkStore runs the store conformance cases (the same ones go test runs
// against the memory and file stores) against this browser's IndexedDB,
// each in a scratch root bucket that is dropped afterwards. It is what
// proves the node's persistence in the browser: {results: [{name,
// error?}]}. Only on regtest, where a test drives it.
func (e *engine) checkStore(json.RawMessage) (any, error) {
	e.mu.Lock()
	db, network := e.db, e.network
	e.mu.Unlock()
	if db == nil {
		return nil, apiErr(codeNotStarted, errors.New("checkStore: start the engine first"))
	}
	if network != "regtest" {
		return nil, apiErr(codeInvalidArgument, errors.New("checkStore runs on regtest only"))
	}
	var opened []*wdbstore.Store
	results := storecheck.RunAll(func(i int) (store.Store, error) {
		s, err := wdbstore.NewAt(db, []byte(fmt.Sprintf("lnwasm-selftest-%d", i)))
		if err == nil {
			opened = append(opened, s)
		}
		return s, err
	})
	for _, s := range opened {
		if err := s.Drop(); err != nil {
			return nil, apiErr(codeStorage, fmt.Errorf("checkStore: drop scratch bucket: %w", err))
		}
	}
	return map[string]any{"results": results}, nil
}
