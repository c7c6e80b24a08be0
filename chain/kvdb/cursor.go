package kvdb

import (
	"bytes"

	"github.com/btcsuite/btcwallet/walletdb"
)

// cursor iterates a bucket in key byte order. It remembers the current key
// and the treap path to it; the path is only trusted while the transaction
// has not written since it was built, otherwise the cursor re-seeks from the
// key. That makes any modification during iteration safe (bbolt invalidates
// the cursor instead), and in particular Delete followed by Next returns the
// entry after the deleted one, as the walletdb interface documents (bbolt
// 1.3.5 can skip that entry).
type cursor struct {
	b *bucket

	// key is the current key; nil when the cursor is unpositioned.
	key []byte

	// pastEnd is set by a Seek that found nothing: Next then returns nil
	// and Prev the last entry, matching bbolt.
	pastEnd bool

	// path runs from the treap root to the current node; valid while
	// root and writes match the bucket and transaction.
	path   []*node
	root   *node
	writes uint64
}

// Compile-time check that cursor provides the walletdb cursor interfaces.
var _ walletdb.ReadWriteCursor = (*cursor)(nil)

// cursor returns a new unpositioned cursor on b.
func (b *bucket) cursor() *cursor {
	return &cursor{b: b}
}

// set positions the cursor at the last node of path (or unpositions it for
// an empty path) and returns that entry.
func (c *cursor) set(root *node, path []*node) ([]byte, []byte) {
	c.pastEnd = false
	c.path, c.root, c.writes = path, root, c.b.tx.writes
	if len(path) == 0 {
		c.key = nil
		return nil, nil
	}
	n := path[len(path)-1]
	c.key = n.key
	if n.child != nil {
		return clip(n.key), nil
	}
	return clip(n.key), clip(n.value)
}

// treeRoot returns the bucket's current treap root and whether the bucket
// is readable at all.
func (c *cursor) treeRoot() (*node, bool) {
	st := c.b.resolve()
	if st == nil {
		return nil, false
	}
	return st.root, true
}

// First moves to the first entry.
func (c *cursor) First() ([]byte, []byte) {
	root, _ := c.treeRoot()
	return c.set(root, descend(c.path[:0], root, true))
}

// Last moves to the last entry.
func (c *cursor) Last() ([]byte, []byte) {
	root, _ := c.treeRoot()
	return c.set(root, descend(c.path[:0], root, false))
}

// Seek moves to the first entry whose key is >= seek.
func (c *cursor) Seek(seek []byte) ([]byte, []byte) {
	root, _ := c.treeRoot()
	path := seekAfter(c.path[:0], root, seek, true)
	if len(path) == 0 {
		c.set(root, nil)
		c.pastEnd = true
		return nil, nil
	}
	return c.set(root, path)
}

// valid reports whether the cached path still describes the tree.
func (c *cursor) valid(root *node) bool {
	return len(c.path) > 0 && c.root == root && c.writes == c.b.tx.writes
}

// Next moves to the following entry. At the end it returns nil and stays on
// the last entry, as bbolt does.
func (c *cursor) Next() ([]byte, []byte) {
	root, ok := c.treeRoot()
	if !ok || c.key == nil || c.pastEnd {
		return nil, nil
	}
	if c.valid(root) {
		if path, ok := successor(c.path); ok {
			return c.set(root, path)
		}
		return nil, nil
	}
	path := seekAfter(c.path[:0], root, c.key, false)
	if len(path) == 0 {
		// Keep the key so Prev still works; force a re-seek.
		c.path = nil
		return nil, nil
	}
	return c.set(root, path)
}

// Prev moves to the preceding entry. Before the first entry it returns nil
// and unpositions the cursor, as bbolt does.
func (c *cursor) Prev() ([]byte, []byte) {
	root, ok := c.treeRoot()
	if !ok {
		return nil, nil
	}
	if c.pastEnd {
		return c.Last()
	}
	if c.key == nil {
		return nil, nil
	}
	if c.valid(root) {
		if path, ok := predecessor(c.path); ok {
			return c.set(root, path)
		}
		return c.set(root, nil)
	}
	return c.set(root, seekBefore(c.path[:0], root, c.key))
}

// Delete removes the current entry; the cursor stays where it is so Next and
// Prev continue from there. Nested buckets give ErrIncompatibleValue, as in
// bbolt; an unpositioned cursor deletes nothing.
func (c *cursor) Delete() error {
	if err := c.b.writeCheck(); err != nil {
		return err
	}
	if c.key == nil || c.pastEnd {
		return nil
	}
	return c.b.Delete(c.key)
}

// descend appends the path from n to its leftmost (first) or rightmost node.
func descend(dst []*node, n *node, first bool) []*node {
	for n != nil {
		dst = append(dst, n)
		if first {
			n = n.left
		} else {
			n = n.right
		}
	}
	return dst
}

// seekAfter returns the path to the first node with key >= k (inclusive) or
// > k (exclusive), or an empty path. The target is an ancestor of every node
// visited after it, so its path is a prefix of the descent.
func seekAfter(dst []*node, n *node, k []byte, inclusive bool) []*node {
	target := -1
	for n != nil {
		dst = append(dst, n)
		cmp := bytes.Compare(k, n.key)
		if cmp == 0 && inclusive {
			return dst
		}
		if cmp < 0 {
			target = len(dst) - 1
			n = n.left
		} else {
			n = n.right
		}
	}
	return dst[:target+1]
}

// seekBefore returns the path to the last node with key < k, or an empty
// path.
func seekBefore(dst []*node, n *node, k []byte) []*node {
	target := -1
	for n != nil {
		dst = append(dst, n)
		if bytes.Compare(n.key, k) < 0 {
			target = len(dst) - 1
			n = n.right
		} else {
			n = n.left
		}
	}
	return dst[:target+1]
}

// successor returns the path to the in-order successor of the last node of
// path. When there is none it returns false and leaves path untouched.
func successor(path []*node) ([]*node, bool) {
	cur := path[len(path)-1]
	if cur.right != nil {
		return descend(path, cur.right, true), true
	}
	for i := len(path) - 1; i > 0; i-- {
		if path[i-1].left == path[i] {
			return path[:i], true
		}
	}
	return path, false
}

// predecessor mirrors successor.
func predecessor(path []*node) ([]*node, bool) {
	cur := path[len(path)-1]
	if cur.left != nil {
		return descend(path, cur.left, false), true
	}
	for i := len(path) - 1; i > 0; i-- {
		if path[i-1].right == path[i] {
			return path[:i], true
		}
	}
	return path, false
}
