package channel

import (
	"errors"
	"fmt"

	"lnwasm/node/script"
)

// Errors a local command gets when the channel cannot carry it. Nothing
// is sent and nothing changes.
var (
	ErrNotActive           = errors.New("channel is not active")
	ErrInsufficientBalance = errors.New("insufficient balance")
	ErrTooManyHTLCs        = errors.New("too many HTLCs in flight")
	ErrHTLCAmount          = errors.New("HTLC amount outside the peer's limits")
	ErrUnknownHTLC         = errors.New("unknown HTLC")
	ErrNotOpener           = errors.New("only the channel opener sets the fee")
)

// committed reports u irrevocably committed: in both sides' current,
// unrevoked commitments.
func (s *State) committed(u *Update) bool {
	return u.in(Local, s.LocalNumber) && u.in(Remote, s.RemoteTail)
}

// pendingView is the worst case any commitment still to be signed can
// hold: every add and fulfill in the log, fails only once committed.
func (s *State) pendingView() (*view, error) {
	return s.viewWhere(func(u *Update) bool {
		if u.Kind == KindFail || u.Kind == KindFailMalformed {
			return s.committed(u)
		}
		return true
	})
}

// commitCost is what the opener pays on holder's commitment for view v:
// the fee for its untrimmed HTLCs and, with anchors, the two anchors.
func (s *State) commitCost(holder Side, v *view, feerate uint32, extraHTLCs int) int64 {
	dust := s.Local.DustLimitSat
	if holder == Remote {
		dust = s.Remote.DustLimitSat
	}
	n := extraHTLCs
	for _, u := range v.htlcs {
		h := script.HTLC{Offered: u.Origin == holder, AmountMsat: u.AmountMsat}
		if !script.IsTrimmed(s.Type, h, dust, feerate) {
			n++
		}
	}
	return script.CommitFee(s.Type, feerate, n) + anchorsCost(s.Type)
}

// checkFunds checks, after sender's latest update, that the opener can pay
// every commitment's fee and the sender keeps the reserve the other side
// asked for.
//
// BOLT 2, receiving update_add_htlc: "receiving an amount_msat that the
// sending node cannot afford at the current feerate_per_kw (while
// maintaining its channel reserve and any per-HTLC fee spike buffer):
// SHOULD send a warning and close the connection, or send an error and
// fail the channel."
func (s *State) checkFunds(sender Side, spikeBuffer bool) error {
	v, err := s.pendingView()
	if err != nil {
		return err
	}
	opener := Remote
	if s.Opener {
		opener = Local
	}
	reserve := s.Local.ReserveSat
	if sender == Local {
		reserve = s.Remote.ReserveSat
	}
	for _, holder := range []Side{Local, Remote} {
		rate, extra := v.feerate, 0
		if spikeBuffer && sender == opener {
			// BOLT 2's fee spike buffer: the opener keeps enough to pay
			// twice the fee rate with one more HTLC, so a fee rise does
			// not leave the channel stuck.
			rate, extra = 2*v.feerate, 1
		}
		fee := s.commitCost(holder, v, rate, extra) * 1000
		bal := map[Side]int64{Local: v.ourMsat, Remote: v.theirMsat}
		if bal[opener] < fee {
			return fmt.Errorf("%w: the opener's %d msat cannot pay the %d msat commitment fee", ErrInsufficientBalance, bal[opener], fee)
		}
		if sender == opener {
			bal[sender] -= fee
		}
		if bal[sender] < reserve*1000 {
			return fmt.Errorf("%w: %s balance %d msat would fall below the %d sat reserve", ErrInsufficientBalance, sender, bal[sender], reserve)
		}
	}
	return nil
}

// checkHTLCLimits checks the count and value of HTLCs sender has in flight
// against the limits the other side set.
func (s *State) checkHTLCLimits(sender Side) error {
	v, err := s.pendingView()
	if err != nil {
		return err
	}
	limits := s.Remote
	if sender == Remote {
		limits = s.Local
	}
	var count int
	var inflight uint64
	for _, u := range v.htlcs {
		if u.Origin == sender {
			count++
			inflight += u.AmountMsat
		}
	}
	if count > int(limits.MaxAcceptedHTLCs) {
		return fmt.Errorf("%w: %d HTLCs, limit %d", ErrTooManyHTLCs, count, limits.MaxAcceptedHTLCs)
	}
	if inflight > limits.MaxInFlightMsat {
		return fmt.Errorf("%w: %d msat in flight, limit %d", ErrTooManyHTLCs, inflight, limits.MaxInFlightMsat)
	}
	return nil
}
