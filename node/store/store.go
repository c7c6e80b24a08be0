package store

import "errors"

// Store is a transactional bucketed key/value store.
type Store interface {
	// View runs fn with a read-only, consistent snapshot.
	View(fn func(tx Tx) error) error
	// Update runs fn and commits its changes durably if it returns nil;
	// otherwise (or if the commit fails) nothing of it is kept.
	Update(fn func(tx Tx) error) error
}

// Tx reads and, inside Update, writes buckets. Buckets exist implicitly:
// reading an empty bucket is not an error.
type Tx interface {
	// Get returns a copy of the value, or nil if the key is absent.
	Get(bucket, key []byte) ([]byte, error)
	// Put stores a copy of value.
	Put(bucket, key, value []byte) error
	// Delete removes the key; deleting an absent key is not an error.
	Delete(bucket, key []byte) error
	// ForEach visits the bucket's pairs in key order. It must not change
	// the bucket while iterating.
	ForEach(bucket []byte, fn func(key, value []byte) error) error
}

// ErrReadOnly is returned by writes inside View.
var ErrReadOnly = errors.New("store: write in a read-only transaction")

// ErrEmptyKey is returned for an empty bucket name or key.
var ErrEmptyKey = errors.New("store: empty bucket name or key")
