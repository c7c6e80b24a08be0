package channel

import (
	"errors"
	"fmt"

	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
)

// ErrDataLoss reports that the peer proved we lost state: it holds a
// revocation of a commitment we no longer know. Broadcasting our
// commitment now would hand the peer everything, so the channel waits for
// the peer to close (node/onchain recovers our funds).
var ErrDataLoss = errors.New("our channel state is older than the peer's")

// onDisconnected forgets what the peer will forget: its updates we have
// no commitment_signed for. Our own unsigned updates stay in the log and
// are sent again after the reestablish. An opening not yet signed is
// abandoned.
//
// BOLT 2: "A node: ... upon disconnection: MUST reverse any uncommitted
// updates sent by the other side (i.e. all messages beginning with
// update_ for which no commitment_signed has been received)."
func (m *Machine) onDisconnected(s *State, out *Output) error {
	m.online = false
	if s.Phase < PhaseAwaitLocked {
		s.Phase = PhaseFailed
		s.FailReason = "peer disconnected before the channel was funded"
		if s.LeaseID != "" {
			out.effect(ReleaseFunding{LeaseID: s.LeaseID})
		}
		return nil
	}
	s.forgetUncommitted()
	out.Persist = true
	s.Close.resetNegotiation()
	return nil
}

// forgetUncommitted drops the peer's updates no commitment_signed covers;
// the peer sends them again after the reestablish.
func (s *State) forgetUncommitted() {
	kept := s.Updates[:0]
	for _, u := range s.Updates {
		if u.Origin == Remote && u.LocalCommit == 0 {
			if u.Kind == KindAdd {
				s.NextRemoteID--
			}
			continue
		}
		kept = append(kept, u)
	}
	s.Updates = kept
}

// onReconnected sends our channel_reestablish, or a restored channel's
// request to close.
func (m *Machine) onReconnected(s *State, out *Output) error {
	if s.waitsForPeerClose() {
		msg, err := m.restoredReestablish(s)
		if err != nil {
			return err
		}
		out.Msgs = append(out.Msgs, msg)
		return nil
	}
	if s.Phase < PhaseAwaitLocked || s.Phase >= PhaseClosing {
		return nil
	}
	msg, err := m.reestablishMsg(s)
	if err != nil {
		return err
	}
	out.Msgs = append(out.Msgs, msg)
	return nil
}

func (m *Machine) reestablishMsg(s *State) (*lnwire.ChannelReestablish, error) {
	cur, err := m.keys.Point(s.LocalNumber)
	if err != nil {
		return nil, err
	}
	msg := &lnwire.ChannelReestablish{
		ChannelID:                   s.ID,
		NextCommitmentNumber:        s.LocalNumber + 1,
		NextRevocationNumber:        s.RemoteTail,
		MyCurrentPerCommitmentPoint: lnwire.NewPoint(cur),
	}
	if s.RemoteTail > 0 {
		secret, err := s.RemoteSecrets.LookUp(keys.MaxCommitmentIndex - (s.RemoteTail - 1))
		if err != nil {
			return nil, fmt.Errorf("reestablish: %w", err)
		}
		msg.YourLastPerCommitmentSecret = secret
	}
	return msg, nil
}

// onReestablish compares the peer's view with ours and retransmits what
// it missed, in the order it was first sent.
func (m *Machine) onReestablish(s *State, msg *lnwire.ChannelReestablish, out *Output) error {
	if s.Phase < PhaseAwaitLocked || s.Phase >= PhaseClosing {
		return nil
	}
	if err := m.checkTheirRevocations(s, msg); err != nil {
		return err
	}
	resendRevoke := msg.NextRevocationNumber+1 == s.LocalNumber
	resendCommit, err := m.needCommitResend(s, msg)
	if err != nil {
		return err
	}
	m.online = true
	if msg.NextCommitmentNumber == 1 && s.LocalNumber == 0 && s.ReadySent {
		// BOLT 2: "if next_commitment_number is 1 in both the
		// channel_reestablish it sent and received: MUST retransmit
		// channel_ready".
		ready, err := m.channelReady(s)
		if err != nil {
			return err
		}
		out.Msgs = append(out.Msgs, ready)
	}
	if err := m.retransmit(s, resendRevoke, resendCommit, out); err != nil {
		return err
	}
	if err := m.resendShutdown(s, out); err != nil {
		return err
	}
	return m.maybeSign(s, out)
}

