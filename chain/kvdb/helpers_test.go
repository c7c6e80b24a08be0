package kvdb

import (
	"bytes"
	"slices"
	"testing"

	"github.com/btcsuite/btcwallet/walletdb"
)

// openMem opens a database on a fresh MemJournal and closes it at the end
// of the test.
func openMem(t *testing.T) (*DB, *MemJournal) {
	t.Helper()
	j := NewMemJournal()
	db, err := open(j)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = db.Close() })
	return db, j
}

// snapshotRecords returns the committed state as sorted flat records.
func snapshotRecords(t *testing.T, db *DB) []Record {
	t.Helper()
	root := db.snap.Load()
	if root == nil {
		t.Fatalf("snapshot of closed db")
	}
	var recs []Record
	err := walkRecords(root, nil, func(r Record) error {
		recs = append(recs, Record{Key: r.Key, Value: r.Value})
		return nil
	})
	if err != nil {
		t.Fatalf("walk: %v", err)
	}
	slices.SortFunc(recs, func(a, b Record) int {
		return bytes.Compare(a.Key, b.Key)
	})
	return recs
}

// assertSameAsJournal checks that the journal holds exactly the committed
// state, i.e. that the incremental diffs added up correctly.
func assertSameAsJournal(t *testing.T, db *DB, j *MemJournal) {
	t.Helper()
	want := snapshotRecords(t, db)
	got, _ := j.Load()
	if len(got) != len(want) {
		t.Fatalf("journal has %d records, db state has %d:\n"+
			"journal %x\nstate %x", len(got), len(want), got, want)
	}
	for i := range want {
		if !bytes.Equal(got[i].Key, want[i].Key) ||
			!bytes.Equal(got[i].Value, want[i].Value) {

			t.Fatalf("record %d: journal %x=%x, state %x=%x", i,
				got[i].Key, got[i].Value, want[i].Key,
				want[i].Value)
		}
	}
}

// update runs f in a write transaction and fails the test on error.
func update(t *testing.T, db walletdb.DB, f func(tx walletdb.ReadWriteTx) error) {
	t.Helper()
	if err := walletdb.Update(db, f); err != nil {
		t.Fatalf("update: %v", err)
	}
}

// view runs f in a read transaction and fails the test on error.
func view(t *testing.T, db walletdb.DB, f func(tx walletdb.ReadTx) error) {
	t.Helper()
	if err := walletdb.View(db, f); err != nil {
		t.Fatalf("view: %v", err)
	}
}
