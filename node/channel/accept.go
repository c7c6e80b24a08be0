package channel

import (
	"fmt"
	"log/slog"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// AcceptParams is what the host knows when a peer asks to open a channel.
type AcceptParams struct {
	Chain       chainhash.Hash
	Peer        lnwire.Point
	KeyIndex    uint32
	CloseScript []byte
}

// NewAccepter answers a peer's open_channel. On a refusal it returns an
// error and an Output holding the error message for the peer.
func NewAccepter(msg *lnwire.OpenChannel, p AcceptParams, k *LocalKeys, pol Policy, log *slog.Logger) (*Machine, *Output, error) {
	refuse := func(err error) (*Machine, *Output, error) {
		e := &lnwire.Error{ChannelID: msg.TemporaryChannelID, Data: []byte(err.Error())}
		return nil, &Output{Msgs: []lnwire.Message{e}}, fmt.Errorf("refuse open_channel: %w", err)
	}
	s, err := checkOpenChannel(msg, p, pol)
	if err != nil {
		return refuse(err)
	}
	m := restore(s, k, pol, log)
	m.online = true
	keys, err := m.ourChannelKeys()
	if err != nil {
		return nil, nil, fmt.Errorf("accept channel: %w", err)
	}
	accept := &lnwire.AcceptChannel{
		TemporaryChannelID:       msg.TemporaryChannelID,
		DustLimitSatoshis:        lnwire.Satoshi(s.Local.DustLimitSat),
		MaxHTLCValueInFlightMsat: lnwire.MilliSatoshi(s.Local.MaxInFlightMsat),
		ChannelReserveSatoshis:   lnwire.Satoshi(s.Local.ReserveSat),
		HTLCMinimumMsat:          lnwire.MilliSatoshi(s.Local.HTLCMinimumMsat),
		MinimumDepth:             s.MinimumDepth,
		ToSelfDelay:              s.Local.ToSelfDelay,
		MaxAcceptedHTLCs:         s.Local.MaxAcceptedHTLCs,
		ChannelKeys:              keys,
	}
	if _, ok := msg.ChannelType.Get(); ok {
		accept.OpeningTLVs = openingTLVs(s.Type)
	}
	return m, &Output{Msgs: []lnwire.Message{accept}}, nil
}

// checkOpenChannel applies BOLT 2's receiving-node rules for open_channel
// and our policy, and returns the new channel's state.
func checkOpenChannel(msg *lnwire.OpenChannel, p AcceptParams, pol Policy) (*State, error) {
	funding := int64(msg.FundingSatoshis)
	switch {
	case msg.ChainHash != p.Chain:
		return nil, fmt.Errorf("chain_hash %s is not our chain", msg.ChainHash)
	case funding < pol.MinFundingSat:
		return nil, fmt.Errorf("%w: funding_satoshis %d is below our minimum %d", ErrUnsafeParams, funding, pol.MinFundingSat)
	case funding > MaxFundingSat:
		return nil, fmt.Errorf("%w: funding_satoshis %d needs option_support_large_channel", ErrUnsafeParams, funding)
	// BOLT 2: "push_msat is greater than funding_satoshis * 1000"
	case uint64(msg.PushMsat) > uint64(funding)*1000:
		return nil, fmt.Errorf("%w: push_msat %d exceeds the funding", ErrUnsafeParams, msg.PushMsat)
	}
	t := script.StaticRemoteKey
	if ct, ok := msg.ChannelType.Get(); ok {
		var err error
		if t, err = parseChannelType(ct); err != nil {
			return nil, err
		}
	}
	if err := pol.checkFeerate(msg.FeeratePerKw); err != nil {
		return nil, err
	}
	theirs := paramsOf(msg.DustLimitSatoshis, msg.MaxHTLCValueInFlightMsat, msg.ChannelReserveSatoshis,
		msg.HTLCMinimumMsat, msg.ToSelfDelay, msg.MaxAcceptedHTLCs)
	ours := pol.ours(funding)
	// BOLT 2 (accepter): "MUST set channel_reserve_satoshis greater than
	// or equal to dust_limit_satoshis from the open_channel message."
	ours.ReserveSat = max(ours.ReserveSat, theirs.DustLimitSat)
	if err := pol.checkTheirs(theirs, ours, funding); err != nil {
		return nil, err
	}
	openerMsat := uint64(funding)*1000 - uint64(msg.PushMsat)
	// BOLT 2: "the funder's amount for the initial commitment transaction
	// is not sufficient for full fee payment."
	if int64(openerMsat/1000) < openerCost(t, msg.FeeratePerKw) {
		return nil, fmt.Errorf("%w: the opener cannot pay the first commitment's fee", ErrUnsafeParams)
	}
	// BOLT 2: "both to_local and to_remote amounts for the initial
	// commitment transaction are less than or equal to
	// channel_reserve_satoshis."
	if int64(openerMsat/1000) <= ours.ReserveSat && int64(msg.PushMsat/1000) <= theirs.ReserveSat {
		return nil, fmt.Errorf("%w: both initial balances are within the reserves", ErrUnsafeParams)
	}
	s := &State{
		Version: stateVersion, Phase: PhaseAwaitFundingCreated, Type: t,
		Announce: msg.ChannelFlags&lnwire.ChannelFlagAnnounce != 0, KeyIndex: p.KeyIndex,
		Peer: p.Peer, Chain: p.Chain, TempID: msg.TemporaryChannelID, FundingSat: funding,
		PushMsat: uint64(msg.PushMsat), MinimumDepth: pol.MinDepth, Local: ours, Remote: theirs,
		BaseLocalMsat: uint64(msg.PushMsat), BaseRemoteMsat: openerMsat, BaseFeerate: msg.FeeratePerKw,
		Close: CloseState{LocalScript: p.CloseScript},
	}
	s.setRemoteKeys(msg.ChannelKeys)
	return s, nil
}

// onFundingCreated checks the opener's signature on our first commitment,
// signs theirs, and starts watching the funding output.
func (m *Machine) onFundingCreated(s *State, msg *lnwire.FundingCreated, out *Output) error {
	if s.Phase != PhaseAwaitFundingCreated {
		return protocolWarn("unexpected funding_created")
	}
	if msg.TemporaryChannelID != s.TempID {
		return protocolWarn("funding_created for unknown temporary channel %s", msg.TemporaryChannelID)
	}
	op := fundingOutpointOf(msg)
	s.FundingTxid, s.FundingIndex = op.Hash, op.Index
	s.ID = lnwire.NewChannelID(op.Hash, msg.FundingOutputIndex)
	theirPay, err := s.RemoteKeys.Payment.PubKey()
	if err != nil {
		return protocolFail("funding_created: %v", err)
	}
	s.Obscurer = script.ObscuringFactor(theirPay, m.keys.Payment.PubKey())
	if err := m.checkFirstCommitment(s, msg.Signature); err != nil {
		return protocolFail("funding_created: %v", err)
	}
	v, err := s.viewOf(Remote, 0)
	if err != nil {
		return err
	}
	b, err := m.build(s, Remote, 0, v)
	if err != nil {
		return err
	}
	sig, _, err := m.signRemote(s, b, out)
	if err != nil {
		return err
	}
	pk, err := m.fundingPkScript(s)
	if err != nil {
		return err
	}
	s.Phase = PhaseAwaitLocked
	out.send(&lnwire.FundingSigned{ChannelID: s.ID, Signature: sig})
	out.effect(WatchFunding{Outpoint: op, PkScript: pk, Depth: s.MinimumDepth})
	out.effect(Notify{Change: ChangeState})
	return nil
}
