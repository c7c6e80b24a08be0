package node

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"lnwasm/node/keys"
	"lnwasm/node/store"
)

// The store bucket and key that hold the sealed seed.
var (
	bucketWallet = []byte("wallet")
	keySealed    = []byte("sealed-entropy")
)

// minPassword is the shortest password CreateWallet accepts.
const minPassword = 8

// HasWallet reports whether a sealed seed is stored.
func (n *Node) HasWallet() (bool, error) {
	var has bool
	err := n.cfg.Store.View(func(tx store.Tx) error {
		v, err := tx.Get(bucketWallet, keySealed)
		has = v != nil
		return err
	})
	if err != nil {
		return false, fmt.Errorf("read wallet: %w", err)
	}
	return has, nil
}

// CreateWallet makes a new wallet (or restores one from mnemonic), seals its
// seed under password, stores it, and unlocks it. It returns the 24 words,
// which the caller shows the person once.
func (n *Node) CreateWallet(password, mnemonic string) (string, error) {
	if len(password) < minPassword {
		return "", ErrWeakPassword
	}
	if has, err := n.HasWallet(); err != nil || has {
		if err == nil {
			err = ErrWalletExists
		}
		return "", fmt.Errorf("create wallet: %w", err)
	}
	entropy, err := entropyFor(mnemonic)
	if err != nil {
		return "", fmt.Errorf("create wallet: %w", err)
	}
	sealed, err := keys.EncryptEntropy(entropy, password, n.cfg.Scrypt)
	if err != nil {
		return "", fmt.Errorf("create wallet: %w", err)
	}
	birthday := n.birthdayFor(mnemonic != "")
	err = n.cfg.Store.Update(func(tx store.Tx) error {
		if v, err := tx.Get(bucketWallet, keySealed); err != nil || v != nil {
			if err == nil {
				err = ErrWalletExists
			}
			return err
		}
		if err := recordBirthday(tx, birthday); err != nil {
			return err
		}
		return tx.Put(bucketWallet, keySealed, sealed)
	})
	if err != nil {
		return "", fmt.Errorf("create wallet: store the sealed seed: %w", err)
	}
	if err := n.unlockWith(entropy); err != nil {
		return "", err
	}
	return keys.Mnemonic(entropy)
}

func entropyFor(mnemonic string) ([]byte, error) {
	if mnemonic != "" {
		return keys.EntropyFromMnemonic(mnemonic)
	}
	return keys.NewEntropy()
}

// UnlockWallet opens the sealed seed with password.
func (n *Node) UnlockWallet(password string) error {
	var sealed []byte
	err := n.cfg.Store.View(func(tx store.Tx) error {
		var err error
		sealed, err = tx.Get(bucketWallet, keySealed)
		return err
	})
	if err != nil {
		return fmt.Errorf("unlock wallet: %w", err)
	}
	if sealed == nil {
		return ErrNoWallet
	}
	entropy, err := keys.DecryptEntropy(sealed, password)
	if err != nil {
		return fmt.Errorf("unlock wallet: %w", err)
	}
	return n.unlockWith(entropy)
}

// unlockWith derives the key ring and the identity key.
func (n *Node) unlockWith(entropy []byte) error {
	seed, err := keys.SeedFromEntropy(entropy)
	if err != nil {
		return fmt.Errorf("unlock wallet: %w", err)
	}
	ring, err := keys.NewRing(seed, n.cfg.Network)
	if err != nil {
		return fmt.Errorf("unlock wallet: %w", err)
	}
	id, err := ring.NodeKey()
	if err != nil {
		return fmt.Errorf("unlock wallet: %w", err)
	}
	n.mu.Lock()
	already := n.identity != nil
	n.ring, n.identity = ring, id
	n.mu.Unlock()
	n.log.Info("wallet unlocked", "identity", fmt.Sprintf("%x", id.PubKey().SerializeCompressed()))
	if already {
		return nil
	}
	if err := n.startWallet(ring); err != nil {
		return err
	}
	if err := n.startPayments(); err != nil {
		return err
	}
	if err := n.loadChannels(ring); err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	n.mu.Lock()
	n.stopBlocks = cancel
	n.mu.Unlock()
	if err := n.watchBlocks(ctx); err != nil {
		return err
	}
	n.resumePayments()
	n.reconnectChannelPeers()
	return nil
}

// WalletState is "none", "locked" or "unlocked", as a page shows it.
func (n *Node) WalletState() (string, error) {
	if _, err := n.identityKey(); err == nil {
		return "unlocked", nil
	}
	has, err := n.HasWallet()
	switch {
	case err != nil:
		return "", err
	case has:
		return "locked", nil
	default:
		return "none", nil
	}
}

// IdentityPubkey is the node's public key in hex, or "" while locked.
func (n *Node) IdentityPubkey() string {
	k, err := n.identityKey()
	if err != nil {
		return ""
	}
	return fmt.Sprintf("%x", k.PubKey().SerializeCompressed())
}

// identityKey returns the node key, or ErrWalletLocked.
func (n *Node) identityKey() (*btcec.PrivateKey, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.identity == nil {
		return nil, ErrWalletLocked
	}
	return n.identity, nil
}
