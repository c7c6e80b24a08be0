package channel

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// ErrNotFunded refuses a force close of a channel with nothing on-chain.
var ErrNotFunded = errors.New("the channel has no funding transaction to close")

// ForceClose broadcasts our commitment: the unilateral close.
type ForceClose struct{}

// FundingSpent reports a transaction other than the agreed closing one
// spending the funding output: a commitment, ours or the peer's.
type FundingSpent struct {
	Txid   chainhash.Hash
	Height uint32
	// Ours says it is our own commitment.
	Ours bool
}

// Resolved reports that node/onchain swept or gave up every output of
// the commitment that closed the channel.
type Resolved struct {
	Kind     string
	LocalSat int64
	Height   uint32
}

func (ForceClose) isEvent()   {}
func (FundingSpent) isEvent() {}
func (Resolved) isEvent()     {}

// PublishCommitment asks the host to broadcast our signed commitment.
type PublishCommitment struct{ Tx *wire.MsgTx }

func (PublishCommitment) isEffect() {}

// onForceClose moves the channel to ForceClosing and hands our commitment
// to the host. A channel whose state the peer proved stale refuses: our
// commitment is revoked, and broadcasting it would forfeit everything.
//
// BOLT 2: "if it has fallen behind: MUST NOT broadcast its commitment
// transaction."
func (m *Machine) onForceClose(s *State, out *Output) error {
	if s.DataLoss {
		return fmt.Errorf("force close: %w", ErrDataLoss)
	}
	if s.Phase < PhaseAwaitLocked || s.Phase == PhaseClosed {
		return fmt.Errorf("force close: %w (%s)", ErrNotFunded, s.Phase)
	}
	lc, err := m.LocalCommitment()
	if err != nil {
		return fmt.Errorf("force close: %w", err)
	}
	var buf bytes.Buffer
	if err := lc.Tx.Serialize(&buf); err != nil {
		return fmt.Errorf("force close: %w", err)
	}
	s.Phase = PhaseForceClosing
	s.Close.Force, s.Close.WeInitiated = true, true
	s.Close.Tx, s.Close.Txid = buf.Bytes(), lc.Tx.TxHash()
	out.Persist = true
	out.effect(PublishCommitment{Tx: lc.Tx})
	out.effect(Notify{Change: ChangeState})
	return nil
}

// onFundingSpent records which transaction closed the channel. The
// agreed closing transaction is the cooperative path's (ClosingConfirmed);
// anything else is a commitment node/onchain resolves.
func (m *Machine) onFundingSpent(s *State, e FundingSpent, out *Output) error {
	if s.Phase == PhaseClosed || (len(s.Close.Tx) > 0 && e.Txid == s.Close.Txid && !s.Close.Force) {
		return nil
	}
	if s.Phase == PhaseForceClosing && e.Txid == s.Close.Txid {
		return nil
	}
	s.Phase = PhaseForceClosing
	s.Close.Force = true
	s.Close.Txid, s.Close.Height = e.Txid, e.Height
	if !e.Ours {
		s.Close.Tx, s.Close.WeInitiated = nil, false
	}
	out.Persist = true
	out.effect(Notify{Change: ChangeState})
	return nil
}

// onResolved closes the channel for good.
func (m *Machine) onResolved(s *State, e Resolved, out *Output) error {
	if s.Phase != PhaseForceClosing {
		return fmt.Errorf("resolved: channel is %s", s.Phase)
	}
	s.Phase = PhaseClosed
	s.Close.Kind, s.Close.LocalSat, s.Close.Height = e.Kind, e.LocalSat, e.Height
	out.Persist = true
	out.effect(Notify{Change: ChangeState})
	return nil
}
