package kvdb

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/btcsuite/btcwallet/walletdb"
)

// fillBucket creates top-level bucket "b" holding values k1..k9 ("k%d") and
// a nested bucket "k5x" in between, and returns the expected key order.
func fillBucket(t *testing.T, db walletdb.DB) []string {
	t.Helper()
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		b, err := tx.CreateTopLevelBucket([]byte("b"))
		if err != nil {
			return err
		}
		for i := 9; i >= 1; i-- {
			k := fmt.Sprintf("k%d", i)
			if err := b.Put([]byte(k), []byte("v"+k)); err != nil {
				return err
			}
		}
		_, err = b.CreateBucket([]byte("k5x"))
		return err
	})
	return []string{"k1", "k2", "k3", "k4", "k5", "k5x", "k6", "k7",
		"k8", "k9"}
}

// checkKV fails unless (k, v) is the entry want of fillBucket.
func checkKV(t *testing.T, what string, k, v []byte, want string) {
	t.Helper()
	if want == "" {
		if k != nil || v != nil {
			t.Fatalf("%s: got %q=%q, want end", what, k, v)
		}
		return
	}
	wantV := []byte("v" + want)
	if want == "k5x" {
		wantV = nil
	}
	if string(k) != want || !bytes.Equal(v, wantV) ||
		(wantV == nil) != (v == nil) {

		t.Fatalf("%s: got %q=%q, want %q=%q", what, k, v, want, wantV)
	}
}

// TestCursorOrderAndSeek checks byte order in both directions, bbolt's
// end-of-range positioning, Seek and ForEach.
func TestCursorOrderAndSeek(t *testing.T) {
	db, _ := openMem(t)
	order := fillBucket(t, db)
	view(t, db, func(tx walletdb.ReadTx) error {
		c := tx.ReadBucket([]byte("b")).ReadCursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			checkKV(t, "forward", k, v, order[i])
			i++
		}
		if i != len(order) {
			t.Fatalf("forward visited %d entries, want %d", i,
				len(order))
		}
		// bbolt stays on the last entry after Next runs off the end.
		k, v := c.Prev()
		checkKV(t, "prev after end", k, v, order[len(order)-2])

		i = len(order) - 1
		for k, v := c.Last(); k != nil; k, v = c.Prev() {
			checkKV(t, "backward", k, v, order[i])
			i--
		}
		// Before the first entry the cursor is unpositioned.
		k, v = c.Next()
		checkKV(t, "next after start", k, v, "")

		k, v = c.Seek([]byte("k5"))
		checkKV(t, "seek exact", k, v, "k5")
		k, v = c.Next()
		checkKV(t, "next after seek", k, v, "k5x")
		k, v = c.Seek([]byte("k5a"))
		checkKV(t, "seek between", k, v, "k5x")
		k, v = c.Seek(nil)
		checkKV(t, "seek nil", k, v, "k1")
		k, v = c.Seek([]byte("z"))
		checkKV(t, "seek past end", k, v, "")
		k, v = c.Prev()
		checkKV(t, "prev after seek past end", k, v, "k9")

		var forEach []string
		err := tx.ReadBucket([]byte("b")).ForEach(func(k, v []byte) error {
			checkKV(t, "foreach", k, v, order[len(forEach)])
			forEach = append(forEach, string(k))
			return nil
		})
		if err != nil || len(forEach) != len(order) {
			t.Fatalf("ForEach: %v, %d entries", err, len(forEach))
		}
		return nil
	})
}

// TestCursorDeleteWhileIterating deletes every entry from inside a cursor
// loop; no entry may be skipped and buckets refuse deletion.
func TestCursorDeleteWhileIterating(t *testing.T) {
	db, j := openMem(t)
	order := fillBucket(t, db)
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		c := tx.ReadWriteBucket([]byte("b")).ReadWriteCursor()
		i := 0
		for k, v := c.First(); k != nil; k, v = c.Next() {
			checkKV(t, "delete loop", k, v, order[i])
			i++
			err := c.Delete()
			if string(k) == "k5x" {
				if err != walletdb.ErrIncompatibleValue {
					t.Fatalf("delete bucket via cursor: %v",
						err)
				}
				continue
			}
			if err != nil {
				return err
			}
		}
		if i != len(order) {
			t.Fatalf("visited %d entries, want %d", i, len(order))
		}
		return nil
	})
	view(t, db, func(tx walletdb.ReadTx) error {
		k, v := tx.ReadBucket([]byte("b")).ReadCursor().First()
		checkKV(t, "after delete", k, v, "k5x")
		return nil
	})
	assertSameAsJournal(t, db, j)
}

// TestCursorDeleteBackwardsAndMixedWrites checks Prev after Delete and a
// cursor surviving a bucket write between steps.
func TestCursorDeleteBackwardsAndMixedWrites(t *testing.T) {
	db, _ := openMem(t)
	fillBucket(t, db)
	update(t, db, func(tx walletdb.ReadWriteTx) error {
		b := tx.ReadWriteBucket([]byte("b"))
		c := b.ReadWriteCursor()
		k, _ := c.Last()
		if err := c.Delete(); err != nil {
			return err
		}
		k, v := c.Prev()
		checkKV(t, "prev after delete", k, v, "k8")
		// A bucket write between steps must not derail the cursor.
		if err := b.Put([]byte("k85"), []byte("vk85")); err != nil {
			return err
		}
		k, v = c.Next()
		if string(k) != "k85" || string(v) != "vk85" {
			t.Fatalf("next after put: %q=%q", k, v)
		}
		k, v = c.Next()
		checkKV(t, "next at end", k, v, "")
		return nil
	})
}
