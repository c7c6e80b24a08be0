package channel

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// onClosingSigned answers the peer's fee proposal: agree (echo it), or
// counter with a fee inside our range; once both signed one fee the
// closing transaction is complete.
//
// BOLT 2: "if fee_satoshis is equal to its previously sent fee_satoshis:
// SHOULD sign and broadcast the final closing transaction ... otherwise,
// if the receiver agrees with the fee: SHOULD reply with a closing_signed
// with the same fee_satoshis value. otherwise: MUST propose a value
// strictly between the received fee_satoshis and its previously-sent
// fee_satoshis."
func (m *Machine) onClosingSigned(s *State, msg *lnwire.ClosingSigned, out *Output) error {
	if s.Phase == PhaseClosing || s.Phase == PhaseClosed {
		return nil // the peer echoing the fee we already agreed
	}
	if s.Phase != PhaseNegotiating {
		return protocolWarn("closing_signed in %s", s.Phase)
	}
	fee := int64(msg.FeeSatoshis)
	tx, err := m.verifyClosing(s, fee, msg.Signature)
	if err != nil {
		return protocolFail("closing_signed: %v", err)
	}
	if !(s.Close.Proposed && fee == s.Close.LastFeeSat) {
		lo, hi := m.closingFeeRange(s)
		if fee < lo || fee > hi {
			return m.counterClosing(s, fee, lo, hi, out)
		}
		sig, err := m.signClosing(s, tx)
		if err != nil {
			return err
		}
		s.Close.LastFeeSat, s.Close.Proposed = fee, true
		out.send(&lnwire.ClosingSigned{ChannelID: s.ID, FeeSatoshis: msg.FeeSatoshis, Signature: sig,
			FeeRange: lnwire.Some(lnwire.FeeRange{MinFeeSatoshis: lnwire.Satoshi(lo), MaxFeeSatoshis: lnwire.Satoshi(hi)})})
	}
	return m.finishClose(s, tx, fee, msg.Signature, out)
}

// maxCloseRounds bounds a fee negotiation that does not converge.
const maxCloseRounds = 64

// counterClosing answers a fee outside our range with one closer to it.
// lnd (0.18) does not send fee_range; it walks its proposal 10% toward
// ours each round and takes ours once within 30%, so holding at the edge
// of our range converges. BOLT 2 asks for a fee strictly between the two
// last proposals; we move halfway until we reach our limit, then hold it
// for a bounded number of rounds.
func (m *Machine) counterClosing(s *State, fee, lo, hi int64, out *Output) error {
	s.Close.Rounds++
	if s.Close.Rounds > maxCloseRounds {
		return protocolFail("closing_signed: no agreement after %d rounds; fee %d sat outside our range [%d, %d]",
			maxCloseRounds, fee, lo, hi)
	}
	counter := min(max(fee, lo), hi)
	if s.Close.Proposed {
		counter = min(max((s.Close.LastFeeSat+fee)/2, lo), hi)
	}
	return m.proposeClosing(s, counter, out)
}

// verifyClosing finds the closing transaction variant the peer signed:
// BOLT 3 lets each signer omit outputs below its own dust limit.
func (m *Machine) verifyClosing(s *State, fee int64, sig lnwire.Sig) (*wire.MsgTx, error) {
	ws, err := m.fundingScript(s)
	if err != nil {
		return nil, err
	}
	theirs, err := s.RemoteKeys.Funding.PubKey()
	if err != nil {
		return nil, err
	}
	var lastErr error
	for _, dust := range []int64{s.Remote.DustLimitSat, s.Local.DustLimitSat} {
		tx, err := s.closingTx(fee, dust)
		if err != nil {
			return nil, err
		}
		if lastErr = verifyInput(tx, ws, s.FundingSat, txscript.SigHashAll, theirs, sig); lastErr == nil {
			return tx, nil
		}
	}
	return nil, lastErr
}

// finishClose completes the agreed closing transaction and asks the host
// to publish it.
func (m *Machine) finishClose(s *State, tx *wire.MsgTx, fee int64, theirSig lnwire.Sig, out *Output) error {
	ourSig, err := m.signClosing(s, tx)
	if err != nil {
		return err
	}
	theirs, err := s.RemoteKeys.Funding.PubKey()
	if err != nil {
		return err
	}
	ws, err := m.fundingScript(s)
	if err != nil {
		return err
	}
	ourES, err := ourSig.ToECDSA()
	if err != nil {
		return err
	}
	theirES, err := theirSig.ToECDSA()
	if err != nil {
		return err
	}
	tx.TxIn[0].Witness = script.FundingWitness(ws, m.keys.FundingPub(), theirs,
		script.WitnessSig(ourES, txscript.SigHashAll), script.WitnessSig(theirES, txscript.SigHashAll))
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return fmt.Errorf("closing tx: %w", err)
	}
	var ours int64
	for _, o := range tx.TxOut {
		if bytes.Equal(o.PkScript, s.Close.LocalScript) {
			ours = o.Value
		}
	}
	s.Close.Tx, s.Close.Txid, s.Close.LocalSat = buf.Bytes(), tx.TxHash(), ours
	s.Phase = PhaseClosing
	out.Persist = true
	out.effect(PublishClose{Tx: tx})
	out.effect(Notify{Change: ChangeState})
	return nil
}

// onClosingConfirmed marks the channel closed once the closing
// transaction is buried.
func (m *Machine) onClosingConfirmed(s *State, e ClosingConfirmed, out *Output) error {
	if s.Phase != PhaseClosing || e.Txid != s.Close.Txid {
		return fmt.Errorf("closing confirmed: channel is %s, closing tx %s", s.Phase, s.Close.Txid)
	}
	s.Phase = PhaseClosed
	s.Close.Height = e.Height
	s.Close.Kind = "COOPERATIVE_CLOSE"
	out.Persist = true
	out.effect(Notify{Change: ChangeState})
	return nil
}

// onPeerError fails the channel the peer failed. Before funding_signed
// nothing is at stake and the opening is simply dropped.
func (m *Machine) onPeerError(s *State, msg *lnwire.Error, out *Output) error {
	if s.Phase >= PhaseClosing {
		return nil
	}
	s.FailReason = "peer: " + lnwire.PrintableData(msg.Data)
	if s.Phase < PhaseAwaitLocked && s.LeaseID != "" {
		out.effect(ReleaseFunding{LeaseID: s.LeaseID})
	}
	s.Phase = PhaseFailed
	out.Persist = true
	out.effect(Notify{Change: ChangeFailed})
	return nil
}
