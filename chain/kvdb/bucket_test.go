package kvdb

import (
	"testing"

	"github.com/btcsuite/btcwallet/walletdb"
)

// errCheck pairs an operation's error with the one bbolt would return.
type errCheck struct {
	name      string
	err, want error
}

// TestBucketErrors checks the bbolt error for each invalid bucket operation.
func TestBucketErrors(t *testing.T) {
	db, _ := openMem(t)
	fillBucket(t, db)
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		b := tx.ReadWriteBucket([]byte("b"))
		_, createOnValue := b.CreateBucket([]byte("k1"))
		_, createIfOnValue := b.CreateBucketIfNotExists([]byte("k1"))
		_, createTopEmpty := tx.CreateTopLevelBucket(nil)
		checks := []errCheck{
			{"put on bucket", b.Put([]byte("k5x"), []byte("x")),
				walletdb.ErrIncompatibleValue},
			{"delete bucket key", b.Delete([]byte("k5x")),
				walletdb.ErrIncompatibleValue},
			{"delete missing", b.Delete([]byte("nope")), nil},
			{"delete nested value", b.DeleteNestedBucket([]byte("k1")),
				walletdb.ErrIncompatibleValue},
			{"delete nested missing", b.DeleteNestedBucket([]byte("x")),
				walletdb.ErrBucketNotFound},
			{"put empty key", b.Put(nil, []byte("x")),
				walletdb.ErrKeyRequired},
			{"put huge key", b.Put(make([]byte, maxKeySize+1), nil),
				walletdb.ErrKeyTooLarge},
			{"delete top missing", tx.DeleteTopLevelBucket([]byte("x")),
				walletdb.ErrBucketNotFound},
			{"create on value", createOnValue,
				walletdb.ErrIncompatibleValue},
			{"create-if on value", createIfOnValue,
				walletdb.ErrIncompatibleValue},
			{"create top empty", createTopEmpty,
				walletdb.ErrBucketNameRequired},
		}
		for _, c := range checks {
			if c.err != c.want {
				t.Errorf("%s: got %v, want %v", c.name, c.err,
					c.want)
			}
		}
		if v := b.Get([]byte("k5x")); v != nil {
			t.Errorf("Get on bucket key = %q, want nil", v)
		}
		if b.NestedReadBucket([]byte("k1")) != nil {
			t.Errorf("NestedReadBucket on value key is not nil")
		}
		if err := b.Put([]byte("empty"), nil); err != nil {
			return err
		}
		if v := b.Get([]byte("empty")); v == nil || len(v) != 0 {
			t.Errorf("empty value read as %#v", v)
		}
		return nil
	})
}

// TestReadTxErrors checks writes and Commit on a read-only transaction and
// use of a closed one.
func TestReadTxErrors(t *testing.T) {
	db, _ := openMem(t)
	fillBucket(t, db)
	rtx, err := db.BeginReadTx()
	if err != nil {
		t.Fatal(err)
	}
	rb := rtx.(walletdb.ReadWriteTx).ReadWriteBucket([]byte("b"))
	if err := rb.Put([]byte("x"), nil); err != walletdb.ErrTxNotWritable {
		t.Errorf("put in read tx: %v", err)
	}
	if _, err := rb.NextSequence(); err != walletdb.ErrTxNotWritable {
		t.Errorf("NextSequence in read tx: %v", err)
	}
	if err := rb.ReadWriteCursor().Delete(); err != walletdb.ErrTxNotWritable {
		t.Errorf("cursor delete in read tx: %v", err)
	}
	if err := rtx.(walletdb.ReadWriteTx).Commit(); err != walletdb.ErrTxNotWritable {
		t.Errorf("commit read tx: %v", err)
	}
	if err := rtx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := rtx.Rollback(); err != walletdb.ErrTxClosed {
		t.Errorf("second rollback: %v", err)
	}
	if rb.Get([]byte("k1")) != nil {
		t.Errorf("read through closed tx returned data")
	}
	if err := rb.ForEach(nil); err != walletdb.ErrTxClosed {
		t.Errorf("ForEach on closed tx: %v", err)
	}
}

