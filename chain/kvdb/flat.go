package kvdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Tags of the flat record encoding; see doc.go. tagBucket sorts before
// tagSegment, which sorts before tagValue, so sorting flat keys as bytes
// visits a bucket marker before anything stored below that bucket.
const (
	tagBucket  byte = 0x00
	tagSegment byte = 0x01
	tagValue   byte = 0x02
)

// seqLen is the length of a bucket marker value (big-endian sequence).
const seqLen = 8

// ErrCorrupt is wrapped by every error about a journal record or a Copy
// stream that does not follow the encoding described in doc.go.
var ErrCorrupt = errors.New("kvdb: corrupt record")

// appendPath appends the segment encoding of a bucket path to dst.
func appendPath(dst []byte, path [][]byte) []byte {
	for _, seg := range path {
		dst = append(dst, tagSegment)
		dst = binary.AppendUvarint(dst, uint64(len(seg)))
		dst = append(dst, seg...)
	}
	return dst
}

// bucketKey is the flat key of the marker record of the bucket at path.
func bucketKey(path [][]byte) []byte {
	return append(appendPath(nil, path), tagBucket)
}

// valueKey is the flat key of the value key stored in the bucket at path.
func valueKey(path [][]byte, key []byte) []byte {
	dst := appendPath(make([]byte, 0, pathLen(path)+1+len(key)), path)
	dst = append(dst, tagValue)
	return append(dst, key...)
}

// pathLen is an upper bound of the encoded length of path, used to size
// buffers.
func pathLen(path [][]byte) int {
	n := 0
	for _, seg := range path {
		n += 1 + binary.MaxVarintLen64 + len(seg)
	}
	return n
}

// flatKey is a decoded flat key: the bucket path plus either a marker of the
// bucket at path (isBucket) or a value key inside it.
type flatKey struct {
	path     [][]byte
	key      []byte
	isBucket bool
}

// decodeFlat parses a flat key and rejects anything that does not re-encode
// to the same bytes, so that one logical entry can never have two records.
func decodeFlat(k []byte) (flatKey, error) {
	var fk flatKey
	rest := k
	for len(rest) > 0 {
		tag := rest[0]
		rest = rest[1:]
		switch tag {
		case tagSegment:
			n, w := binary.Uvarint(rest)
			if w <= 0 || n == 0 || n > uint64(len(rest)-w) {
				return fk, fmt.Errorf("%w: bad path segment in "+
					"key %x", ErrCorrupt, k)
			}
			fk.path = append(fk.path, rest[w:w+int(n)])
			rest = rest[w+int(n):]
			continue
		case tagBucket:
			if len(rest) != 0 {
				return fk, fmt.Errorf("%w: trailing bytes after "+
					"bucket marker in key %x", ErrCorrupt, k)
			}
			fk.isBucket = true
		case tagValue:
			if len(rest) == 0 {
				return fk, fmt.Errorf("%w: empty value key in "+
					"key %x", ErrCorrupt, k)
			}
			fk.key = rest
		default:
			return fk, fmt.Errorf("%w: unknown tag %#x in key %x",
				ErrCorrupt, tag, k)
		}
		return fk, fk.check(k)
	}
	return fk, fmt.Errorf("%w: key %x has no bucket or value tag",
		ErrCorrupt, k)
}

// check verifies that fk names something below a top-level bucket and that
// its encoding is canonical.
func (fk flatKey) check(raw []byte) error {
	if len(fk.path) == 0 {
		return fmt.Errorf("%w: key %x is outside any bucket",
			ErrCorrupt, raw)
	}
	if !bytes.Equal(fk.encode(), raw) {
		return fmt.Errorf("%w: key %x is not canonically encoded",
			ErrCorrupt, raw)
	}
	return nil
}

// encode is the inverse of decodeFlat.
func (fk flatKey) encode() []byte {
	if fk.isBucket {
		return bucketKey(fk.path)
	}
	return valueKey(fk.path, fk.key)
}

// walkEntries calls fn with the flat key and record value of every entry at
// or below the bucket st found at path, parents before children. The marker
// of st itself is included when path is not empty (the root has no marker).
// Values passed to fn are the stored slices and must not be modified.
func walkEntries(st *bucketState, path [][]byte,
	fn func(fk flatKey, value []byte) error) error {

	if len(path) > 0 {
		fk := flatKey{path: path, isBucket: true}
		if err := fn(fk, encodeSeq(st.seq)); err != nil {
			return err
		}
	}
	return treeWalk(st.root, func(n *node) error {
		if n.child == nil {
			return fn(flatKey{path: path, key: n.key}, n.value)
		}
		sub := append(path[:len(path):len(path)], n.key)
		return walkEntries(n.child, sub, fn)
	})
}

// walkRecords is walkEntries producing encoded journal records.
func walkRecords(st *bucketState, path [][]byte,
	fn func(Record) error) error {

	return walkEntries(st, path, func(fk flatKey, value []byte) error {
		return fn(Record{Key: fk.encode(), Value: value})
	})
}
