package script

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
)

// Basepoints are the four basepoints one side announces in open_channel or
// accept_channel. Every per-commitment key is derived from one of them.
type Basepoints struct {
	Revocation     *btcec.PublicKey
	Payment        *btcec.PublicKey
	DelayedPayment *btcec.PublicKey
	HTLC           *btcec.PublicKey
}

// CommitKeys are the keys of one commitment transaction, i.e. of one
// holder and one per_commitment_point.
type CommitKeys struct {
	Revocation   *btcec.PublicKey // revocationpubkey
	LocalDelayed *btcec.PublicKey // local_delayedpubkey
	LocalHTLC    *btcec.PublicKey // local_htlcpubkey
	RemoteHTLC   *btcec.PublicKey // remote_htlcpubkey
	// ToRemote is the key in to_remote: the counterparty's payment_basepoint
	// for StaticRemoteKey and Anchors, or the legacy per-commitment
	// remotepubkey when rebuilding pre-static_remotekey commitments.
	ToRemote *btcec.PublicKey
}

// check refuses a key set with a hole in it: a nil key would panic deep in
// script building instead of failing here with a name.
func (k *CommitKeys) check() error {
	if k == nil {
		return fmt.Errorf("%w: nil commitment keys", ErrCommitParams)
	}
	for _, f := range []struct {
		name string
		key  *btcec.PublicKey
	}{
		{"revocation", k.Revocation}, {"local delayed", k.LocalDelayed},
		{"local htlc", k.LocalHTLC}, {"remote htlc", k.RemoteHTLC},
		{"to_remote", k.ToRemote},
	} {
		if f.key == nil {
			return fmt.Errorf("%w: nil %s key", ErrCommitParams, f.name)
		}
	}
	return nil
}

// DeriveCommitKeys derives the keys of the holder's commitment for the
// holder's per_commitment_point. local are the holder's basepoints, remote
// the counterparty's.
//
// BOLT 3: "The localpubkey uses the local node's payment_basepoint; ...
// the local_htlcpubkey uses the local node's htlc_basepoint; the
// remote_htlcpubkey uses the remote node's htlc_basepoint; the
// local_delayedpubkey uses the local node's delayed_payment_basepoint".
// The revocationpubkey uses the counterparty's revocation_basepoint, since
// it is the counterparty who must be able to punish this commitment.
//
// BOLT 3: "If option_static_remotekey or option_anchors is negotiated, the
// remotepubkey is simply the remote node's payment_basepoint".
func DeriveCommitKeys(t CommitmentType, perCommitmentPoint *btcec.PublicKey, local, remote Basepoints) (*CommitKeys, error) {
	if err := checkType(t); err != nil {
		return nil, err
	}
	if perCommitmentPoint == nil || local.DelayedPayment == nil || local.HTLC == nil ||
		remote.Revocation == nil || remote.HTLC == nil || remote.Payment == nil {
		return nil, fmt.Errorf("%w: nil basepoint or per-commitment point", ErrCommitParams)
	}
	rev, err := DeriveRevocationPubKey(remote.Revocation, perCommitmentPoint)
	if err != nil {
		return nil, fmt.Errorf("commit keys: revocation: %w", err)
	}
	delayed, err := DeriveLocalPubKey(local.DelayedPayment, perCommitmentPoint)
	if err != nil {
		return nil, fmt.Errorf("commit keys: local delayed: %w", err)
	}
	localHTLC, err := DeriveLocalPubKey(local.HTLC, perCommitmentPoint)
	if err != nil {
		return nil, fmt.Errorf("commit keys: local htlc: %w", err)
	}
	remoteHTLC, err := DeriveLocalPubKey(remote.HTLC, perCommitmentPoint)
	if err != nil {
		return nil, fmt.Errorf("commit keys: remote htlc: %w", err)
	}
	return &CommitKeys{
		Revocation:   rev,
		LocalDelayed: delayed,
		LocalHTLC:    localHTLC,
		RemoteHTLC:   remoteHTLC,
		ToRemote:     remote.Payment,
	}, nil
}

// commitNumberMask keeps the 48 bits a commitment number may use.
const commitNumberMask = 1<<48 - 1

// ObscuringFactor returns the value XORed into the commitment number so a
// third party seeing a commitment on chain cannot tell how many updates the
// channel made, while both peers can still recover the number.
//
// BOLT 3: "The 48-bit commitment number is obscured by XOR with the lower
// 48 bits of: SHA256(payment_basepoint from open_channel ||
// payment_basepoint from accept_channel)"
func ObscuringFactor(openerPaymentBasepoint, accepterPaymentBasepoint *btcec.PublicKey) uint64 {
	h := sha256.New()
	h.Write(openerPaymentBasepoint.SerializeCompressed())
	h.Write(accepterPaymentBasepoint.SerializeCompressed())
	sum := h.Sum(nil)
	var b [8]byte
	copy(b[2:], sum[26:])
	return binary.BigEndian.Uint64(b[:])
}

// Upper bytes BOLT 3 fixes in a commitment's sequence and locktime; they
// also mark the transaction as a commitment for anyone scanning the chain.
const (
	commitSequenceTag = 0x80 << 24
	commitLocktimeTag = 0x20 << 24
)

// obscuredSequenceLocktime spreads the obscured commitment number over the
// funding input's sequence and the locktime.
//
// BOLT 3: "locktime: upper 8 bits are 0x20, lower 24 bits are the lower 24
// bits of the obscured commitment number"; "txin[0] sequence: upper 8 bits
// are 0x80, lower 24 bits are upper 24 bits of the obscured commitment
// number".
func obscuredSequenceLocktime(commitNumber, obscurer uint64) (sequence, locktime uint32) {
	obscured := (commitNumber ^ obscurer) & commitNumberMask
	sequence = commitSequenceTag | uint32(obscured>>24)
	locktime = commitLocktimeTag | uint32(obscured&0xFFFFFF)
	return sequence, locktime
}

// CommitNumberFromTx recovers the commitment number of a commitment
// transaction found on chain, so node/onchain can tell which (possibly
// revoked) state the peer broadcast. ok is false if the transaction does
// not carry BOLT 3's sequence and locktime tags.
func CommitNumberFromTx(sequence, locktime uint32, obscurer uint64) (commitNumber uint64, ok bool) {
	if sequence>>24 != 0x80 || locktime>>24 != 0x20 {
		return 0, false
	}
	obscured := uint64(sequence&0xFFFFFF)<<24 | uint64(locktime&0xFFFFFF)
	return (obscured ^ obscurer) & commitNumberMask, true
}
