package store

import (
	"bytes"
	"sort"
	"sync"
)

// Memory is a Store in memory, for tests and for nodes that keep nothing.
// Update copies the touched buckets, so a failed Update leaves no trace and
// View sees a consistent snapshot.
type Memory struct {
	mu      sync.RWMutex // writers hold it exclusively for the whole Update
	buckets map[string]map[string][]byte
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty memory store.
func NewMemory() *Memory { return &Memory{buckets: map[string]map[string][]byte{}} }

// View implements Store.
func (m *Memory) View(fn func(Tx) error) error {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return fn(&memTx{m: m, writable: false})
}

// Update implements Store.
func (m *Memory) Update(fn func(Tx) error) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	tx := &memTx{m: m, writable: true, dirty: map[string]map[string][]byte{}}
	if err := fn(tx); err != nil {
		return err
	}
	for b, kv := range tx.dirty {
		m.buckets[b] = kv
	}
	return nil
}

type memTx struct {
	m        *Memory
	writable bool
	dirty    map[string]map[string][]byte // copies of buckets this tx changed
}

func (t *memTx) bucket(name []byte) map[string][]byte {
	if b, ok := t.dirty[string(name)]; ok {
		return b
	}
	return t.m.buckets[string(name)]
}

func (t *memTx) Get(bucket, key []byte) ([]byte, error) {
	if len(bucket) == 0 || len(key) == 0 {
		return nil, ErrEmptyKey
	}
	v, ok := t.bucket(bucket)[string(key)]
	if !ok {
		return nil, nil
	}
	return append([]byte{}, v...), nil
}

// writeBucket returns this transaction's private copy of a bucket.
func (t *memTx) writeBucket(bucket, key []byte) (map[string][]byte, error) {
	if !t.writable {
		return nil, ErrReadOnly
	}
	if len(bucket) == 0 || len(key) == 0 {
		return nil, ErrEmptyKey
	}
	if b, ok := t.dirty[string(bucket)]; ok {
		return b, nil
	}
	cp := make(map[string][]byte, len(t.m.buckets[string(bucket)]))
	for k, v := range t.m.buckets[string(bucket)] {
		cp[k] = v
	}
	t.dirty[string(bucket)] = cp
	return cp, nil
}

func (t *memTx) Put(bucket, key, value []byte) error {
	b, err := t.writeBucket(bucket, key)
	if err != nil {
		return err
	}
	b[string(key)] = append([]byte{}, value...)
	return nil
}

func (t *memTx) Delete(bucket, key []byte) error {
	b, err := t.writeBucket(bucket, key)
	if err != nil {
		return err
	}
	delete(b, string(key))
	return nil
}

func (t *memTx) ForEach(bucket []byte, fn func(k, v []byte) error) error {
	if len(bucket) == 0 {
		return ErrEmptyKey
	}
	b := t.bucket(bucket)
	keys := make([]string, 0, len(b))
	for k := range b {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare([]byte(keys[i]), []byte(keys[j])) < 0 })
	for _, k := range keys {
		if err := fn([]byte(k), append([]byte{}, b[k]...)); err != nil {
			return err
		}
	}
	return nil
}

// Clone is a deep copy of the store as it is now: tests restore it later
// to make a node that lost its recent state.
func (m *Memory) Clone() *Memory {
	m.mu.RLock()
	defer m.mu.RUnlock()
	c := NewMemory()
	for b, kv := range m.buckets {
		ckv := make(map[string][]byte, len(kv))
		for k, v := range kv {
			ckv[k] = bytes.Clone(v)
		}
		c.buckets[b] = ckv
	}
	return c
}