// TestWriteTxLifecycle checks rollback, OnCommit and use after close.
func TestWriteTxLifecycle(t *testing.T) {
	db, j := openMem(t)
	fillBucket(t, db)
	wtx, err := db.BeginReadWriteTx()
	if err != nil {
		t.Fatal(err)
	}
	called := 0
	wtx.OnCommit(func() { called++ })
	wb := wtx.ReadWriteBucket([]byte("b"))
	if err := wb.Put([]byte("k1"), []byte("changed")); err != nil {
		t.Fatal(err)
	}
	if err := wtx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if called != 0 {
		t.Errorf("OnCommit ran on rollback")
	}
	if err := wb.Put([]byte("k1"), nil); err != walletdb.ErrTxClosed {
		t.Errorf("put after rollback: %v", err)
	}
	if err := wtx.Commit(); err != walletdb.ErrTxClosed {
		t.Errorf("commit after rollback: %v", err)
	}
	view(t, db, func(tx walletdb.ReadTx) error {
		if v := tx.ReadBucket([]byte("b")).Get([]byte("k1")); string(v) != "vk1" {
			t.Errorf("rollback leaked: k1=%q", v)
		}
		return nil
	})

	commits := j.Commits()
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		tx.OnCommit(func() {
			// Handlers run after the writer lock is released.
			update(t, db, func(walletdb.ReadWriteTx) error {
				return nil
			})
			called++
		})
		return nil
	})
	if called != 1 {
		t.Errorf("OnCommit ran %d times, want 1", called)
	}
	if j.Commits() != commits {
		t.Errorf("empty transaction reached the journal")
	}
}

// TestClosedDB checks that Close refuses new transactions and is idempotent.
func TestClosedDB(t *testing.T) {
	db, _ := openMem(t)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := db.BeginReadTx(); err != walletdb.ErrDbNotOpen {
		t.Errorf("BeginReadTx after close: %v", err)
	}
	if _, err := db.BeginReadWriteTx(); err != walletdb.ErrDbNotOpen {
		t.Errorf("BeginReadWriteTx after close: %v", err)
	}
	if err := db.Copy(nil); err != walletdb.ErrDbNotOpen {
		t.Errorf("Copy after close: %v", err)
	}
	if err := db.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
}

// TestDeletedBucketHandle checks a handle whose bucket was deleted.
func TestDeletedBucketHandle(t *testing.T) {
	db, _ := openMem(t)
	fillBucket(t, db)
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		b := tx.ReadWriteBucket([]byte("b"))
		nested := b.NestedReadWriteBucket([]byte("k5x"))
		if err := nested.Put([]byte("a"), []byte("1")); err != nil {
			return err
		}
		if err := b.DeleteNestedBucket([]byte("k5x")); err != nil {
			return err
		}
		if nested.Get([]byte("a")) != nil {
			t.Errorf("deleted bucket still readable")
		}
		if err := nested.Put([]byte("a"), nil); err != walletdb.ErrBucketNotFound {
			t.Errorf("put into deleted bucket: %v", err)
		}
		if b.Get([]byte("k5x")) != nil || b.NestedReadBucket([]byte("k5x")) != nil {
			t.Errorf("deleted bucket still listed")
		}
		return nil
	})
}

// TestHandlesSeeWritesFromOtherHandles checks that two handles on one bucket
// observe each other's writes although writes copy the bucket.
func TestHandlesSeeWritesFromOtherHandles(t *testing.T) {
	db, _ := openMem(t)
	fillBucket(t, db)
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		b1 := tx.ReadWriteBucket([]byte("b")).NestedReadWriteBucket([]byte("k5x"))
		b2 := tx.ReadWriteBucket([]byte("b")).NestedReadWriteBucket([]byte("k5x"))
		if err := b2.Put([]byte("x"), []byte("1")); err != nil {
			return err
		}
		if string(b1.Get([]byte("x"))) != "1" {
			t.Errorf("stale handle missed a write")
		}
		if _, err := b1.NextSequence(); err != nil {
			return err
		}
		if b2.Sequence() != 1 {
			t.Errorf("stale handle missed a sequence change")
		}
		return nil
	})
}
