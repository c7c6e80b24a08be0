package channel

import (
	"fmt"

	"lnwasm/node/lnwire"
)

// onFundingConfirmed sends channel_ready once the funding transaction is
// as deep as the accepter asked.
//
// BOLT 2: "The sender MUST NOT send channel_ready until it has seen the
// funding transaction reach minimum_depth."
func (m *Machine) onFundingConfirmed(s *State, e FundingConfirmed, out *Output) error {
	if s.Phase < PhaseAwaitLocked || s.Phase >= PhaseClosed {
		return nil
	}
	if s.SCID == 0 {
		scid, err := lnwire.NewShortChannelID(e.Height, e.TxIndex, uint16(s.FundingIndex))
		if err != nil {
			return fmt.Errorf("funding confirmed: %w", err)
		}
		s.SCID, s.FundingHeight = scid, e.Height
		out.Persist = true
	}
	if e.Depth < s.MinimumDepth || s.ReadySent || s.Phase != PhaseAwaitLocked {
		return nil
	}
	msg, err := m.channelReady(s)
	if err != nil {
		return err
	}
	s.ReadySent = true
	out.send(msg)
	m.maybeNormal(s, out)
	return nil
}

func (m *Machine) channelReady(s *State) (*lnwire.ChannelReady, error) {
	second, err := m.keys.Point(1)
	if err != nil {
		return nil, err
	}
	return &lnwire.ChannelReady{ChannelID: s.ID, SecondPerCommitmentPoint: lnwire.NewPoint(second)}, nil
}

// onChannelReady stores the peer's point for its commitment 1.
func (m *Machine) onChannelReady(s *State, msg *lnwire.ChannelReady, out *Output) error {
	if s.Phase < PhaseAwaitLocked {
		return protocolWarn("channel_ready before funding_signed")
	}
	if s.ReadyReceived {
		// A retransmission after reconnecting: BOLT 2 has the sender
		// repeat it until the first commitment update, and it must match.
		if s.RemoteTail == 0 && msg.SecondPerCommitmentPoint != s.RemoteNextPoint {
			return protocolFail("channel_ready retransmitted with a different point")
		}
		return nil
	}
	s.RemoteNextPoint = msg.SecondPerCommitmentPoint
	s.ReadyReceived = true
	out.Persist = true
	m.maybeNormal(s, out)
	return nil
}

func (m *Machine) maybeNormal(s *State, out *Output) {
	if s.Phase == PhaseAwaitLocked && s.ReadySent && s.ReadyReceived {
		s.Phase = PhaseNormal
		out.effect(Notify{Change: ChangeState})
	}
}
