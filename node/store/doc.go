// Package store is the node's persistence interface: named buckets of
// key/value pairs, read in View and changed in Update transactions that
// apply atomically or not at all.
//
// DESIGN.md's rule "persist, then speak" rests on Update: it returns only
// once the backend has made the change durable, and a failed Update leaves
// nothing of it behind, so the caller can stop instead of acting on unsaved
// state.
//
// The package holds the interface, a memory implementation and a
// conformance suite (storetest) that every backend runs: memory here, and
// the walletdb-backed stores (IndexedDB in the browser, a file natively)
// that wasm/ and native callers wire in. It imports nothing of the node.
package store
