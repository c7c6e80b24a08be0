// Package storetest is the conformance suite every store.Store backend runs
// under go test; the cases live in storecheck.
package storetest

import (
	"testing"

	"lnwasm/node/store"
	"lnwasm/node/store/storecheck"
)

// Run checks a backend. open returns a fresh, empty store each call.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	for _, c := range storecheck.Cases {
		t.Run(c.Name, func(t *testing.T) { c.Run(t, open(t)) })
	}
}
