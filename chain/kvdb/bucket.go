package kvdb

import (
	"bytes"

	"github.com/btcsuite/btcwallet/walletdb"
)

// Size limits copied from bbolt so code tested here does not start failing
// when run against bdb.
const (
	maxKeySize   = 32768
	maxValueSize = (1 << 31) - 2
)

// bucket is a handle on a bucket inside one transaction. It is identified by
// its path of names from the root, because a write may replace the bucket's
// state with a private copy; the resolved state is cached until the
// transaction's layout changes. A handle whose bucket was deleted reads as
// empty and its writes fail with ErrBucketNotFound (bbolt leaves this
// undefined).
type bucket struct {
	tx     *tx
	path   [][]byte
	state  *bucketState
	layout uint64
}

// Compile-time check that bucket provides the walletdb bucket interfaces.
var _ walletdb.ReadWriteBucket = (*bucket)(nil)

// resolve returns the bucket's current state, or nil if the transaction is
// closed or the bucket no longer exists.
func (b *bucket) resolve() *bucketState {
	t := b.tx
	if t.closed {
		return nil
	}
	if b.state != nil && b.layout == t.layout {
		return b.state
	}
	b.state, b.layout = lookupBucket(t.root, b.path), t.layout
	return b.state
}

// owned returns the bucket's state after making it, and every bucket above
// it, private to the write transaction so it can be mutated in place.
func (b *bucket) owned() (*bucketState, error) {
	t := b.tx
	st := b.resolve()
	if st == nil {
		return nil, walletdb.ErrBucketNotFound
	}
	if st.owner == t.id {
		return st, nil
	}
	st = t.ownRoot()
	for _, name := range b.path {
		n := treeGet(st.root, name)
		if n == nil || n.child == nil {
			return nil, walletdb.ErrBucketNotFound
		}
		child := n.child
		if child.owner != t.id {
			child = child.ownedBy(t.id)
			st.root = treePut(st.root, n.key, nil, child, t.id)
			t.layout++
		}
		st = child
	}
	b.state, b.layout = st, t.layout
	return st, nil
}

// writeCheck returns the error bbolt gives for writes on a closed or
// read-only transaction.
func (b *bucket) writeCheck() error {
	switch {
	case b.tx.closed:
		return walletdb.ErrTxClosed
	case !b.tx.writable:
		return walletdb.ErrTxNotWritable
	}
	return nil
}

// childPath is the path of the nested bucket name.
func (b *bucket) childPath(name []byte) [][]byte {
	return append(b.path[:len(b.path):len(b.path)], name)
}

// nested returns a handle on the nested bucket key, or nil.
func (b *bucket) nested(key []byte) *bucket {
	st := b.resolve()
	if st == nil {
		return nil
	}
	n := treeGet(st.root, key)
	if n == nil || n.child == nil {
		return nil
	}
	return &bucket{
		tx: b.tx, path: b.childPath(n.key),
		state: n.child, layout: b.tx.layout,
	}
}

// NestedReadBucket returns the nested bucket key, or nil.
func (b *bucket) NestedReadBucket(key []byte) walletdb.ReadBucket {
	if c := b.nested(key); c != nil {
		return c
	}
	return nil
}

// NestedReadWriteBucket returns the nested bucket key, or nil.
func (b *bucket) NestedReadWriteBucket(key []byte) walletdb.ReadWriteBucket {
	if c := b.nested(key); c != nil {
		return c
	}
	return nil
}

// Get returns the value of key, or nil if key is absent or names a nested
// bucket. An empty stored value is returned as a non-nil empty slice. The
// slice is shared with the database and must not be modified; its capacity
// is clipped so appending to it cannot corrupt stored data.
func (b *bucket) Get(key []byte) []byte {
	st := b.resolve()
	if st == nil {
		return nil
	}
	n := treeGet(st.root, key)
	if n == nil || n.child != nil {
		return nil
	}
	return clip(n.value)
}

// clip limits a stored slice's capacity to its length.
func clip(s []byte) []byte {
	return s[:len(s):len(s)]
}

// ForEach calls fn for every entry in key order; nested buckets are passed
// with a nil value. Unlike bbolt, fn may modify the bucket: iteration
// continues after the last key it visited.
func (b *bucket) ForEach(fn func(k, v []byte) error) error {
	if b.tx.closed {
		return walletdb.ErrTxClosed
	}
	c := b.cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		if err := fn(k, v); err != nil {
			return err
		}
	}
	return nil
}

// Put stores value under key, copying both. Errors follow bbolt:
// ErrKeyRequired for an empty key, ErrIncompatibleValue if key is a nested
// bucket.
func (b *bucket) Put(key, value []byte) error {
	if err := b.writeCheck(); err != nil {
		return err
	}
	switch {
	case len(key) == 0:
		return walletdb.ErrKeyRequired
	case len(key) > maxKeySize:
		return walletdb.ErrKeyTooLarge
	case int64(len(value)) > maxValueSize:
		return walletdb.ErrValueTooLarge
	}
	if st := b.resolve(); st != nil {
		if n := treeGet(st.root, key); n != nil && n.child != nil {
			return walletdb.ErrIncompatibleValue
		}
	}
	st, err := b.owned()
	if err != nil {
		return err
	}
	key = bytes.Clone(key)
	value = append(make([]byte, 0, len(value)), value...)
	st.root = treePut(st.root, key, value, nil, b.tx.id)
	b.tx.writes++
	b.tx.markPut(flatKey{path: b.path, key: key}, value)
	return nil
}

