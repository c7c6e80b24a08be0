package kvdb

import (
	"encoding/binary"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcwallet/walletdb"
)

// counterBucket holds two keys that every write sets to the same value, so
// a reader seeing them differ has seen a torn snapshot.
var counterBucket = []byte("counter")

// readCounter returns both counter values from one read transaction,
// yielding in between to give the writer a chance to interleave.
func readCounter(db walletdb.DB) (uint64, uint64, error) {
	var a, b uint64
	err := walletdb.View(db, func(tx walletdb.ReadTx) error {
		bkt := tx.ReadBucket(counterBucket)
		a = binary.BigEndian.Uint64(bkt.Get([]byte("a")))
		runtime.Gosched()
		// Walk the nested buckets too, to race with their creation.
		_ = bkt.ForEach(func(k, v []byte) error { return nil })
		b = binary.BigEndian.Uint64(bkt.Get([]byte("b")))
		return nil
	})
	return a, b, err
}

// TestConcurrentReadersAndWriter runs readers beside a writer; every read
// transaction must see one consistent, monotonically advancing snapshot.
func TestConcurrentReadersAndWriter(t *testing.T) {
	db, j := openMem(t)
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		b, err := tx.CreateTopLevelBucket(counterBucket)
		if err != nil {
			return err
		}
		zero := make([]byte, 8)
		if err := b.Put([]byte("a"), zero); err != nil {
			return err
		}
		return b.Put([]byte("b"), zero)
	})

	const writes = 200
	done := make(chan struct{})
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for r := 0; r < 4; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last uint64
			for {
				a, b, err := readCounter(db)
				if err != nil {
					errs <- err
					return
				}
				if a != b || a < last {
					t.Errorf("torn or stale read: a=%d b=%d "+
						"last=%d", a, b, last)
					return
				}
				last = a
				select {
				case <-done:
					return
				default:
				}
			}
		}()
	}

	for i := uint64(1); i <= writes; i++ {
		var v [8]byte
		binary.BigEndian.PutUint64(v[:], i)
		update(t, db, func(tx walletdb.ReadWriteTx) error {
			b := tx.ReadWriteBucket(counterBucket)
			if err := b.Put([]byte("a"), v[:]); err != nil {
				return err
			}
			runtime.Gosched()
			if i%10 == 0 {
				if _, err := b.CreateBucket(v[:]); err != nil {
					return err
				}
			}
			return b.Put([]byte("b"), v[:])
		})
	}
	close(done)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("reader: %v", err)
	}
	a, b, err := readCounter(db)
	if err != nil || a != writes || b != writes {
		t.Fatalf("final counter a=%d b=%d err=%v", a, b, err)
	}
	assertSameAsJournal(t, db, j)
}

// TestReadTxThenWriteTxSameGoroutine checks that holding a read transaction
// does not block a write transaction from the same goroutine, and that the
// read transaction keeps its snapshot across the commit.
func TestReadTxThenWriteTxSameGoroutine(t *testing.T) {
	db, _ := openMem(t)
	fillBucket(t, db)
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		rtx, err := db.BeginReadTx()
		if err != nil {
			t.Error(err)
			return
		}
		defer func() { _ = rtx.Rollback() }()
		err = walletdb.Update(db, func(tx walletdb.ReadWriteTx) error {
			// A read transaction opened inside a write one sees
			// the last commit, not the pending write.
			b := tx.ReadWriteBucket([]byte("b"))
			if err := b.Put([]byte("k1"), []byte("new")); err != nil {
				return err
			}
			inner, err := db.BeginReadTx()
			if err != nil {
				return err
			}
			defer func() { _ = inner.Rollback() }()
			v := inner.ReadBucket([]byte("b")).Get([]byte("k1"))
			if string(v) != "vk1" {
				t.Errorf("inner read saw uncommitted %q", v)
			}
			return nil
		})
		if err != nil {
			t.Error(err)
			return
		}
		if v := rtx.ReadBucket([]byte("b")).Get([]byte("k1")); string(v) != "vk1" {
			t.Errorf("old read tx lost its snapshot: %q", v)
		}
	}()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("read tx blocked a write tx in the same goroutine")
	}
	view(t, db, func(tx walletdb.ReadTx) error {
		if v := tx.ReadBucket([]byte("b")).Get([]byte("k1")); string(v) != "new" {
			t.Errorf("commit not visible: %q", v)
		}
		return nil
	})
}

// TestWritersSerialise checks that a second writer waits for the first.
func TestWritersSerialise(t *testing.T) {
	db, _ := openMem(t)
	tx1, err := db.BeginReadWriteTx()
	if err != nil {
		t.Fatal(err)
	}
	started := make(chan struct{})
	got := make(chan error, 1)
	go func() {
		close(started)
		tx2, err := db.BeginReadWriteTx()
		if err == nil {
			err = tx2.Rollback()
		}
		got <- err
	}()
	<-started
	select {
	case <-got:
		t.Fatal("second writer did not wait")
	case <-time.After(50 * time.Millisecond):
	}
	if err := tx1.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := <-got; err != nil {
		t.Fatal(err)
	}
}
