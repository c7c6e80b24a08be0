package node

import (
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/keys"
	"lnwasm/node/store"
)

func newTestNode(t *testing.T, s store.Store) *Node {
	t.Helper()
	n, err := New(Config{Network: &chaincfg.RegressionNetParams, Store: s,
		Scrypt: keys.ScryptParams{LogN: 10, R: 8, P: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func pubOf(t *testing.T, n *Node) string {
	t.Helper()
	k, err := n.identityKey()
	if err != nil {
		t.Fatal(err)
	}
	return string(k.PubKey().SerializeCompressed())
}

func TestWalletLifecycle(t *testing.T) {
	s := store.NewMemory()
	n := newTestNode(t, s)
	if _, err := n.identityKey(); !errors.Is(err, ErrWalletLocked) {
		t.Fatalf("new node: %v, want locked", err)
	}
	if err := n.UnlockWallet("whatever1"); !errors.Is(err, ErrNoWallet) {
		t.Fatalf("unlock with no wallet: %v", err)
	}
	if _, err := n.CreateWallet("short", ""); !errors.Is(err, ErrWeakPassword) {
		t.Fatalf("short password: %v", err)
	}
	words, err := n.CreateWallet("correct horse", "")
	if err != nil {
		t.Fatal(err)
	}
	if len(strings.Fields(words)) != 24 {
		t.Fatalf("mnemonic has %d words", len(strings.Fields(words)))
	}
	id := pubOf(t, n)
	if _, err := n.CreateWallet("correct horse", ""); !errors.Is(err, ErrWalletExists) {
		t.Fatalf("second create: %v", err)
	}

	// A reload: a new Node over the same store.
	again := newTestNode(t, s)
	if err := again.UnlockWallet("wrong horse"); !errors.Is(err, keys.ErrWrongPassword) {
		t.Fatalf("wrong password: %v", err)
	}
	if err := again.UnlockWallet("correct horse"); err != nil {
		t.Fatal(err)
	}
	if pubOf(t, again) != id {
		t.Fatal("unlock derived a different identity")
	}

	// Restore from the words elsewhere: the same identity.
	restored := newTestNode(t, store.NewMemory())
	if _, err := restored.CreateWallet("another pass", words); err != nil {
		t.Fatal(err)
	}
	if pubOf(t, restored) != id {
		t.Fatal("restore from mnemonic derived a different identity")
	}
	if _, err := newTestNode(t, store.NewMemory()).CreateWallet("another pass", "abandon abandon"); !errors.Is(err, keys.ErrInvalidMnemonic) {
		t.Fatalf("bad mnemonic: %v", err)
	}
}
