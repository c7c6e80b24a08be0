//go:build !js

package wdbstore_test

import (
	"path/filepath"
	"testing"

	"lnwasm/chain/kvdb"
	"lnwasm/node/store"
	"lnwasm/node/store/storetest"
	"lnwasm/node/store/wdbstore"
)

func openFileStore(t *testing.T, path string) (store.Store, func()) {
	t.Helper()
	j, err := kvdb.OpenFileJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	db, err := kvdb.Open(j)
	if err != nil {
		t.Fatal(err)
	}
	s, err := wdbstore.New(db)
	if err != nil {
		t.Fatal(err)
	}
	return s, func() { j.Close() }
}

// TestFileConformance: the native file store (kvdb over a FileJournal)
// passes the same suite as the memory and IndexedDB stores.
func TestFileConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, done := openFileStore(t, filepath.Join(t.TempDir(), "node.journal"))
		t.Cleanup(done)
		return s
	})
}

// TestFileStoreSurvivesReopen: what an Update committed is there after the
// process reopens the file.
func TestFileStoreSurvivesReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "node.journal")
	s, done := openFileStore(t, path)
	err := s.Update(func(tx store.Tx) error { return tx.Put([]byte("channels"), []byte("id"), []byte("state")) })
	if err != nil {
		t.Fatal(err)
	}
	done()
	s, done = openFileStore(t, path)
	defer done()
	var got []byte
	_ = s.View(func(tx store.Tx) (err error) { got, err = tx.Get([]byte("channels"), []byte("id")); return })
	if string(got) != "state" {
		t.Fatalf("after reopen: %q", got)
	}
}
