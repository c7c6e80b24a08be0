package channel

import (
	"fmt"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// FundingPkScript is the funding output's P2WSH script, which a light
// client watches to see the channel close.
func (m *Machine) FundingPkScript() ([]byte, error) { return m.fundingPkScript(m.st) }

// fundingPkScript is the funding output's P2WSH script.
func (m *Machine) fundingPkScript(s *State) ([]byte, error) {
	theirs, err := s.RemoteKeys.Funding.PubKey()
	if err != nil {
		return nil, fmt.Errorf("peer funding key: %w", err)
	}
	_, out, err := script.FundingOutput(m.keys.FundingPub(), theirs, s.FundingSat)
	if err != nil {
		return nil, err
	}
	return out.PkScript, nil
}

// onFundingReady signs the peer's first commitment over the wallet's
// funding outpoint and sends funding_created. Nothing is broadcast yet.
func (m *Machine) onFundingReady(s *State, e FundingReady, out *Output) error {
	if s.Phase != PhaseOpening || s.RemoteKeys.Funding == (lnwire.Point{}) {
		return fmt.Errorf("funding ready: channel is %s", s.Phase)
	}
	if e.Outpoint.Index > 0xffff {
		return fmt.Errorf("funding ready: output index %d does not fit funding_output_index", e.Outpoint.Index)
	}
	s.FundingTxid, s.FundingIndex, s.LeaseID = e.Outpoint.Hash, e.Outpoint.Index, e.LeaseID
	s.ID = lnwire.NewChannelID(s.FundingTxid, uint16(s.FundingIndex))
	v, err := s.viewOf(Remote, 0)
	if err != nil {
		return err
	}
	b, err := m.build(s, Remote, 0, v)
	if err != nil {
		return fmt.Errorf("funding ready: %w", err)
	}
	sig, _, err := m.signRemote(s, b, out)
	if err != nil {
		return err
	}
	s.Phase = PhaseFundingSent
	out.Msgs = append(out.Msgs, &lnwire.FundingCreated{
		TemporaryChannelID: s.TempID, FundingTxID: s.FundingTxid,
		FundingOutputIndex: uint16(s.FundingIndex), Signature: sig,
	})
	return nil
}

// onFundingFailed abandons an opening the wallet could not fund.
func (m *Machine) onFundingFailed(s *State, e FundingFailed, out *Output) error {
	if s.Phase != PhaseOpening {
		return fmt.Errorf("funding failed: channel is %s", s.Phase)
	}
	s.Phase = PhaseFailed
	s.FailReason = fmt.Sprintf("funding: %v", e.Err)
	out.Msgs = append(out.Msgs, &lnwire.Error{ChannelID: s.TempID, Data: []byte("cannot fund the channel")})
	return nil
}

// onFundingSigned verifies the peer's signature on our first commitment;
// only then may the funding transaction be broadcast.
//
// BOLT 2: "The sender MUST NOT broadcast the funding transaction before
// receipt of a valid funding_signed."
func (m *Machine) onFundingSigned(s *State, msg *lnwire.FundingSigned, out *Output) error {
	if s.Phase != PhaseFundingSent {
		return protocolWarn("unexpected funding_signed")
	}
	if msg.ChannelID != s.ID {
		return protocolWarn("funding_signed for channel %s, expected %s", msg.ChannelID, s.ID)
	}
	if err := m.checkFirstCommitment(s, msg.Signature); err != nil {
		return protocolFail("funding_signed: %v", err)
	}
	s.Phase = PhaseAwaitLocked
	pk, err := m.fundingPkScript(s)
	if err != nil {
		return err
	}
	out.Persist = true
	out.effect(PublishFunding{LeaseID: s.LeaseID})
	out.effect(WatchFunding{Outpoint: s.FundingOutpoint(), PkScript: pk, Depth: s.MinimumDepth})
	out.effect(Notify{Change: ChangeState})
	return nil
}

// checkFirstCommitment verifies the peer's signature on our commitment 0
// and keeps it: it is what a force close would broadcast.
func (m *Machine) checkFirstCommitment(s *State, sig lnwire.Sig) error {
	v, err := s.viewOf(Local, 0)
	if err != nil {
		return err
	}
	b, err := m.build(s, Local, 0, v)
	if err != nil {
		return err
	}
	if err := m.verifyLocal(s, b, sig, nil); err != nil {
		return err
	}
	s.LocalSig = sig
	return nil
}
