// Package kvdb is an in-memory, transactional walletdb.DB for running
// neutrino under GOOS=js GOARCH=wasm, where btcwallet's only driver (bbolt)
// does not build. State can be persisted through a small Journal interface so
// the browser can keep chain state in IndexedDB.
//
// # What this package owns
//
//   - The walletdb implementation: transactions, nested buckets, cursors,
//     sequences, OnCommit, Copy, Batch, PrintStats, and the walletdb driver
//     "lnwasm-kv" (Create and Open take one argument, a Journal or nil).
//   - The flat record encoding below, shared by Journal and Copy.
//   - MemJournal, a map-backed journal for tests.
//
// It does not own durable storage: the IndexedDB (or any other) Journal
// lives with the browser glue, and the journal alone decides what "durable"
// means. It also does not own neutrino's flat header files, which headerfs
// keeps next to the index through the os package.
//
// # Semantics
//
// Behaviour follows bbolt as walletdb exposes it, including the sentinel
// errors (returned unwrapped, as walletdb callers compare with ==):
// ErrTxClosed, ErrTxNotWritable, ErrKeyRequired, ErrKeyTooLarge,
// ErrValueTooLarge, ErrBucketNameRequired, ErrBucketExists,
// ErrBucketNotFound, ErrIncompatibleValue and ErrDbNotOpen. Keys iterate in
// bytes.Compare order; nested buckets appear in ForEach and cursors with a
// nil value; CreateTopLevelBucket is create-if-not-exists, as in bdb.
// Deliberate differences, all in cases bbolt leaves undefined or gets wrong:
//
//   - Cursor.Delete followed by Next returns the entry after the deleted one
//     (bbolt 1.3.5 may skip it), and any write during iteration (including
//     inside ForEach) is safe: cursors re-seek from their current key.
//   - Reads through a closed transaction return nil instead of panicking;
//     writes return ErrTxClosed.
//   - A handle on a bucket that was deleted reads as empty and its writes
//     return ErrBucketNotFound.
//   - DeleteNestedBucket with an empty name always returns
//     ErrIncompatibleValue (bbolt does so only for an empty parent).
//   - Get returns a non-nil empty slice for a key stored with an empty value
//     (bbolt does so after commit, but returns nil inside the writing tx).
//   - Returned keys and values are shared with the database and must not be
//     modified (bbolt's are read-only mmap memory); their capacity is
//     clipped so append copies.
//   - Batch runs each function in its own transaction instead of
//     coalescing; Copy writes the stream described below, not a bolt file.
//   - Create and Open behave the same (an empty journal is an empty
//     database); ErrDbExists and ErrDbDoesNotExist are never returned.
//
// # Concurrency
//
// Committed state is an immutable persistent treap per bucket. A read
// transaction takes the current root pointer and never blocks; a write
// transaction holds the writer lock from BeginReadWriteTx until Commit or
// Rollback and builds a copy-on-write successor, mutating in place only nodes
// it created itself. Hence readers see a consistent snapshot for their whole
// life, any number of readers run beside the one writer, and a goroutine that
// holds read transactions may open a write transaction (bbolt can deadlock
// there when its mmap must grow). Opening a second write transaction from the
// goroutine that holds one deadlocks, exactly as in bbolt. Close waits for
// the open write transaction; read transactions keep working on their
// snapshot.
//
// # Persistence
//
// Open(j) loads every record of j.Load into memory. Commit computes the
// minimal set of flat puts and deletes against the snapshot the transaction
// started from (a key put and deleted again, or set to its old value, is not
// written) and calls j.Commit before the new state becomes visible. If
// j.Commit fails, the transaction is closed, the in-memory state stays at the
// previous commit, and Commit returns the journal error wrapped, so nothing
// ever runs on state the storage did not accept. Deleting a bucket deletes
// the flat records of everything below it.
//
// # Cost
//
// Everything lives in memory: for neutrino's header index (32-byte keys,
// 4-byte values in hash-prefix sub-buckets) a native build measured about
// 180 bytes of heap per entry, so a full mainnet header index (~870k
// entries) would need roughly 150 MB. A write costs O(log n) node copies the
// first time a path is touched in a transaction; later writes to the same
// nodes in that transaction mutate them in place.
//
// # Flat record encoding
//
// Every bucket and every value is one Record. A bucket path (names from the
// top-level bucket down) is encoded segment by segment as
//
//	0x01 uvarint(len(name)) name
//
// and is followed by one tag:
//
//	path 0x00        bucket marker; Value = 8-byte big-endian sequence
//	path 0x02 key    value stored under key in that bucket; Value = value
//
// Bucket names and value keys are never empty, every record has at least one
// path segment (the root bucket holds only buckets and has no marker), and
// decoding is canonical, so the encoding is unambiguous: a value and a
// nested bucket of the same name have different flat keys. Because the
// marker tag sorts first, ordering records by key lists each bucket marker
// before everything stored below it, and everything below a bucket shares its
// path prefix. Load rejects records that break these rules, lack a parent
// marker, or store a name as both value and bucket, with an error wrapping
// ErrCorrupt.
//
// Copy writes "lnwasmkv\x01", then for each record uvarint(len(Key)) Key
// uvarint(len(Value)) Value, then a single 0x00; ReadCopy decodes it.
package kvdb
