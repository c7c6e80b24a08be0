package storecheck_test

import (
	"errors"
	"testing"

	"lnwasm/node/store"
	"lnwasm/node/store/storecheck"
)

// brokenStore drops every write, which the cases must catch.
type brokenStore struct{ store.Store }

func (b brokenStore) Update(fn func(store.Tx) error) error { return nil }

func TestRunAllReports(t *testing.T) {
	good := storecheck.RunAll(func(int) (store.Store, error) { return store.NewMemory(), nil })
	if len(good) != len(storecheck.Cases) {
		t.Fatalf("%d results for %d cases", len(good), len(storecheck.Cases))
	}
	for _, r := range good {
		if r.Error != "" {
			t.Errorf("memory store fails %s: %s", r.Name, r.Error)
		}
	}
	bad := storecheck.RunAll(func(int) (store.Store, error) { return brokenStore{store.NewMemory()}, nil })
	failed := 0
	for _, r := range bad {
		if r.Error != "" {
			failed++
		}
	}
	if failed == 0 {
		t.Fatal("a store that drops writes passed every case")
	}
	open := storecheck.RunAll(func(int) (store.Store, error) { return nil, errors.New("no db") })
	if open[0].Error == "" {
		t.Fatal("an open error was not reported")
	}
}
