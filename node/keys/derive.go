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
	net    *chaincfg.Params
	coin   uint32
}

// NewRing builds the key ring for a BIP39 seed on a network.
func NewRing(seed []byte, net *chaincfg.Params) (*Ring, error) {
	master, err := hdkeychain.NewMaster(seed, net)
	if err != nil {
		return nil, fmt.Errorf("new key ring: %w", err)
	}
	return &Ring{master: master, net: net, coin: coinType(net)}, nil
}

// coinType is the BIP44 coin type: 0 for mainnet, 1 for every test network
// (testnet, signet, regtest), as lnd and BIP44 wallets number them.
func coinType(net *chaincfg.Params) uint32 {
	if net.Net == chaincfg.MainNetParams.Net {
		return 0
	}
	return 1
}

// derivePath walks path from k, one BIP32 child derivation per step. Every
// key the package hands out comes through here, which is what the BIP32
// vectors test.
func derivePath(k *hdkeychain.ExtendedKey, path ...uint32) (*hdkeychain.ExtendedKey, error) {
	for _, step := range path {
		var err error
		if k, err = k.Derive(step); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// Derive returns the private key m/1017'/coin'/family'/0/index.
func (r *Ring) Derive(family KeyFamily, index uint32) (*btcec.PrivateKey, error) {
	path := []uint32{
		hdkeychain.HardenedKeyStart + Purpose,
		hdkeychain.HardenedKeyStart + r.coin,
		hdkeychain.HardenedKeyStart + uint32(family),
		0, index,
	}
	k, err := derivePath(r.master, path...)
	if err != nil {
		return nil, fmt.Errorf("derive family %d index %d: %w", family, index, err)
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