// Delete removes key. A missing key is not an error; a nested bucket gives
// ErrIncompatibleValue.
func (b *bucket) Delete(key []byte) error {
	if err := b.writeCheck(); err != nil {
		return err
	}
	st := b.resolve()
	if st == nil {
		return walletdb.ErrBucketNotFound
	}
	n := treeGet(st.root, key)
	if n == nil {
		return nil
	}
	if n.child != nil {
		return walletdb.ErrIncompatibleValue
	}
	key = n.key
	st, err := b.owned()
	if err != nil {
		return err
	}
	st.root, _ = treeRemove(st.root, key, b.tx.id)
	b.tx.writes++
	b.tx.markDelete(flatKey{path: b.path, key: key})
	return nil
}

// CreateBucket creates the nested bucket key. It fails with
// ErrBucketNameRequired for an empty name, ErrBucketExists if the bucket
// exists and ErrIncompatibleValue if key holds a value.
func (b *bucket) CreateBucket(key []byte) (walletdb.ReadWriteBucket, error) {
	c, err := b.createBucket(key)
	if err != nil {
		return nil, err
	}
	return c, nil
}

// CreateBucketIfNotExists is CreateBucket that returns an existing bucket
// instead of ErrBucketExists.
func (b *bucket) CreateBucketIfNotExists(key []byte) (
	walletdb.ReadWriteBucket, error) {

	c, err := b.createBucket(key)
	if err == walletdb.ErrBucketExists {
		return b.nested(key), nil
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// createBucket implements CreateBucket returning the concrete handle.
func (b *bucket) createBucket(key []byte) (*bucket, error) {
	if err := b.writeCheck(); err != nil {
		return nil, err
	}
	if len(key) == 0 {
		return nil, walletdb.ErrBucketNameRequired
	}
	st := b.resolve()
	if st == nil {
		return nil, walletdb.ErrBucketNotFound
	}
	if n := treeGet(st.root, key); n != nil {
		if n.child != nil {
			return nil, walletdb.ErrBucketExists
		}
		return nil, walletdb.ErrIncompatibleValue
	}
	st, err := b.owned()
	if err != nil {
		return nil, err
	}
	t := b.tx
	key = bytes.Clone(key)
	child := &bucketState{owner: t.id}
	st.root = treePut(st.root, key, nil, child, t.id)
	t.layout++
	t.writes++
	path := b.childPath(key)
	t.markPut(flatKey{path: path, isBucket: true}, encodeSeq(0))
	return &bucket{tx: t, path: path, state: child, layout: t.layout}, nil
}

// DeleteNestedBucket deletes the nested bucket key and everything below it,
// marking every flat record of that subtree for deletion. An empty name
// gives ErrIncompatibleValue (what bbolt returns for it on an empty bucket),
// a missing bucket ErrBucketNotFound, a value ErrIncompatibleValue.
func (b *bucket) DeleteNestedBucket(key []byte) error {
	if err := b.writeCheck(); err != nil {
		return err
	}
	if len(key) == 0 {
		return walletdb.ErrIncompatibleValue
	}
	st := b.resolve()
	if st == nil {
		return walletdb.ErrBucketNotFound
	}
	n := treeGet(st.root, key)
	if n == nil {
		return walletdb.ErrBucketNotFound
	}
	if n.child == nil {
		return walletdb.ErrIncompatibleValue
	}
	t := b.tx
	_ = walkEntries(n.child, b.childPath(n.key),
		func(fk flatKey, _ []byte) error {
			t.markDelete(fk)
			return nil
		})
	key = n.key
	st, err := b.owned()
	if err != nil {
		return err
	}
	st.root, _ = treeRemove(st.root, key, t.id)
	t.layout++
	t.writes++
	return nil
}

// ReadCursor returns a cursor over the bucket's entries.
func (b *bucket) ReadCursor() walletdb.ReadCursor {
	return b.cursor()
}

// ReadWriteCursor returns a cursor that can also delete entries.
func (b *bucket) ReadWriteCursor() walletdb.ReadWriteCursor {
	return b.cursor()
}

// Tx returns the bucket's transaction.
func (b *bucket) Tx() walletdb.ReadWriteTx {
	return b.tx
}

// Sequence returns the bucket's sequence without changing it.
func (b *bucket) Sequence() uint64 {
	if st := b.resolve(); st != nil {
		return st.seq
	}
	return 0
}

// SetSequence sets the bucket's sequence.
func (b *bucket) SetSequence(v uint64) error {
	if err := b.writeCheck(); err != nil {
		return err
	}
	st, err := b.owned()
	if err != nil {
		return err
	}
	st.seq = v
	b.tx.markPut(flatKey{path: b.path, isBucket: true}, encodeSeq(v))
	return nil
}

// NextSequence increments the bucket's sequence and returns the new value.
func (b *bucket) NextSequence() (uint64, error) {
	if err := b.writeCheck(); err != nil {
		return 0, err
	}
	st, err := b.owned()
	if err != nil {
		return 0, err
	}
	st.seq++
	b.tx.markPut(flatKey{path: b.path, isBucket: true}, encodeSeq(st.seq))
	return st.seq, nil
}
