//go:build js && wasm

package main

import (
	"encoding/binary"
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
// committed them. The records cross to JS packed in one buffer (see
// packRecords), since a JS call per record costs more than the write.
func (j *idbJournal) Commit(puts []kvdb.Record, deletes [][]byte) error {
	if _, err := await(j.host.Call("kvCommit", bytesToJS(packRecords(puts, deletes)))); err != nil {
		return fmt.Errorf("commit chain db to IndexedDB: %w", err)
	}
	return nil
}

// packRecords lays out puts and deletes as web/idbfs.js's unpackRecords
// reads them: little-endian uint32 counts and length prefixes.
func packRecords(puts []kvdb.Record, deletes [][]byte) []byte {
	size := 8
	for _, r := range puts {
		size += 8 + len(r.Key) + len(r.Value)
	}
	for _, k := range deletes {
		size += 4 + len(k)
	}
	out := make([]byte, 0, size)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(puts)))
	for _, r := range puts {
		out = appendBytes(appendBytes(out, r.Key), r.Value)
	}
	out = binary.LittleEndian.AppendUint32(out, uint32(len(deletes)))
	for _, k := range deletes {
		out = appendBytes(out, k)
	}
	return out
}

func appendBytes(out, b []byte) []byte {
	return append(binary.LittleEndian.AppendUint32(out, uint32(len(b))), b...)
}
