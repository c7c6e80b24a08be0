package kvdb

import (
	"bytes"
	"encoding/binary"
)

// node is one entry of a bucket: a persistent treap node ordered by key
// (bytes.Compare) and heap-ordered by prio. A node holds either a value
// (value != nil, possibly empty) or a nested bucket (child != nil).
//
// Nodes are immutable once the write transaction that created them (owner)
// has finished. Inside that transaction they are mutated in place, which keeps
// large batches (e.g. neutrino writing 2000 headers) from re-copying the same
// path for every key while committed snapshots are never touched.
type node struct {
	key         []byte
	value       []byte
	child       *bucketState
	left, right *node
	prio        uint64
	owner       uint64
}

// bucketState is the content of one bucket: its entries and its sequence.
// Like node it is copy-on-write, keyed by the owning transaction id.
type bucketState struct {
	root  *node
	seq   uint64
	owner uint64
}

// ownedBy returns b itself when it already belongs to transaction owner, or a
// shallow copy that does. Only the copy may be mutated.
func (b *bucketState) ownedBy(owner uint64) *bucketState {
	if b.owner == owner {
		return b
	}
	return &bucketState{root: b.root, seq: b.seq, owner: owner}
}

// ownedBy returns n itself when it already belongs to transaction owner, or a
// copy that does, so that committed snapshots stay untouched.
func (n *node) ownedBy(owner uint64) *node {
	if n.owner == owner {
		return n
	}
	c := *n
	c.owner = owner
	return &c
}

// priority derives a deterministic pseudo-random heap priority from the key,
// so the tree shape depends only on its contents and tests are reproducible.
// FNV-1a is followed by the splitmix64 finaliser because FNV alone mixes the
// last byte of sequential keys (block heights) poorly.
func priority(key []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range key {
		h ^= uint64(c)
		h *= 1099511628211
	}
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// treeGet returns the node holding key, or nil.
func treeGet(n *node, key []byte) *node {
	for n != nil {
		switch c := bytes.Compare(key, n.key); {
		case c < 0:
			n = n.left
		case c > 0:
			n = n.right
		default:
			return n
		}
	}
	return nil
}

// treePut sets key to value or child and returns the new subtree root. key
// must already be a private copy; it is kept only when the key is new.
func treePut(n *node, key, value []byte, child *bucketState,
	owner uint64) *node {

	if n == nil {
		return &node{
			key: key, value: value, child: child,
			prio: priority(key), owner: owner,
		}
	}
	c := bytes.Compare(key, n.key)
	m := n.ownedBy(owner)
	switch {
	case c == 0:
		m.value, m.child = value, child
	case c < 0:
		m.left = treePut(m.left, key, value, child, owner)
		if m.left.prio > m.prio {
			// Rotate right; both nodes are owned after treePut.
			l := m.left
			m.left, l.right = l.right, m
			m = l
		}
	default:
		m.right = treePut(m.right, key, value, child, owner)
		if m.right.prio > m.prio {
			r := m.right
			m.right, r.left = r.left, m
			m = r
		}
	}
	return m
}

// treeRemove deletes key and returns the new subtree root and whether the key
// was present. Nothing is copied when the key is absent.
func treeRemove(n *node, key []byte, owner uint64) (*node, bool) {
	if n == nil {
		return nil, false
	}
	c := bytes.Compare(key, n.key)
	if c == 0 {
		return treeMerge(n.left, n.right, owner), true
	}
	var sub *node
	var ok bool
	if c < 0 {
		sub, ok = treeRemove(n.left, key, owner)
	} else {
		sub, ok = treeRemove(n.right, key, owner)
	}
	if !ok {
		return n, false
	}
	m := n.ownedBy(owner)
	if c < 0 {
		m.left = sub
	} else {
		m.right = sub
	}
	return m, true
}

// treeMerge joins two treaps where every key of a sorts before every key of
// b, keeping the heap order on prio.
func treeMerge(a, b *node, owner uint64) *node {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	case a.prio > b.prio:
		m := a.ownedBy(owner)
		m.right = treeMerge(m.right, b, owner)
		return m
	default:
		m := b.ownedBy(owner)
		m.left = treeMerge(a, m.left, owner)
		return m
	}
}

// treeWalk calls fn for every node in key order and stops at the first error.
func treeWalk(n *node, fn func(*node) error) error {
	for n != nil {
		if err := treeWalk(n.left, fn); err != nil {
			return err
		}
		if err := fn(n); err != nil {
			return err
		}
		n = n.right
	}
	return nil
}

// encodeSeq is the 8-byte big-endian form of a bucket sequence, used as the
// value of bucket marker records.
func encodeSeq(seq uint64) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], seq)
	return b[:]
}
