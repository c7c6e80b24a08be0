package channel

import (
	"errors"
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// ErrNoFundsForOpen reports a push that leaves the opener unable to pay
// the commitment fee.
var ErrNoFundsForOpen = errors.New("funding too small for the push and fees")

// MaxFundingSat is 2^24-1: without option_support_large_channel (which we
// do not offer) BOLT 2 caps funding_satoshis below 2^24.
const MaxFundingSat = 1<<24 - 1

// OpenParams describes a channel we fund.
type OpenParams struct {
	Chain        chainhash.Hash
	Peer         lnwire.Point
	TempID       lnwire.ChannelID
	KeyIndex     uint32
	FundingSat   int64
	PushMsat     uint64
	FeeratePerKw uint32
	Type         script.CommitmentType
	Announce     bool
	// CloseScript is where a cooperative close pays us unless Close names
	// another script.
	CloseScript []byte
}

// NewOpener starts a channel we fund; the Output carries open_channel.
func NewOpener(p OpenParams, k *LocalKeys, pol Policy, log *slog.Logger) (*Machine, *Output, error) {
	switch {
	case p.FundingSat < pol.MinFundingSat || p.FundingSat > MaxFundingSat:
		return nil, nil, fmt.Errorf("open channel: funding %d sat outside [%d, %d]", p.FundingSat, pol.MinFundingSat, MaxFundingSat)
	case p.PushMsat > uint64(p.FundingSat)*1000:
		return nil, nil, fmt.Errorf("open channel: push %d msat exceeds the funding", p.PushMsat)
	}
	if err := pol.checkFeerate(p.FeeratePerKw); err != nil {
		return nil, nil, fmt.Errorf("open channel: %w", err)
	}
	s := &State{
		Version: stateVersion, Phase: PhaseOpening, Opener: true, Type: p.Type,
		Announce: p.Announce, KeyIndex: p.KeyIndex, Peer: p.Peer, Chain: p.Chain,
		TempID: p.TempID, FundingSat: p.FundingSat, PushMsat: p.PushMsat,
		Local:         pol.ours(p.FundingSat),
		BaseLocalMsat: uint64(p.FundingSat)*1000 - p.PushMsat, BaseRemoteMsat: p.PushMsat,
		BaseFeerate: p.FeeratePerKw, Close: CloseState{LocalScript: p.CloseScript},
	}
	if fee := openerCost(p.Type, p.FeeratePerKw); int64(s.BaseLocalMsat/1000) < fee+s.Local.ReserveSat {
		return nil, nil, fmt.Errorf("open channel: %w: %d sat left after the push cannot pay the %d sat commitment fee and reserve",
			ErrNoFundsForOpen, s.BaseLocalMsat/1000, fee)
	}
	m := restore(s, k, pol, log)
	m.online = true
	msg := &lnwire.OpenChannel{
		ChainHash: p.Chain, TemporaryChannelID: p.TempID,
		FundingSatoshis: lnwire.Satoshi(p.FundingSat), PushMsat: lnwire.MilliSatoshi(p.PushMsat),
		DustLimitSatoshis:        lnwire.Satoshi(s.Local.DustLimitSat),
		MaxHTLCValueInFlightMsat: lnwire.MilliSatoshi(s.Local.MaxInFlightMsat),
		ChannelReserveSatoshis:   lnwire.Satoshi(s.Local.ReserveSat),
		HTLCMinimumMsat:          lnwire.MilliSatoshi(s.Local.HTLCMinimumMsat),
		FeeratePerKw:             p.FeeratePerKw,
		ToSelfDelay:              s.Local.ToSelfDelay,
		MaxAcceptedHTLCs:         s.Local.MaxAcceptedHTLCs,
		OpeningTLVs:              openingTLVs(p.Type),
	}
	if p.Announce {
		msg.ChannelFlags = lnwire.ChannelFlagAnnounce
	}
	var err error
	if msg.ChannelKeys, err = m.ourChannelKeys(); err != nil {
		return nil, nil, fmt.Errorf("open channel: %w", err)
	}
	return m, &Output{Msgs: []lnwire.Message{msg}}, nil
}

// openerCost is what the opener pays on a commitment with no HTLCs: the
// fee and, with anchors, both anchor outputs.
func openerCost(t script.CommitmentType, feerate uint32) int64 {
	return script.CommitFee(t, feerate, 0) + anchorsCost(t)
}

// anchorsCost is what the two anchor outputs take from the opener.
func anchorsCost(t script.CommitmentType) int64 {
	if t == script.Anchors {
		return 2 * script.AnchorSat
	}
	return 0
}

// openingTLVs asks for channel type t explicitly, with an empty upfront
// shutdown script: BOLT 2 wants the record present whenever the TLV stream
// is, and empty says we commit to no script.
func openingTLVs(t script.CommitmentType) lnwire.OpeningTLVs {
	return lnwire.OpeningTLVs{
		UpfrontShutdownScript: lnwire.Some([]byte{}),
		ChannelType:           lnwire.Some(channelTypeBits(t)),
	}
}

// channelTypeBits is the channel_type feature vector for t.
func channelTypeBits(t script.CommitmentType) lnwire.FeatureVector {
	if t == script.Anchors {
		return lnwire.NewFeatureVector(lnwire.StaticRemoteKeyRequired, lnwire.AnchorsZeroFeeHTLCTxRequired)
	}
	return lnwire.NewFeatureVector(lnwire.StaticRemoteKeyRequired)
}

// parseChannelType maps a channel_type to a type we support.
//
// BOLT 2: "if the channel_type is not suitable: MUST fail the channel" and
// "if channel_type includes a bit it doesn't understand... MUST fail".
func parseChannelType(f lnwire.FeatureVector) (script.CommitmentType, error) {
	for _, t := range []script.CommitmentType{script.Anchors, script.StaticRemoteKey} {
		if f.String() == channelTypeBits(t).String() {
			return t, nil
		}
	}
	return 0, fmt.Errorf("unsupported channel_type %s", f)
}

func (m *Machine) ourChannelKeys() (lnwire.ChannelKeys, error) {
	first, err := m.keys.Point(0)
	if err != nil {
		return lnwire.ChannelKeys{}, err
	}
	return lnwire.ChannelKeys{
		FundingPubkey:           lnwire.NewPoint(m.keys.FundingPub()),
		RevocationBasepoint:     lnwire.NewPoint(m.keys.Revocation.PubKey()),
		PaymentBasepoint:        lnwire.NewPoint(m.keys.Payment.PubKey()),
		DelayedPaymentBasepoint: lnwire.NewPoint(m.keys.Delayed.PubKey()),
		HTLCBasepoint:           lnwire.NewPoint(m.keys.HTLC.PubKey()),
		FirstPerCommitmentPoint: lnwire.NewPoint(first),
	}, nil
}

// setRemoteKeys records the peer's keys; its first point is for its
// commitment 0.
func (s *State) setRemoteKeys(k lnwire.ChannelKeys) {
	s.RemoteKeys = RemoteKeys{
		Funding: k.FundingPubkey, Revocation: k.RevocationBasepoint,
		Payment: k.PaymentBasepoint, Delayed: k.DelayedPaymentBasepoint, HTLC: k.HTLCBasepoint,
	}
	s.RemoteTailPoint = k.FirstPerCommitmentPoint
}

func paramsOf(dust lnwire.Satoshi, inflight lnwire.MilliSatoshi, reserve lnwire.Satoshi,
	htlcMin lnwire.MilliSatoshi, delay, maxHTLCs uint16) Params {
	return Params{
		DustLimitSat: int64(dust), MaxInFlightMsat: uint64(inflight), ReserveSat: int64(reserve),
		HTLCMinimumMsat: uint64(htlcMin), ToSelfDelay: delay, MaxAcceptedHTLCs: maxHTLCs,
	}
}

// onAcceptChannel checks the accepter's answer and asks the wallet to
// fund the now known funding output.
func (m *Machine) onAcceptChannel(s *State, msg *lnwire.AcceptChannel, out *Output) error {
	if s.Phase != PhaseOpening || s.RemoteKeys.Funding != (lnwire.Point{}) {
		return protocolWarn("unexpected accept_channel")
	}
	if msg.TemporaryChannelID != s.TempID {
		return protocolWarn("accept_channel for unknown temporary channel %s", msg.TemporaryChannelID)
	}
	theirs := paramsOf(msg.DustLimitSatoshis, msg.MaxHTLCValueInFlightMsat, msg.ChannelReserveSatoshis,
		msg.HTLCMinimumMsat, msg.ToSelfDelay, msg.MaxAcceptedHTLCs)
	if err := m.pol.checkTheirs(theirs, s.Local, s.FundingSat); err != nil {
		return protocolFail("accept_channel: %v", err)
	}
	// BOLT 2: "minimum_depth is unreasonably large"
	if msg.MinimumDepth > m.pol.MaxMinDepth {
		return protocolFail("accept_channel: minimum_depth %d is above our limit %d", msg.MinimumDepth, m.pol.MaxMinDepth)
	}
	// BOLT 2: "if channel_type is set, and channel_type was set in
	// open_channel, and they are not equal types: MUST fail the channel."
	if ct, ok := msg.ChannelType.Get(); ok && ct.String() != channelTypeBits(s.Type).String() {
		return protocolFail("accept_channel: channel_type %s, we asked for %s", ct, channelTypeBits(s.Type))
	}
	s.Remote = theirs
	s.MinimumDepth = max(msg.MinimumDepth, 1)
	s.setRemoteKeys(msg.ChannelKeys)
	theirPay, err := s.RemoteKeys.Payment.PubKey()
	if err != nil {
		return protocolFail("accept_channel: %v", err)
	}
	s.Obscurer = script.ObscuringFactor(m.keys.Payment.PubKey(), theirPay)
	pk, err := m.fundingPkScript(s)
	if err != nil {
		return protocolFail("accept_channel: %v", err)
	}
	out.effect(NeedFunding{PkScript: pk, AmountSat: s.FundingSat, FeeratePerKw: s.BaseFeerate})
	return nil
}
