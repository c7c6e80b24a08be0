package channel

import (
	"fmt"

	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// includableRemote reports u belongs in the peer's next commitment: every
// update we sent, and every peer update we acknowledged by revoking.
//
// BOLT 2: commitment_signed covers "all updates sent by the sender ... and
// all updates received by the sender that the sender has acknowledged".
func (s *State) includableRemote(u *Update) bool {
	if u.RemoteCommit != 0 {
		return false
	}
	return u.Origin == Local || u.LocalCommit != 0
}

// includableLocal mirrors includableRemote for the commitment the peer
// signs for us: every update it sent, and ours it has acknowledged.
func (s *State) includableLocal(u *Update) bool {
	if u.LocalCommit != 0 {
		return false
	}
	return u.Origin == Remote || (u.RemoteCommit != 0 && u.RemoteCommit <= s.RemoteTail)
}

// maybeSign sends commitment_signed when the peer's commitment lacks
// updates and the previous one has been revoked (one unrevoked commitment
// at a time, as lnd does).
func (m *Machine) maybeSign(s *State, out *Output) error {
	if !m.online || !s.canUpdate() && s.Phase != PhaseNegotiating || s.RemoteNumber != s.RemoteTail {
		return nil
	}
	n := s.RemoteNumber + 1
	any := false
	for _, u := range s.Updates {
		if s.includableRemote(u) {
			u.RemoteCommit = n
			any = true
		}
	}
	if !any {
		return nil
	}
	msg, err := m.signNext(s, n, out)
	if err != nil {
		return err
	}
	s.RemoteNumber = n
	s.LastSent = sentCommit
	out.send(msg)
	return m.afterCommit(s, out)
}

// signNext builds and signs the peer's commitment n.
func (m *Machine) signNext(s *State, n uint64, out *Output) (*lnwire.CommitmentSigned, error) {
	v, err := s.viewOf(Remote, n)
	if err != nil {
		return nil, err
	}
	b, err := m.build(s, Remote, n, v)
	if err != nil {
		return nil, err
	}
	sig, htlcSigs, err := m.signRemote(s, b, out)
	if err != nil {
		return nil, err
	}
	return &lnwire.CommitmentSigned{ChannelID: s.ID, Signature: sig, HTLCSignatures: htlcSigs}, nil
}

// onCommitmentSigned checks the peer's signatures on our next commitment,
// then revokes our previous one.
func (m *Machine) onCommitmentSigned(s *State, msg *lnwire.CommitmentSigned, out *Output) error {
	if !s.canUpdate() && s.Phase != PhaseNegotiating {
		return protocolFail("commitment_signed in %s", s.Phase)
	}
	n := s.LocalNumber + 1
	for _, u := range s.Updates {
		if s.includableLocal(u) {
			u.LocalCommit = n
		}
	}
	v, err := s.viewOf(Local, n)
	if err != nil {
		return protocolFail("commitment_signed: %v", err)
	}
	b, err := m.build(s, Local, n, v)
	if err != nil {
		return protocolFail("commitment_signed: %v", err)
	}
	if err := m.verifyLocal(s, b, msg.Signature, msg.HTLCSignatures); err != nil {
		return protocolFail("commitment_signed: %v", err)
	}
	s.LocalNumber = n
	s.LocalSig, s.LocalHTLCSigs = msg.Signature, append([]lnwire.Sig(nil), msg.HTLCSignatures...)
	rev, err := m.revocation(s.LocalNumber)
	if err != nil {
		return err
	}
	rev.ChannelID = s.ID
	s.LastSent = sentRevoke
	out.send(rev)
	if err := m.afterCommit(s, out); err != nil {
		return err
	}
	return m.maybeSign(s, out)
}

// revocation is the revoke_and_ack that revokes our commitment n-1 and
// gives the point for n+1.
func (m *Machine) revocation(n uint64) (*lnwire.RevokeAndAck, error) {
	secret, err := m.keys.Secret(n - 1)
	if err != nil {
		return nil, err
	}
	next, err := m.keys.Point(n + 1)
	if err != nil {
		return nil, err
	}
	return &lnwire.RevokeAndAck{PerCommitmentSecret: secret, NextPerCommitmentPoint: lnwire.NewPoint(next)}, nil
}

// onRevokeAndAck takes the peer's revocation of its previous commitment.
//
// BOLT 2: "if per_commitment_secret is not a valid secret key or does not
// generate the previous per_commitment_point: MUST send an error and fail
// the channel."
func (m *Machine) onRevokeAndAck(s *State, msg *lnwire.RevokeAndAck, out *Output) error {
	if s.RemoteNumber != s.RemoteTail+1 {
		return protocolFail("revoke_and_ack without a commitment_signed to answer")
	}
	point, err := script.PerCommitmentPoint(msg.PerCommitmentSecret)
	if err != nil || lnwire.NewPoint(point) != s.RemoteTailPoint {
		return protocolFail("revoke_and_ack: secret does not match commitment %d", s.RemoteTail)
	}
	if _, err := msg.NextPerCommitmentPoint.PubKey(); err != nil {
		return protocolFail("revoke_and_ack: %v", err)
	}
	if err := s.RemoteSecrets.InsertSecret(msg.PerCommitmentSecret, keys.MaxCommitmentIndex-s.RemoteTail); err != nil {
		return protocolFail("revoke_and_ack: %v", err)
	}
	s.RemoteTail++
	s.RemoteTailPoint, s.RemoteNextPoint = s.RemoteNextPoint, msg.NextPerCommitmentPoint
	out.Persist = true
	if err := m.afterCommit(s, out); err != nil {
		return err
	}
	return m.maybeSign(s, out)
}

// afterCommit runs after any commitment moved: it tells the host about
// HTLCs that became final, folds settled updates into the base balances,
// and moves a shutdown on once no HTLC is left.
func (m *Machine) afterCommit(s *State, out *Output) error {
	for _, u := range s.Updates {
		if u.Announced || !s.committed(u) {
			continue
		}
		switch {
		case u.Kind == KindAdd && u.Origin == Remote:
			u.Announced = true
			out.effect(Notify{Change: ChangeIncoming, HTLC: copyUpdate(u)})
		case u.Origin == Remote && (u.Kind == KindFail || u.Kind == KindFailMalformed):
			u.Announced = true
			if add := s.findAdd(Local, u.HTLCID); add != nil {
				c := copyUpdate(add)
				c.Reason, c.FailCode = u.Reason, u.FailCode
				out.effect(Notify{Change: ChangeFailed, HTLC: c})
			}
		}
	}
	if err := s.fold(); err != nil {
		return err
	}
	out.effect(Notify{Change: ChangeState})
	return m.progressShutdown(s, out)
}

func copyUpdate(u *Update) *Update { c := *u; return &c }

// fold applies every fully settled update to the base balances and drops
// it from the log, so the log holds only what is still in flight.
func (s *State) fold() error {
	drop := map[*Update]bool{}
	for _, u := range s.Updates {
		if !s.committed(u) {
			continue
		}
		switch {
		case u.Kind == KindFee:
			s.BaseFeerate = u.Feerate
			drop[u] = true
		case u.isRemoval():
			add := s.findAdd(u.Origin.other(), u.HTLCID)
			if add == nil {
				return fmt.Errorf("fold: removal of unknown HTLC %d", u.HTLCID)
			}
			if u.Kind == KindFulfill {
				if err := s.moveBase(add.Origin, u.Origin, add.AmountMsat); err != nil {
					return err
				}
			}
			drop[u], drop[add] = true, true
		}
	}
	kept := s.Updates[:0]
	for _, u := range s.Updates {
		if !drop[u] {
			kept = append(kept, u)
		}
	}
	s.Updates = kept
	return nil
}

// moveBase moves msat from one side's base balance to the other's.
func (s *State) moveBase(from, to Side, msat uint64) error {
	bal := map[Side]*uint64{Local: &s.BaseLocalMsat, Remote: &s.BaseRemoteMsat}
	if *bal[from] < msat {
		return fmt.Errorf("fold: %s balance %d msat cannot pay %d", from, *bal[from], msat)
	}
	*bal[from] -= msat
	*bal[to] += msat
	return nil
}
