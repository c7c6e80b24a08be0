package channel

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// ErrShell refuses shell parameters that cannot describe a funded channel.
var ErrShell = errors.New("invalid channel backup record")

// RestoredReason is the FailReason of a channel restored from a backup.
const RestoredReason = "restored from a static channel backup: waiting for the peer to close"

// ShellParams is what a static channel backup keeps of a channel: enough
// to find its funding output on-chain, derive our keys again, and
// recognise our output of the peer's commitment.
type ShellParams struct {
	Chain         chainhash.Hash
	Peer          lnwire.Point
	Funding       wire.OutPoint
	FundingSat    int64
	SCID          lnwire.ShortChannelID
	FundingHeight uint32
	Type          script.CommitmentType
	Opener        bool
	Announce      bool
	KeyIndex      uint32
	Local, Remote Params
	RemoteKeys    RemoteKeys
}

// NewShell makes the recovery record of a channel restored from a backup:
// failed, with data loss (so our commitment, which we no longer have, is
// never signed or broadcast), and Restored, so a reconnection asks the
// peer to close. k must be DeriveLocalKeys at p.KeyIndex.
func NewShell(p ShellParams, k *LocalKeys) (*State, error) {
	if err := p.check(); err != nil {
		return nil, err
	}
	theirPay, err := p.RemoteKeys.Payment.PubKey()
	if err != nil {
		return nil, fmt.Errorf("%w: peer payment basepoint: %v", ErrShell, err)
	}
	s := &State{
		Version: stateVersion, Phase: PhaseFailed, Opener: p.Opener, Type: p.Type, Announce: p.Announce,
		KeyIndex: p.KeyIndex, Peer: p.Peer, Chain: p.Chain,
		ID:          lnwire.NewChannelID(p.Funding.Hash, uint16(p.Funding.Index)),
		FundingTxid: p.Funding.Hash, FundingIndex: p.Funding.Index, FundingSat: p.FundingSat,
		SCID: p.SCID, FundingHeight: p.FundingHeight,
		Local: p.Local, Remote: p.Remote, RemoteKeys: p.RemoteKeys,
		FailReason: RestoredReason, DataLoss: true, Restored: true,
	}
	if p.Opener {
		s.Obscurer = script.ObscuringFactor(k.Payment.PubKey(), theirPay)
	} else {
		s.Obscurer = script.ObscuringFactor(theirPay, k.Payment.PubKey())
	}
	return s, nil
}

// ShellParams is what a backup keeps of this channel.
func (s *State) ShellParams() ShellParams {
	return ShellParams{
		Chain: s.Chain, Peer: s.Peer, Funding: s.FundingOutpoint(), FundingSat: s.FundingSat,
		SCID: s.SCID, FundingHeight: s.FundingHeight, Type: s.Type, Opener: s.Opener, Announce: s.Announce,
		KeyIndex: s.KeyIndex, Local: s.Local, Remote: s.Remote, RemoteKeys: s.RemoteKeys,
	}
}

// check refuses what no funded channel of ours can have.
func (p *ShellParams) check() error {
	switch {
	case p.Funding.Hash == (chainhash.Hash{}) || p.Funding.Index > 0xffff:
		return fmt.Errorf("%w: funding outpoint %v", ErrShell, p.Funding)
	case p.FundingSat <= 0 || p.FundingSat > MaxFundingSat:
		return fmt.Errorf("%w: capacity %d sat", ErrShell, p.FundingSat)
	case p.Type != script.Anchors && p.Type != script.StaticRemoteKey:
		return fmt.Errorf("%w: commitment type %v", ErrShell, p.Type)
	}
	for _, pt := range []lnwire.Point{p.Peer, p.RemoteKeys.Funding, p.RemoteKeys.Revocation,
		p.RemoteKeys.Payment, p.RemoteKeys.Delayed, p.RemoteKeys.HTLC} {
		if _, err := pt.PubKey(); err != nil {
			return fmt.Errorf("%w: %v", ErrShell, err)
		}
	}
	return nil
}

// restoredReestablish is a restored channel's channel_reestablish: it
// knows no commitment, so it asks the peer to close instead of resuming.
// lnd's restored channels send the same (next_commitment_number 0 for
// static_remotekey and anchors channels).
//
// BOLT 2, a receiving node: "if next_commitment_number is zero: MUST
// immediately fail the channel and broadcast any relevant latest
// commitment transaction." next_revocation_number 0 with an all-zero
// your_last_per_commitment_secret is what "we saw no revocation" looks
// like; my_current_per_commitment_point is our point for commitment 0,
// which the peer already has and which no static_remotekey or anchors
// output depends on.
func (m *Machine) restoredReestablish(s *State) (*lnwire.ChannelReestablish, error) {
	first, err := m.keys.Point(0)
	if err != nil {
		return nil, err
	}
	return &lnwire.ChannelReestablish{ChannelID: s.ID, MyCurrentPerCommitmentPoint: lnwire.NewPoint(first)}, nil
}

// waitsForPeerClose reports a restored channel whose peer has not closed
// it yet: each reconnection asks again.
func (s *State) waitsForPeerClose() bool { return s.Restored && s.Phase == PhaseFailed }
