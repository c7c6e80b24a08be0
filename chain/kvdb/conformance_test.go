package kvdb

import (
	"testing"

	"github.com/btcsuite/btcwallet/walletdb/walletdbtest"
)

// TestInterface runs btcwallet's walletdb conformance suite against the
// registered driver, both memory-only and journaled.
func TestInterface(t *testing.T) {
	t.Run("memory", func(t *testing.T) {
		walletdbtest.TestInterface(t, DriverName, nil)
	})
	t.Run("journal", func(t *testing.T) {
		j := NewMemJournal()
		walletdbtest.TestInterface(t, DriverName, j)
		// The suite deletes what it creates except the batch bucket.
		db, err := Open(j)
		if err != nil {
			t.Fatalf("reopen: %v", err)
		}
		defer db.Close()
		assertSameAsJournal(t, db.(*DB), j)
	})
}
