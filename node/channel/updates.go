package channel

import (
	"crypto/sha256"
	"fmt"

	"lnwasm/node/lnwire"
)

// canUpdate is whether HTLCs may still be resolved and fees changed.
func (s *State) canUpdate() bool {
	return s.Phase == PhaseNormal || s.Phase == PhaseShuttingDown
}

// onAddHTLC offers an HTLC; Output.Added is its id.
func (m *Machine) onAddHTLC(s *State, e AddHTLC, out *Output) error {
	if s.Phase != PhaseNormal {
		return fmt.Errorf("add HTLC: %w (%s)", ErrNotActive, s.Phase)
	}
	if e.AmountMsat == 0 || e.AmountMsat < s.Remote.HTLCMinimumMsat {
		return fmt.Errorf("add HTLC: %w: %d msat is below the peer's minimum %d", ErrHTLCAmount, e.AmountMsat, s.Remote.HTLCMinimumMsat)
	}
	if e.CltvExpiry >= MaxCltvExpiry {
		return fmt.Errorf("add HTLC: cltv_expiry %d is not a block height", e.CltvExpiry)
	}
	u := &Update{Origin: Local, Kind: KindAdd, HTLCID: s.NextLocalID, AmountMsat: e.AmountMsat,
		PaymentHash: e.PaymentHash, CltvExpiry: e.CltvExpiry, Onion: append([]byte(nil), e.Onion[:]...)}
	s.Updates = append(s.Updates, u)
	s.NextLocalID++
	if err := s.checkHTLCLimits(Local); err != nil {
		return fmt.Errorf("add HTLC: %w", err)
	}
	if err := s.checkFunds(Local, true); err != nil {
		return fmt.Errorf("add HTLC: %w", err)
	}
	out.Added = u.HTLCID
	m.sendUpdate(s, u, out)
	return m.maybeSign(s, out)
}

// sendUpdate sends a new local update if the peer can hear it; otherwise
// the reestablish sends it.
func (m *Machine) sendUpdate(s *State, u *Update, out *Output) {
	out.Persist = true
	if m.online {
		out.Msgs = append(out.Msgs, u.message(s.ID))
	}
}

// onPeerAdd applies update_add_htlc.
func (m *Machine) onPeerAdd(s *State, msg *lnwire.UpdateAddHTLC, out *Output) error {
	if !s.canUpdate() || s.Close.Received {
		return protocolFail("update_add_htlc in %s", s.Phase)
	}
	// BOLT 2: "if the sender did not previously acknowledge the commitment
	// of that HTLC ... id ... MUST ... fail" — ids count up from 0.
	if msg.ID != s.NextRemoteID {
		return protocolFail("update_add_htlc id %d, expected %d", msg.ID, s.NextRemoteID)
	}
	// BOLT 2: "receiving an amount_msat equal to 0, OR less than its
	// htlc_minimum_msat: SHOULD send a warning and close the connection,
	// or send an error and fail the channel."
	if msg.AmountMsat == 0 || uint64(msg.AmountMsat) < s.Local.HTLCMinimumMsat {
		return protocolFail("update_add_htlc amount %d msat below our minimum %d", msg.AmountMsat, s.Local.HTLCMinimumMsat)
	}
	// BOLT 2: "if cltv_expiry is greater or equal to 500000000: SHOULD
	// send a warning and close the connection, or send an error and fail
	// the channel."
	if msg.CLTVExpiry >= MaxCltvExpiry {
		return protocolFail("update_add_htlc cltv_expiry %d", msg.CLTVExpiry)
	}
	u := &Update{Origin: Remote, Kind: KindAdd, HTLCID: msg.ID, AmountMsat: uint64(msg.AmountMsat),
		PaymentHash: msg.PaymentHash, CltvExpiry: msg.CLTVExpiry, Onion: append([]byte(nil), msg.OnionRoutingPacket[:]...)}
	s.Updates = append(s.Updates, u)
	s.NextRemoteID++
	if err := s.checkHTLCLimits(Remote); err != nil {
		return protocolFail("update_add_htlc: %v", err)
	}
	if err := s.checkFunds(Remote, false); err != nil {
		return protocolFail("update_add_htlc: %v", err)
	}
	out.Persist = true
	return nil
}

// removable finds the HTLC a removal by origin names: offered by the
// other side, irrevocably committed, not already being removed.
func (s *State) removable(origin Side, id uint64) (*Update, error) {
	add := s.findAdd(origin.other(), id)
	if add == nil {
		return nil, fmt.Errorf("%w: %d", ErrUnknownHTLC, id)
	}
	if !s.committed(add) {
		return nil, fmt.Errorf("%w: HTLC %d is not irrevocably committed yet", ErrUnknownHTLC, id)
	}
	for _, u := range s.Updates {
		if u.isRemoval() && u.Origin == origin && u.HTLCID == id {
			return nil, fmt.Errorf("%w: HTLC %d is already being removed", ErrUnknownHTLC, id)
		}
	}
	return add, nil
}

// onResolveHTLC settles or fails an HTLC the peer offered us.
func (m *Machine) onResolveHTLC(s *State, u *Update, out *Output) error {
	if !s.canUpdate() {
		return fmt.Errorf("resolve HTLC %d: %w (%s)", u.HTLCID, ErrNotActive, s.Phase)
	}
	add, err := s.removable(Local, u.HTLCID)
	if err != nil {
		return fmt.Errorf("resolve HTLC: %w", err)
	}
	if u.Kind == KindFulfill && sha256.Sum256(u.Preimage[:]) != add.PaymentHash {
		return fmt.Errorf("settle HTLC %d: preimage does not match the payment hash", u.HTLCID)
	}
	s.Updates = append(s.Updates, u)
	m.sendUpdate(s, u, out)
	return m.maybeSign(s, out)
}

