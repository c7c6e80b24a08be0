package kvdb

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcwallet/walletdb"
)

// recordsFrom splits fuzz input into journal records: a length byte and
// that many key bytes, then a length byte and value bytes, repeated.
func recordsFrom(b []byte) []Record {
	var out []Record
	next := func() []byte {
		if len(b) == 0 {
			return nil
		}
		n := min(int(b[0]), len(b)-1)
		v := b[1 : 1+n]
		b = b[1+n:]
		return v
	}
	for len(b) > 0 {
		out = append(out, Record{Key: next(), Value: next()})
	}
	return out
}

// framed is the inverse of recordsFrom, for seeds.
func framed(recs []Record) []byte {
	var out []byte
	for _, r := range recs {
		out = append(append(out, byte(len(r.Key))), r.Key...)
		out = append(append(out, byte(len(r.Value))), r.Value...)
	}
	return out
}

// FuzzOpenJournal opens databases from journal records as a damaged
// IndexedDB could return them (the page's chain and node state load this
// way at every start). Open must refuse with ErrCorrupt or give a database
// whose every bucket can be walked, that takes a write, and that reopens
// from its journal with the same contents.
func FuzzOpenJournal(f *testing.F) {
	j := NewMemJournal()
	db, err := open(j)
	if err != nil {
		f.Fatal(err)
	}
	err = walletdb.Update(db, func(tx walletdb.ReadWriteTx) error {
		a, err := tx.CreateTopLevelBucket([]byte("a"))
		if err != nil {
			return err
		}
		if err := a.Put([]byte("k"), []byte("v")); err != nil {
			return err
		}
		n, err := a.CreateBucket([]byte("nested"))
		if err != nil {
			return err
		}
		if _, err := n.NextSequence(); err != nil {
			return err
		}
		return n.Put([]byte("deep"), nil)
	})
	if err != nil {
		f.Fatal(err)
	}
	seed, _ := j.Load()
	f.Add(framed(seed))
	f.Add(framed(seed[1:]))
	f.Fuzz(func(t *testing.T, b []byte) {
		j := NewMemJournal(recordsFrom(b)...)
		db, err := open(j)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("open refused without ErrCorrupt: %v", err)
			}
			return
		}
		walkAll(t, db)
		err = walletdb.Update(db, func(tx walletdb.ReadWriteTx) error {
			top, err := tx.CreateTopLevelBucket([]byte("fuzz-write"))
			if err != nil {
				return err
			}
			return top.Put([]byte("k"), []byte("v"))
		})
		if err != nil {
			t.Fatalf("write to an opened database: %v", err)
		}
		before := snapshotRecords(t, db)
		again, err := open(j)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		after := snapshotRecords(t, again)
		if len(before) != len(after) {
			t.Fatalf("reopened with %d records, had %d", len(after), len(before))
		}
		for i := range before {
			if !bytes.Equal(before[i].Key, after[i].Key) || !bytes.Equal(before[i].Value, after[i].Value) {
				t.Fatalf("record %d differs after reopen", i)
			}
		}
	})
}

// walkAll reads every key of every bucket.
func walkAll(t *testing.T, db *DB) {
	var walk func(b walletdb.ReadBucket) error
	walk = func(b walletdb.ReadBucket) error {
		return b.ForEach(func(k, v []byte) error {
			if v == nil {
				if nb := b.NestedReadBucket(k); nb != nil {
					return walk(nb)
				}
			}
			return nil
		})
	}
	err := walletdb.View(db, func(tx walletdb.ReadTx) error {
		return tx.ForEachBucket(func(k []byte) error {
			top := tx.ReadBucket(k)
			if top == nil {
				t.Fatalf("top-level bucket %x listed but not readable", k)
			}
			return walk(top)
		})
	})
	if err != nil {
		t.Fatalf("walk an opened database: %v", err)
	}
}
