package kvdb

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// ErrJournal marks a commit the journal refused (disk or IndexedDB full,
// quota, I/O): the transaction's changes were not applied, and callers
// can tell a storage failure from a bad transaction.
var ErrJournal = errors.New("kvdb: storage refused the write")

// Journal persists committed changes. Load returns every stored record;
// Commit applies one transaction's changes atomically (it must be durable or
// fail).
//
// The DB calls Commit with the writer lock held and before the new state
// becomes visible, so a failed Commit leaves both storage and memory at the
// previous transaction. Slices handed to Commit are shared with the in-memory
// state: the journal may keep them but must not modify them. A key never
// appears in both puts and deletes of one call, and Commit is never called
// with nothing to do. The DB keeps the slices returned by Load, so Load must
// return memory the journal no longer changes.
type Journal interface {
	Load() ([]Record, error)
	Commit(puts []Record, deletes [][]byte) error
}

// Record is one flat entry of the journal. Key encodes the bucket path and
// the entry kind as described in doc.go; Value is a stored value or, for a
// bucket marker, the bucket's 8-byte big-endian sequence.
type Record struct {
	Key, Value []byte
}

// MemJournal is a map-backed Journal for tests and for callers that want to
// inspect exactly what would be written to durable storage. It can be told
// to fail commits to exercise the error path.
type MemJournal struct {
	mu      sync.Mutex
	records map[string][]byte
	failErr error
	commits int
}

// NewMemJournal returns an empty MemJournal, optionally seeded with records
// (e.g. the output of an earlier Load) so a database can be "reopened".
func NewMemJournal(seed ...Record) *MemJournal {
	m := &MemJournal{records: make(map[string][]byte, len(seed))}
	for _, r := range seed {
		m.records[string(r.Key)] = bytes.Clone(r.Value)
	}
	return m
}

// Load returns a copy of every record, sorted by key so output is stable.
func (m *MemJournal) Load() ([]Record, error) {
	m.mu.Lock()
	defer m.mu.Unlock()

	out := make([]Record, 0, len(m.records))
	for k, v := range m.records {
		out = append(out, Record{Key: []byte(k), Value: bytes.Clone(v)})
	}
	slices.SortFunc(out, func(a, b Record) int {
		return bytes.Compare(a.Key, b.Key)
	})
	return out, nil
}

// Commit applies deletes and puts, or changes nothing and returns the
// injected error set by FailCommits.
func (m *MemJournal) Commit(puts []Record, deletes [][]byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()

	if m.failErr != nil {
		return fmt.Errorf("mem journal: %w", m.failErr)
	}
	for _, k := range deletes {
		delete(m.records, string(k))
	}
	for _, r := range puts {
		m.records[string(r.Key)] = bytes.Clone(r.Value)
	}
	m.commits++
	return nil
}

// FailCommits makes every following Commit fail with err (wrapped) without
// applying anything; nil restores normal operation.
func (m *MemJournal) FailCommits(err error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.failErr = err
}

// Commits reports how many Commit calls succeeded, which lets tests check
// that read-only or empty transactions do not reach storage.
func (m *MemJournal) Commits() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.commits
}

// Len reports the number of stored records.
func (m *MemJournal) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.records)
}