// onPeerRemove applies the peer's fulfill or fail of an HTLC we offered.
// A preimage is reported at once: it is ours to use from this moment.
func (m *Machine) onPeerRemove(s *State, u *Update, out *Output) error {
	if !s.canUpdate() {
		return protocolFail("%s in %s", u.message(s.ID).Type(), s.Phase)
	}
	add, err := s.removable(Remote, u.HTLCID)
	if err != nil {
		return protocolFail("%s: %v", u.message(s.ID).Type(), err)
	}
	// BOLT 2: "if the payment_preimage value in update_fulfill_htlc
	// doesn't SHA256 hash to the corresponding HTLC payment_hash: MUST
	// send a warning and close the connection, or send an error and fail
	// the channel."
	if u.Kind == KindFulfill && sha256.Sum256(u.Preimage[:]) != add.PaymentHash {
		return protocolFail("update_fulfill_htlc %d: preimage does not match", u.HTLCID)
	}
	s.Updates = append(s.Updates, u)
	out.Persist = true
	if u.Kind == KindFulfill {
		u.Announced = true
		out.effect(Notify{Change: ChangeFulfilled, HTLC: withPreimage(add, u.Preimage)})
	}
	return nil
}

func withPreimage(add *Update, preimage [32]byte) *Update {
	c := *add
	c.Preimage = preimage
	return &c
}

// onPeerMalformed applies update_fail_malformed_htlc.
//
// BOLT 2: "if the BADONION bit in failure_code is not set for
// update_fail_malformed_htlc: MUST send a warning and close the
// connection, or send an error and fail the channel."
func (m *Machine) onPeerMalformed(s *State, msg *lnwire.UpdateFailMalformedHTLC, out *Output) error {
	const badOnion = 0x8000
	if msg.FailureCode&badOnion == 0 {
		return protocolFail("update_fail_malformed_htlc without BADONION (code 0x%04x)", msg.FailureCode)
	}
	return m.onPeerRemove(s, &Update{Origin: Remote, Kind: KindFailMalformed, HTLCID: msg.ID,
		FailCode: msg.FailureCode, OnionHash: msg.SHA256OfOnion}, out)
}

// latestFeerate is the fee rate of the newest fee update in the log.
func (s *State) latestFeerate() uint32 {
	rate := s.BaseFeerate
	for _, u := range s.Updates {
		if u.Kind == KindFee {
			rate = u.Feerate
		}
	}
	return rate
}

// onSetFeerate sends update_fee when we are the opener and the rate moved.
func (m *Machine) onSetFeerate(s *State, e SetFeerate, out *Output) error {
	if !s.Opener {
		return fmt.Errorf("set feerate: %w", ErrNotOpener)
	}
	if !s.canUpdate() {
		return fmt.Errorf("set feerate: %w (%s)", ErrNotActive, s.Phase)
	}
	if e.FeeratePerKw == s.latestFeerate() {
		return nil
	}
	if err := m.pol.checkFeerate(e.FeeratePerKw); err != nil {
		return fmt.Errorf("set feerate: %w", err)
	}
	u := &Update{Origin: Local, Kind: KindFee, Feerate: e.FeeratePerKw}
	s.Updates = append(s.Updates, u)
	if err := s.checkFunds(Local, false); err != nil {
		return fmt.Errorf("set feerate %d: %w", e.FeeratePerKw, err)
	}
	m.sendUpdate(s, u, out)
	return m.maybeSign(s, out)
}

// onPeerFee follows the opener's update_fee.
//
// BOLT 2: "if the sender is not responsible for paying the Bitcoin fee:
// MUST send a warning and close the connection, or send an error and fail
// the channel." and "if the sender cannot afford the new fee rate on the
// receiving node's current commitment transaction: SHOULD ... fail the
// channel".
func (m *Machine) onPeerFee(s *State, msg *lnwire.UpdateFee, out *Output) error {
	if s.Opener {
		return protocolFail("update_fee from the non-opener")
	}
	if !s.canUpdate() {
		return protocolFail("update_fee in %s", s.Phase)
	}
	if err := m.pol.checkFeerate(msg.FeeratePerKw); err != nil {
		return protocolFail("update_fee: %v", err)
	}
	s.Updates = append(s.Updates, &Update{Origin: Remote, Kind: KindFee, Feerate: msg.FeeratePerKw})
	if err := s.checkFunds(Remote, false); err != nil {
		return protocolFail("update_fee %d: %v", msg.FeeratePerKw, err)
	}
	out.Persist = true
	return nil
}

// message is the wire form of an update.
func (u *Update) message(id lnwire.ChannelID) lnwire.Message {
	switch u.Kind {
	case KindAdd:
		m := &lnwire.UpdateAddHTLC{ChannelID: id, ID: u.HTLCID, AmountMsat: lnwire.MilliSatoshi(u.AmountMsat),
			PaymentHash: u.PaymentHash, CLTVExpiry: u.CltvExpiry}
		copy(m.OnionRoutingPacket[:], u.Onion)
		return m
	case KindFulfill:
		return &lnwire.UpdateFulfillHTLC{ChannelID: id, ID: u.HTLCID, PaymentPreimage: u.Preimage}
	case KindFail:
		return &lnwire.UpdateFailHTLC{ChannelID: id, ID: u.HTLCID, Reason: u.Reason}
	case KindFailMalformed:
		return &lnwire.UpdateFailMalformedHTLC{ChannelID: id, ID: u.HTLCID, SHA256OfOnion: u.OnionHash, FailureCode: u.FailCode}
	}
	return &lnwire.UpdateFee{ChannelID: id, FeeratePerKw: u.Feerate}
}
