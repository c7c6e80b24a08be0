// Package storecheck holds the store.Store conformance cases without
// importing testing, so the browser build can run them against IndexedDB
// (the wasm engine's checkStore) as well as go test (storetest.Run).
package storecheck

import (
	"bytes"
	"errors"
	"fmt"

	"lnwasm/node/store"
)

// TB is the part of testing.TB the cases use.
type TB interface {
	Helper()
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Error(args ...any)
}

// Case is one conformance check; it gets a fresh, empty store.
type Case struct {
	Name string
	Run  func(t TB, s store.Store)
}

// Cases are every check a backend must pass.
var Cases = []Case{
	{"PutGetDelete", putGetDelete},
	{"FailedUpdateLeavesNothing", failedUpdate},
	{"ViewIsReadOnly", viewReadOnly},
	{"ForEachInKeyOrder", forEachOrder},
	{"ValuesAreCopies", valuesAreCopies},
	{"EmptyKeysRefused", emptyKeys},
}

var b1, b2 = []byte("bucket-one"), []byte("bucket-two")

func get(t TB, s store.Store, b, k []byte) []byte {
	t.Helper()
	var v []byte
	if err := s.View(func(tx store.Tx) error {
		var err error
		v, err = tx.Get(b, k)
		return err
	}); err != nil {
		t.Fatalf("get %s/%s: %v", b, k, err)
	}
	return v
}

func putGetDelete(t TB, s store.Store) {
	if v := get(t, s, b1, []byte("k")); v != nil {
		t.Fatalf("empty store returned %x", v)
	}
	must(t, s.Update(func(tx store.Tx) error {
		if err := tx.Put(b1, []byte("k"), []byte("v1")); err != nil {
			return err
		}
		if v, err := tx.Get(b1, []byte("k")); err != nil || string(v) != "v1" {
			return fmt.Errorf("read own write: %q %v", v, err)
		}
		return tx.Put(b2, []byte("k"), []byte("other"))
	}))
	if v := get(t, s, b1, []byte("k")); string(v) != "v1" {
		t.Fatalf("after commit got %q", v)
	}
	if v := get(t, s, b2, []byte("k")); string(v) != "other" {
		t.Fatalf("buckets are not separate: %q", v)
	}
	must(t, s.Update(func(tx store.Tx) error { return tx.Delete(b1, []byte("k")) }))
	must(t, s.Update(func(tx store.Tx) error { return tx.Delete(b1, []byte("absent")) }))
	if v := get(t, s, b1, []byte("k")); v != nil {
		t.Fatalf("deleted key still reads %q", v)
	}
}

func failedUpdate(t TB, s store.Store) {
	must(t, s.Update(func(tx store.Tx) error { return tx.Put(b1, []byte("k"), []byte("kept")) }))
	boom := errors.New("boom")
	err := s.Update(func(tx store.Tx) error {
		_ = tx.Put(b1, []byte("k"), []byte("lost"))
		_ = tx.Put(b1, []byte("new"), []byte("lost"))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("Update returned %v, want the callback's error", err)
	}
	if v := get(t, s, b1, []byte("k")); string(v) != "kept" {
		t.Fatalf("a failed update changed a value: %q", v)
	}
	if v := get(t, s, b1, []byte("new")); v != nil {
		t.Fatalf("a failed update added a key: %q", v)
	}
}

func viewReadOnly(t TB, s store.Store) {
	err := s.View(func(tx store.Tx) error { return tx.Put(b1, []byte("k"), []byte("v")) })
	if err == nil {
		t.Fatal("Put inside View succeeded")
	}
	if v := get(t, s, b1, []byte("k")); v != nil {
		t.Fatalf("Put inside View left %q", v)
	}
}

func forEachOrder(t TB, s store.Store) {
	keys := [][]byte{{0x02}, {0x01, 0xff}, {0x01}, {0xff}, {0x00, 0x00}}
	must(t, s.Update(func(tx store.Tx) error {
		for i, k := range keys {
			if err := tx.Put(b1, k, []byte{byte(i)}); err != nil {
				return err
			}
		}
		return nil
	}))
	var seen [][]byte
	must(t, s.View(func(tx store.Tx) error {
		return tx.ForEach(b1, func(k, v []byte) error {
			seen = append(seen, append([]byte{}, k...))
			return nil
		})
	}))
	want := [][]byte{{0x00, 0x00}, {0x01}, {0x01, 0xff}, {0x02}, {0xff}}
	if len(seen) != len(want) {
		t.Fatalf("ForEach saw %d keys, want %d", len(seen), len(want))
	}
	for i := range want {
		if !bytes.Equal(seen[i], want[i]) {
			t.Fatalf("ForEach order %x, want %x", seen, want)
		}
	}
}

func valuesAreCopies(t TB, s store.Store) {
	val := []byte("value")
	must(t, s.Update(func(tx store.Tx) error { return tx.Put(b1, []byte("k"), val) }))
	val[0] = 'X'
	got := get(t, s, b1, []byte("k"))
	if string(got) != "value" {
		t.Fatalf("store kept a reference to the caller's slice: %q", got)
	}
	got[0] = 'Y'
	if again := get(t, s, b1, []byte("k")); string(again) != "value" {
		t.Fatalf("Get returned the store's own memory: %q", again)
	}
}

func emptyKeys(t TB, s store.Store) {
	err := s.Update(func(tx store.Tx) error { return tx.Put(b1, nil, []byte("v")) })
	if err == nil {
		t.Error("empty key accepted")
	}
	err = s.Update(func(tx store.Tx) error { return tx.Put(nil, []byte("k"), []byte("v")) })
	if err == nil {
		t.Error("empty bucket accepted")
	}
}

func must(t TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
