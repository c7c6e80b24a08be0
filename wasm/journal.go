//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"

	"lnwasm/chain/kvdb"
)

// idbJournal persists the chain's walletdb in IndexedDB through the worker's
// host functions. The worker runs every write in a transaction over both its
// file and database stores, so IndexedDB applies them in the order they were
// made: the header index never gets ahead of the header files it indexes.
type idbJournal struct {
	host js.Value
}

var _ kvdb.Journal = (*idbJournal)(nil)

// Load reads every record of the database store.
func (j *idbJournal) Load() ([]kvdb.Record, error) {
	v, err := await(j.host.Call("kvLoad"))
	if err != nil {
		return nil, fmt.Errorf("load chain db from IndexedDB: %w", err)
	}
	n := v.Length()
	out := make([]kvdb.Record, n)
	for i := 0; i < n; i++ {
		pair := v.Index(i)
		out[i] = kvdb.Record{Key: bytesFromJS(pair.Index(0)), Value: bytesFromJS(pair.Index(1))}
	}
	return out, nil
}

// Commit writes one transaction's changes and returns once IndexedDB has
// committed them.
func (j *idbJournal) Commit(puts []kvdb.Record, deletes [][]byte) error {
	jsPuts := js.Global().Get("Array").New(len(puts))
	for i, r := range puts {
		jsPuts.SetIndex(i, js.ValueOf([]any{bytesToJS(r.Key), bytesToJS(r.Value)}))
	}
	jsDels := js.Global().Get("Array").New(len(deletes))
	for i, k := range deletes {
		jsDels.SetIndex(i, bytesToJS(k))
	}
	if _, err := await(j.host.Call("kvCommit", jsPuts, jsDels)); err != nil {
		return fmt.Errorf("commit chain db to IndexedDB: %w", err)
	}
	return nil
}
