package store_test

import (
	"testing"

	"lnwasm/node/store"
	"lnwasm/node/store/storetest"
)

func TestMemoryConformance(t *testing.T) {
	storetest.Run(t, func(*testing.T) store.Store { return store.NewMemory() })
}
