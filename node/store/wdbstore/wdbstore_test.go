package wdbstore_test

import (
	"errors"
	"testing"

	"lnwasm/chain/kvdb"
	"lnwasm/node/store"
	"lnwasm/node/store/storetest"
	"lnwasm/node/store/wdbstore"
)

func TestKvdbConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := kvdb.Open(kvdb.NewMemJournal())
		if err != nil {
			t.Fatal(err)
		}
		s, err := wdbstore.New(db)
		if err != nil {
			t.Fatal(err)
		}
		return s
	})
}

// TestFailedCommitKeepsNothing: storage that fails to write must surface the
// error and leave the old state, so the node stops rather than go on.
func TestFailedCommitKeepsNothing(t *testing.T) {
	j := kvdb.NewMemJournal()
	db, _ := kvdb.Open(j)
	s, err := wdbstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	j.FailCommits(errors.New("quota exceeded"))
	err = s.Update(func(tx store.Tx) error { return tx.Put([]byte("b"), []byte("k"), []byte("v")) })
	if err == nil {
		t.Fatal("update over a failing journal succeeded")
	}
	j.FailCommits(nil)
	_ = s.View(func(tx store.Tx) error {
		if v, _ := tx.Get([]byte("b"), []byte("k")); v != nil {
			t.Errorf("failed commit left %q", v)
		}
		return nil
	})
}
