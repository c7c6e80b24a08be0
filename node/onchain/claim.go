package onchain

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/channel"
	"lnwasm/node/script"
)

// The ways a channel ends on-chain, in lncli's words.
const (
	KindLocalForce  = "LOCAL_FORCE_CLOSE"
	KindRemoteForce = "REMOTE_FORCE_CLOSE"
	KindBreach      = "BREACH_CLOSE"
)

// KeyRef says how to derive the private key of a claim from the channel's
// keys, so a stored resolution holds no secret of ours.
type KeyRef struct {
	// Base is "delayed", "htlc", "revocation", "payment" or "funding".
	Base string
	// Point tweaks delayed and htlc keys (BOLT 3 localpubkey derivation).
	Point []byte `json:",omitempty"`
	// Secret is the peer's revealed per-commitment secret (revocation).
	Secret []byte `json:",omitempty"`
}

// derive is the private key ref names.
func (r KeyRef) derive(k *channel.LocalKeys) (*btcec.PrivateKey, error) {
	switch r.Base {
	case "payment":
		return k.Payment, nil
	case "funding":
		return k.Funding, nil
	case "revocation":
		sec, _ := btcec.PrivKeyFromBytes(r.Secret)
		return script.DeriveRevocationPrivKey(k.Revocation, sec)
	case "delayed", "htlc":
		pt, err := btcec.ParsePubKey(r.Point)
		if err != nil {
			return nil, fmt.Errorf("key %s: %w", r.Base, err)
		}
		base := k.Delayed
		if r.Base == "htlc" {
			base = k.HTLC
		}
		return script.DeriveLocalPrivKey(base, pt)
	}
	return nil, fmt.Errorf("unknown key base %q", r.Base)
}

// Claim is one output that pays us, or may: the closing commitment's, or
// a second-level transaction's.
type Claim struct {
	OutPoint wire.OutPoint
	ValueSat int64
	PkScript []byte
	// What names the output for people: to_local, to_remote, htlc,
	// second_level.
	What          string
	Sweep         script.SweepKind
	WitnessScript []byte `json:",omitempty"`
	Key           KeyRef
	CSV           uint16 `json:",omitempty"`
	CLTV          uint32 `json:",omitempty"`
	Anchors       bool   `json:",omitempty"`
	// MatureHeight is the first block that may hold our spend.
	MatureHeight uint32
	// HTLC claims: the payment, and whether we offered it.
	PaymentHash [32]byte `json:",omitempty"`
	Offered     bool     `json:",omitempty"`
	HTLCID      uint64   `json:",omitempty"`
	AmountMsat  uint64   `json:",omitempty"`
	Preimage    [32]byte `json:",omitempty"`
	HasPreimage bool     `json:",omitempty"`
	// WatchOnly claims are outputs we cannot spend now (an HTLC we got
	// without knowing its preimage): watched until someone spends them.
	WatchOnly bool `json:",omitempty"`
	// Dust claims are worth less than the fee of sweeping them.
	Dust bool `json:",omitempty"`
	// SecondLevel is the unsigned HTLC-timeout or HTLC-success transaction
	// of an HTLC output of our own commitment, and PeerSig the peer's
	// signature on it (sighash byte included). Without anchors it pays its
	// own fee; with anchors the wallet adds inputs when it is broadcast.
	SecondLevel []byte `json:",omitempty"`
	PeerSig     []byte `json:",omitempty"`
	// Next is the claim on the output of a second-level transaction that
	// spends this one (ours, or the peer's from a revoked state), with
	// OutPoint, value and heights filled in when that spend is seen.
	Next *Claim `json:",omitempty"`

	// SweepTxid is our transaction spending it, once built.
	SweepTxid chainhash.Hash
	// SpentBy and SpentHeight: the confirmed spend, ours or the peer's.
	SpentBy     chainhash.Hash
	SpentHeight uint32
	Done        bool
}

// input is the claim as the sweep builder takes it.
func (c *Claim) input(k *channel.LocalKeys) (script.SweepInput, error) {
	priv, err := c.Key.derive(k)
	if err != nil {
		return script.SweepInput{}, fmt.Errorf("claim %s %v: %w", c.What, c.OutPoint, err)
	}
	return script.SweepInput{Kind: c.Sweep, OutPoint: c.OutPoint, ValueSat: c.ValueSat,
		WitnessScript: c.WitnessScript, Key: priv, Preimage: c.Preimage, CSV: c.CSV, CLTV: c.CLTV,
		Anchors: c.Anchors}, nil
}
