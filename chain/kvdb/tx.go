package kvdb

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/btcsuite/btcwallet/walletdb"
)

// tx implements walletdb.ReadTx and walletdb.ReadWriteTx. A read transaction
// only reads the snapshot it started with. A write transaction builds a
// copy-on-write successor of that snapshot, owning (and mutating in place)
// only nodes it created, and records every logical change in dirty so Commit
// can hand the journal a minimal diff. Like bbolt transactions, a tx must not
// be used from several goroutines at once.
type tx struct {
	db       *DB
	writable bool
	closed   bool

	// id is the owner id of nodes this transaction may mutate; 0 for
	// read transactions, which never mutate.
	id uint64

	// base is the committed root the transaction started from; root is
	// the working root (equal to base until the first write).
	base, root *bucketState

	// layout changes whenever a bucket is replaced, created or deleted,
	// invalidating the bucket pointers cached in handles.
	layout uint64

	// writes changes on every mutation, invalidating cursor paths.
	writes uint64

	// dirty maps the flat key of every touched record to its latest
	// state in this transaction.
	dirty map[string]change

	onCommit []func()
}

// change is the latest state of one flat record within a write transaction.
type change struct {
	fk    flatKey
	value []byte
	del   bool
}

// Compile-time check that tx provides the walletdb transaction interfaces.
var _ walletdb.ReadWriteTx = (*tx)(nil)

// newTx starts a transaction on the committed root.
func newTx(db *DB, root *bucketState, writable bool, id uint64) *tx {
	t := &tx{db: db, writable: writable, id: id, base: root, root: root}
	if writable {
		t.dirty = make(map[string]change)
	}
	return t
}

// rootBucket is a handle on the root bucket, which holds only the top-level
// buckets. It is never handed out, so callers cannot put values there.
func (t *tx) rootBucket() *bucket {
	return &bucket{tx: t}
}

// ReadBucket returns the top-level bucket key, or nil if it does not exist or
// the transaction is closed.
func (t *tx) ReadBucket(key []byte) walletdb.ReadBucket {
	if b := t.rootBucket().nested(key); b != nil {
		return b
	}
	return nil
}

// ReadWriteBucket is ReadBucket for writing. On a read-only transaction the
// bucket is returned anyway and its writes fail with ErrTxNotWritable, as
// with bbolt.
func (t *tx) ReadWriteBucket(key []byte) walletdb.ReadWriteBucket {
	if b := t.rootBucket().nested(key); b != nil {
		return b
	}
	return nil
}

// ForEachBucket calls fn with the name of every top-level bucket in byte
// order.
func (t *tx) ForEachBucket(fn func(key []byte) error) error {
	return t.rootBucket().ForEach(func(k, _ []byte) error {
		return fn(k)
	})
}

// CreateTopLevelBucket returns the top-level bucket key, creating it if
// needed; bdb also uses create-if-not-exists here and callers such as
// walletdbtest's batch test rely on it.
func (t *tx) CreateTopLevelBucket(key []byte) (walletdb.ReadWriteBucket,
	error) {

	return t.rootBucket().CreateBucketIfNotExists(key)
}

// DeleteTopLevelBucket deletes the top-level bucket key and everything in
// it.
func (t *tx) DeleteTopLevelBucket(key []byte) error {
	return t.rootBucket().DeleteNestedBucket(key)
}

// OnCommit registers f to run after a successful Commit, once the new state
// is visible and the writer lock is released (bbolt's order).
func (t *tx) OnCommit(f func()) {
	t.onCommit = append(t.onCommit, f)
}

// Rollback closes the transaction and discards its changes.
func (t *tx) Rollback() error {
	if t.closed {
		return walletdb.ErrTxClosed
	}
	t.finish()
	return nil
}

// Commit writes the transaction's minimal diff to the journal and, only if
// that succeeded, publishes the new state. On a journal error the
// transaction is closed, nothing becomes visible and the error is returned
// wrapped, so callers never continue on state storage did not accept.
func (t *tx) Commit() error {
	if t.closed {
		return walletdb.ErrTxClosed
	}
	if !t.writable {
		return walletdb.ErrTxNotWritable
	}
	puts, dels := t.changes()
	if j := t.db.journal; j != nil && len(puts)+len(dels) > 0 {
		if err := j.Commit(puts, dels); err != nil {
			t.finish()
			return fmt.Errorf("%w: commit of %d puts and %d deletes: %w",
				ErrJournal, len(puts), len(dels), err)
		}
	}
	if t.root != t.base {
		t.db.snap.Store(t.root)
		t.db.commits.Add(1)
	}
	handlers := t.onCommit
	t.finish()
	for _, fn := range handlers {
		fn()
	}
	return nil
}

// finish closes the transaction, releases the writer lock and drops the
// references to state so it can be garbage collected.
func (t *tx) finish() {
	t.closed = true
	t.base, t.root, t.dirty, t.onCommit = nil, nil, nil, nil
	if t.writable {
		t.db.writeMu.Unlock()
	}
}

// changes turns dirty into journal puts and deletes, dropping entries whose
// final state equals the committed one (e.g. a key put and deleted again).
// Both lists are sorted by key so journal writes are deterministic.
func (t *tx) changes() ([]Record, [][]byte) {
	var puts []Record
	var dels [][]byte
	cache := make(map[string]*bucketState)
	for k, c := range t.dirty {
		old, found := t.committed(c.fk, cache)
		switch {
		case c.del && found:
			dels = append(dels, []byte(k))
		case !c.del && (!found || !bytes.Equal(old, c.value)):
			puts = append(puts, Record{Key: []byte(k), Value: c.value})
		}
	}
	slices.SortFunc(puts, func(a, b Record) int {
		return bytes.Compare(a.Key, b.Key)
	})
	slices.SortFunc(dels, bytes.Compare)
	return puts, dels
}

// committed returns the record value fk had in the snapshot the transaction
// started from. cache memoises bucket lookups by encoded path.
func (t *tx) committed(fk flatKey, cache map[string]*bucketState) ([]byte,
	bool) {

	enc := string(appendPath(nil, fk.path))
	st, ok := cache[enc]
	if !ok {
		st = lookupBucket(t.base, fk.path)
		cache[enc] = st
	}
	if st == nil {
		return nil, false
	}
	if fk.isBucket {
		return encodeSeq(st.seq), true
	}
	n := treeGet(st.root, fk.key)
	if n == nil || n.child != nil {
		return nil, false
	}
	return n.value, true
}

// lookupBucket follows path from root and returns the bucket there, or nil.
func lookupBucket(root *bucketState, path [][]byte) *bucketState {
	st := root
	for _, name := range path {
		n := treeGet(st.root, name)
		if n == nil || n.child == nil {
			return nil
		}
		st = n.child
	}
	return st
}

// ownRoot makes the working root owned by this transaction.
func (t *tx) ownRoot() *bucketState {
	if t.root.owner != t.id {
		t.root = t.root.ownedBy(t.id)
		t.layout++
	}
	return t.root
}

// markPut records that fk now holds value.
func (t *tx) markPut(fk flatKey, value []byte) {
	t.dirty[string(fk.encode())] = change{fk: fk, value: value}
}

// markDelete records that fk no longer exists.
func (t *tx) markDelete(fk flatKey) {
	t.dirty[string(fk.encode())] = change{fk: fk, del: true}
}
