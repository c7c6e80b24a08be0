package kvdb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/btcsuite/btcwallet/walletdb"
)

// loadOwner is the owner id of state built by Open; write transactions use
// larger ids, so loaded nodes are never mutated in place by a writer.
const loadOwner = 1

// DB is the in-memory walletdb.DB. Committed state is an immutable tree
// published through an atomic pointer: readers take that pointer and never
// block, while writers are serialised by writeMu and build a copy-on-write
// successor.
type DB struct {
	// writeMu is held by the single open write transaction from
	// BeginReadWriteTx until Commit or Rollback, like bbolt's rwlock.
	writeMu sync.Mutex

	// snap is the committed root bucket; nil once the DB is closed.
	snap atomic.Pointer[bucketState]

	// journal receives every commit before it becomes visible; nil means
	// the DB lives only in memory.
	journal Journal

	// lastID is the last owner id handed out; guarded by writeMu.
	lastID uint64

	// commits counts transactions that changed state, for PrintStats.
	commits atomic.Uint64
}

// Compile-time checks that DB provides the walletdb interfaces.
var (
	_ walletdb.DB      = (*DB)(nil)
	_ walletdb.BatchDB = (*DB)(nil)
)

// Open loads every record of j into memory and returns the database (a
// *DB). A nil journal gives a purely in-memory database. Records that do not
// follow the encoding in doc.go make Open fail with an error wrapping
// ErrCorrupt.
func Open(j Journal) (walletdb.DB, error) {
	db, err := open(j)
	if err != nil {
		return nil, err
	}
	return db, nil
}

// open is Open returning the concrete type, for the driver and tests.
func open(j Journal) (*DB, error) {
	root := &bucketState{owner: loadOwner}
	if j != nil {
		recs, err := j.Load()
		if err != nil {
			return nil, fmt.Errorf("kvdb: load journal: %w", err)
		}
		if err := loadRecords(root, recs); err != nil {
			return nil, fmt.Errorf("kvdb: open: %w", err)
		}
	}
	db := &DB{journal: j, lastID: loadOwner}
	db.snap.Store(root)
	return db, nil
}

// loadRecords inserts recs into the empty root. Sorting the flat keys puts
// every bucket marker before the contents of that bucket (see the tag
// values), so one pass with a path cache rebuilds the tree.
func loadRecords(root *bucketState, recs []Record) error {
	slices.SortFunc(recs, func(a, b Record) int {
		return bytes.Compare(a.Key, b.Key)
	})
	buckets := map[string]*bucketState{"": root}
	for _, rec := range recs {
		fk, err := decodeFlat(rec.Key)
		if err != nil {
			return err
		}
		parentPath := fk.path
		if fk.isBucket {
			parentPath = fk.path[:len(fk.path)-1]
		}
		parent := buckets[string(appendPath(nil, parentPath))]
		if parent == nil {
			return fmt.Errorf("%w: key %x has no parent bucket "+
				"marker", ErrCorrupt, rec.Key)
		}
		name := fk.key
		if fk.isBucket {
			name = fk.path[len(fk.path)-1]
		}
		if treeGet(parent.root, name) != nil {
			return fmt.Errorf("%w: key %x is stored both as value "+
				"and bucket", ErrCorrupt, rec.Key)
		}
		if !fk.isBucket {
			value := rec.Value
			if value == nil {
				value = []byte{}
			}
			parent.root = treePut(parent.root, name, value, nil,
				loadOwner)
			continue
		}
		if len(rec.Value) != seqLen {
			return fmt.Errorf("%w: bucket marker %x has a %d-byte "+
				"sequence", ErrCorrupt, rec.Key, len(rec.Value))
		}
		child := &bucketState{
			seq: binary.BigEndian.Uint64(rec.Value), owner: loadOwner,
		}
		parent.root = treePut(parent.root, name, nil, child, loadOwner)
		buckets[string(appendPath(nil, fk.path))] = child
	}
	return nil
}

// BeginReadTx opens a read-only transaction on the latest committed state.
// It never waits, even while a write transaction is open.
func (db *DB) BeginReadTx() (walletdb.ReadTx, error) {
	root := db.snap.Load()
	if root == nil {
		return nil, walletdb.ErrDbNotOpen
	}
	return newTx(db, root, false, 0), nil
}

// BeginReadWriteTx opens the write transaction, waiting while another one is
// open. As with bbolt, opening a second write transaction from the goroutine
// that already holds one deadlocks; holding read transactions does not.
func (db *DB) BeginReadWriteTx() (walletdb.ReadWriteTx, error) {
	db.writeMu.Lock()
	root := db.snap.Load()
	if root == nil {
		db.writeMu.Unlock()
		return nil, walletdb.ErrDbNotOpen
	}
	db.lastID++
	return newTx(db, root, true, db.lastID), nil
}

// Copy writes a snapshot of the committed state to w in the stream format
// read by ReadCopy (the flat records of doc.go). Like bbolt it runs inside a
// read transaction, so writers are not blocked.
func (db *DB) Copy(w io.Writer) error {
	root := db.snap.Load()
	if root == nil {
		return walletdb.ErrDbNotOpen
	}
	if err := writeCopy(w, root); err != nil {
		return fmt.Errorf("kvdb: copy: %w", err)
	}
	return nil
}

// Close waits for an open write transaction to finish and then refuses new
// transactions with walletdb.ErrDbNotOpen. Read transactions already open
// keep their snapshot. Closing twice is not an error, as in bbolt. Nothing
// needs syncing: every commit already reached the journal.
func (db *DB) Close() error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	db.snap.Store(nil)
	return nil
}

// Batch runs f in its own write transaction. bbolt coalesces concurrent
// batches to save fsyncs; in memory that gains nothing, and running each f
// once keeps the caller's side effects simple.
func (db *DB) Batch(f func(tx walletdb.ReadWriteTx) error) error {
	return walletdb.Update(db, f)
}

// PrintStats describes the committed state. It walks the whole tree, so it is
// meant for diagnostics, not hot paths.
func (db *DB) PrintStats() string {
	root := db.snap.Load()
	if root == nil {
		return "kvdb: closed"
	}
	var buckets, values, keyBytes, valueBytes int
	_ = walkEntries(root, nil, func(fk flatKey, value []byte) error {
		if fk.isBucket {
			buckets++
			return nil
		}
		values++
		keyBytes += len(fk.key)
		valueBytes += len(value)
		return nil
	})
	return fmt.Sprintf("kvdb: buckets=%d values=%d key_bytes=%d "+
		"value_bytes=%d commits=%d persistent=%t", buckets, values,
		keyBytes, valueBytes, db.commits.Load(), db.journal != nil)
}
