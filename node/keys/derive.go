package keys

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// Purpose is lnd's BIP43 purpose for Lightning keys.
const Purpose = 1017

// KeyFamily selects a branch of Lightning keys, as in lnd's keychain.
type KeyFamily uint32

// The key families, numbered as lnd numbers them.
const (
	FamilyMultiSig       KeyFamily = 0 // funding output keys
	FamilyRevocationBase KeyFamily = 1
	FamilyHtlcBase       KeyFamily = 2
	FamilyPaymentBase    KeyFamily = 3
	FamilyDelayBase      KeyFamily = 4
	FamilyRevocationRoot KeyFamily = 5 // shachain roots
	FamilyNodeKey        KeyFamily = 6 // the node identity
)

// Ring derives keys from a seed for one network.
type Ring struct {
	master *hdkeychain.ExtendedKey
	coin   uint32
}

// NewRing builds the key ring for a BIP39 seed on a network.
func NewRing(seed []byte, net *chaincfg.Params) (*Ring, error) {
	master, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		return nil, fmt.Errorf("new key ring: %w", err)
	}
	coin := uint32(1)
	if net.Net == chaincfg.MainNetParams.Net {
		coin = 0
	}
	return &Ring{master: master, coin: coin}, nil
}

// Derive returns the private key m/1017'/coin'/family'/0/index.
func (r *Ring) Derive(family KeyFamily, index uint32) (*btcec.PrivateKey, error) {
	path := []uint32{
		hdkeychain.HardenedKeyStart + Purpose,
		hdkeychain.HardenedKeyStart + r.coin,
		hdkeychain.HardenedKeyStart + uint32(family),
		0, index,
	}
	k := r.master
	for _, step := range path {
		var err error
		if k, err = k.Derive(step); err != nil {
			return nil, fmt.Errorf("derive family %d index %d: %w", family, index, err)
		}
	}
	priv, err := k.ECPrivKey()
	if err != nil {
		return nil, fmt.Errorf("derive family %d index %d: %w", family, index, err)
	}
	return priv, nil
}

// NodeKey is the node's identity key: family 6, index 0.
func (r *Ring) NodeKey() (*btcec.PrivateKey, error) {
	return r.Derive(FamilyNodeKey, 0)
}