// checkTheirRevocations compares next_revocation_number with our
// commitment number and checks the secret it proves.
//
// BOLT 2: "if next_revocation_number is greater than expected above, AND
// your_last_per_commitment_secret is correct for that
// next_revocation_number minus 1: MUST NOT broadcast its commitment
// transaction; SHOULD send an error to request the peer to fail the
// channel. otherwise: if your_last_per_commitment_secret does not match
// the expected values: SHOULD send an error and fail the channel."
func (m *Machine) checkTheirRevocations(s *State, msg *lnwire.ChannelReestablish) error {
	nr := msg.NextRevocationNumber
	if nr > 0 {
		want, err := m.keys.Secret(nr - 1)
		if err != nil {
			return protocolFail("channel_reestablish: %v", err)
		}
		if msg.YourLastPerCommitmentSecret != want {
			return protocolFail("channel_reestablish: your_last_per_commitment_secret is wrong for %d", nr-1)
		}
	}
	switch {
	case nr == s.LocalNumber || nr+1 == s.LocalNumber:
		return nil
	case nr > s.LocalNumber:
		return &ProtocolError{Msg: fmt.Sprintf("%v: peer expects revocation %d, our commitment is %d",
			ErrDataLoss, nr, s.LocalNumber), Fail: true, DataLoss: true}
	}
	return protocolFail("channel_reestablish: next_revocation_number %d, our commitment is %d", nr, s.LocalNumber)
}

// needCommitResend reports whether the peer missed our last
// commitment_signed.
//
// BOLT 2: "if next_commitment_number is equal to the commitment number of
// the last commitment_signed message the receiving node has sent: MUST
// reuse the same commitment number for its next commitment_signed.
// otherwise: if next_commitment_number is not 1 greater than the
// commitment number of the last commitment_signed message the receiving
// node has sent: SHOULD send an error and fail the channel."
func (m *Machine) needCommitResend(s *State, msg *lnwire.ChannelReestablish) (bool, error) {
	switch nc := msg.NextCommitmentNumber; {
	case nc == s.RemoteNumber+1:
		return false, nil
	case nc == s.RemoteNumber && s.RemoteNumber == s.RemoteTail+1:
		return true, nil
	default:
		return false, protocolFail("channel_reestablish: next_commitment_number %d, we signed %d", nc, s.RemoteNumber)
	}
}

// retransmit resends the revoke_and_ack and/or the commitment_signed
// (with the updates it covered) the peer missed, in their original order,
// then our updates no commitment covers yet.
func (m *Machine) retransmit(s *State, revoke, commit bool, out *Output) error {
	sendRevoke := func() error {
		rev, err := m.revocation(s.LocalNumber)
		if err != nil {
			return err
		}
		rev.ChannelID = s.ID
		out.Msgs = append(out.Msgs, rev)
		return nil
	}
	if revoke && !(commit && s.LastSent == sentRevoke) {
		if err := sendRevoke(); err != nil {
			return err
		}
	}
	if commit {
		for _, u := range s.Updates {
			if u.Origin == Local && u.RemoteCommit == s.RemoteNumber {
				out.Msgs = append(out.Msgs, u.message(s.ID))
			}
		}
		msg, err := m.signNext(s, s.RemoteNumber, out)
		if err != nil {
			return err
		}
		out.Msgs = append(out.Msgs, msg)
	}
	if revoke && commit && s.LastSent == sentRevoke {
		if err := sendRevoke(); err != nil {
			return err
		}
	}
	for _, u := range s.Updates {
		if u.Origin == Local && u.RemoteCommit == 0 {
			out.Msgs = append(out.Msgs, u.message(s.ID))
		}
	}
	return nil
}
