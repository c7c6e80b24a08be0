// Package wdbstore adapts any walletdb.DB to store.Store: in the browser the
// IndexedDB-journaled chain/kvdb, natively btcwallet's bbolt driver. Each
// store bucket is a top-level walletdb bucket under one root, so the node's
// data never mixes with neutrino's in a shared database.
package wdbstore

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcwallet/walletdb"

	"lnwasm/node/store"
)

// defaultRoot is the top-level bucket that holds the node's buckets.
var defaultRoot = []byte("lnwasm-node")

// Store is a store.Store over a walletdb.DB.
type Store struct {
	db   walletdb.DB
	root []byte
}

var _ store.Store = (*Store)(nil)

// New wraps db, creating the root bucket if needed.
func New(db walletdb.DB) (*Store, error) { return NewAt(db, defaultRoot) }

// NewAt wraps db under another root bucket: a self-test runs the
// conformance cases in the user's real database without touching the
// node's data.
func NewAt(db walletdb.DB, root []byte) (*Store, error) {
	err := walletdb.Update(db, func(tx walletdb.ReadWriteTx) error {
		_, err := tx.CreateTopLevelBucket(root)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("open node store: %w", err)
	}
	return &Store{db: db, root: append([]byte(nil), root...)}, nil
}

// Drop deletes the store's root bucket and everything under it.
func (s *Store) Drop() error {
	return walletdb.Update(s.db, func(tx walletdb.ReadWriteTx) error {
		return tx.DeleteTopLevelBucket(s.root)
	})
}

// View implements store.Store.
func (s *Store) View(fn func(store.Tx) error) error {
	return walletdb.View(s.db, func(tx walletdb.ReadTx) error {
		return fn(&readTx{root: tx.ReadBucket(s.root)})
	})
}

// Update implements store.Store; the commit is the walletdb's, durable once
// it returns (for kvdb: once IndexedDB has committed).
func (s *Store) Update(fn func(store.Tx) error) error {
	return walletdb.Update(s.db, func(tx walletdb.ReadWriteTx) error {
		r := tx.ReadWriteBucket(s.root)
		return fn(&writeTx{readTx: readTx{root: r}, root: r})
	})
}

type readTx struct{ root walletdb.ReadBucket }

func (t *readTx) Get(bucket, key []byte) ([]byte, error) {
	if len(bucket) == 0 || len(key) == 0 {
		return nil, store.ErrEmptyKey
	}
	b := t.root.NestedReadBucket(bucket)
	if b == nil {
		return nil, nil
	}
	v := b.Get(key)
	if v == nil {
		return nil, nil
	}
	return append([]byte{}, v...), nil
}

func (t *readTx) Put(_, _, _ []byte) error { return store.ErrReadOnly }
func (t *readTx) Delete(_, _ []byte) error { return store.ErrReadOnly }

func (t *readTx) ForEach(bucket []byte, fn func(k, v []byte) error) error {
	if len(bucket) == 0 {
		return store.ErrEmptyKey
	}
	b := t.root.NestedReadBucket(bucket)
	if b == nil {
		return nil
	}
	return b.ForEach(func(k, v []byte) error {
		return fn(append([]byte{}, k...), append([]byte{}, v...))
	})
}

type writeTx struct {
	readTx
	root walletdb.ReadWriteBucket
}

func (t *writeTx) Put(bucket, key, value []byte) error {
	if len(bucket) == 0 || len(key) == 0 {
		return store.ErrEmptyKey
	}
	b, err := t.root.CreateBucketIfNotExists(bucket)
	if err != nil {
		return fmt.Errorf("bucket %q: %w", bucket, err)
	}
	return b.Put(key, append([]byte{}, value...))
}

func (t *writeTx) Delete(bucket, key []byte) error {
	if len(bucket) == 0 || len(key) == 0 {
		return store.ErrEmptyKey
	}
	b := t.root.NestedReadWriteBucket(bucket)
	if b == nil {
		return nil
	}
	if err := b.Delete(key); err != nil && !errors.Is(err, walletdb.ErrKeyRequired) {
		return err
	}
	return nil
}
