package channel

import (
	"crypto/sha256"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"

	"lnwasm/node/keys"
	"lnwasm/node/script"
)

// LocalKeys are our secrets for one channel, derived from the wallet's key
// ring at the channel's key index. They are never persisted: a restored
// channel derives them again from the seed and the stored index.
type LocalKeys struct {
	Funding, Revocation, Payment, Delayed, HTLC *btcec.PrivateKey
	// shaSeed generates our per-commitment secrets (BOLT 3 shachain).
	shaSeed [32]byte
	// cache holds the public keys and recent per-commitment points: each is
	// a scalar multiplication, and every commitment built or checked needs
	// them (they were 28% of a commitment update's time).
	cache keyCache
}

// DeriveLocalKeys derives a channel's keys at index from the lnd key
// families, so a seed restored into lnd finds the same basepoints.
func DeriveLocalKeys(r *keys.Ring, index uint32) (*LocalKeys, error) {
	var k LocalKeys
	for _, f := range []struct {
		fam keys.KeyFamily
		dst **btcec.PrivateKey
	}{
		{keys.FamilyMultiSig, &k.Funding},
		{keys.FamilyRevocationBase, &k.Revocation},
		{keys.FamilyPaymentBase, &k.Payment},
		{keys.FamilyDelayBase, &k.Delayed},
		{keys.FamilyHtlcBase, &k.HTLC},
	} {
		priv, err := r.Derive(f.fam, index)
		if err != nil {
			return nil, fmt.Errorf("channel keys %d: %w", index, err)
		}
		*f.dst = priv
	}
	root, err := r.Derive(keys.FamilyRevocationRoot, index)
	if err != nil {
		return nil, fmt.Errorf("channel keys %d: %w", index, err)
	}
	// The shachain seed is a hash of the root key rather than the key
	// itself, so the seed never doubles as a signing key.
	k.shaSeed = sha256.Sum256(append([]byte("lnwasm shachain seed"), root.Serialize()...))
	return &k, nil
}

// Basepoints are our public basepoints for BOLT 3 derivations.
func (k *LocalKeys) Basepoints() script.Basepoints {
	k.cache.pubOnce.Do(k.derivePubs)
	return k.cache.pubs
}

// FundingPub is our funding public key.
func (k *LocalKeys) FundingPub() *btcec.PublicKey {
	k.cache.pubOnce.Do(k.derivePubs)
	return k.cache.funding
}

func (k *LocalKeys) derivePubs() {
	k.cache.pubs = script.Basepoints{
		Revocation:     k.Revocation.PubKey(),
		Payment:        k.Payment.PubKey(),
		DelayedPayment: k.Delayed.PubKey(),
		HTLC:           k.HTLC.PubKey(),
	}
	k.cache.funding = k.Funding.PubKey()
}

// Secret is our per-commitment secret for commitment number n, revealed
// when that commitment is revoked.
func (k *LocalKeys) Secret(n uint64) ([32]byte, error) {
	if n > keys.MaxCommitmentIndex {
		return [32]byte{}, fmt.Errorf("commitment number %d: %w", n, keys.ErrCommitmentIndex)
	}
	return keys.PerCommitmentSecret(k.shaSeed, keys.MaxCommitmentIndex-n)
}

// Point is our per-commitment point for commitment number n.
func (k *LocalKeys) Point(n uint64) (*btcec.PublicKey, error) {
	if p := k.cache.point(n); p != nil {
		return p, nil
	}
	s, err := k.Secret(n)
	if err != nil {
		return nil, err
	}
	p, err := script.PerCommitmentPoint(s)
	if err != nil {
		return nil, err
	}
	k.cache.keepPoint(n, p)
	return p, nil
}
