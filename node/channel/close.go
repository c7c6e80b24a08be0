package channel

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// CloseState is a cooperative close in progress or done.
type CloseState struct {
	// LocalScript is where the close pays us, RemoteScript the peer.
	LocalScript, RemoteScript []byte `json:",omitempty"`
	// Wanted is set once either side asked to close; Sent and Received
	// track the shutdown messages; WeInitiated says who asked first.
	Wanted, Sent, Received, WeInitiated bool
	// FeeratePerKw is the rate we want the closing transaction to pay.
	FeeratePerKw uint32
	// LastFeeSat is our last closing_signed fee, valid if Proposed.
	LastFeeSat int64
	Proposed   bool
	Rounds     int
	// Tx is the fully signed closing transaction once agreed.
	Tx       []byte `json:",omitempty"`
	Txid     chainhash.Hash
	LocalSat int64
	Height   uint32
	// Kind is how the channel closed, in lncli's words
	// (COOPERATIVE_CLOSE, LOCAL_FORCE_CLOSE, REMOTE_FORCE_CLOSE,
	// BREACH_CLOSE); Force marks a unilateral close in progress.
	Kind  string `json:",omitempty"`
	Force bool   `json:",omitempty"`
}

// resetNegotiation restarts the fee negotiation after a reconnect.
//
// BOLT 2: "upon reconnection: ... MUST retransmit shutdown" and the
// closing_signed exchange begins again.
func (c *CloseState) resetNegotiation() {
	c.Proposed = false
	c.Received = false
	c.Rounds = 0
}

// onClose begins a cooperative close.
func (m *Machine) onClose(s *State, e Close, out *Output) error {
	if s.Phase != PhaseNormal {
		return fmt.Errorf("close: %w (%s)", ErrNotActive, s.Phase)
	}
	if len(e.Script) > 0 {
		if err := checkShutdownScript(e.Script); err != nil {
			return fmt.Errorf("close: %w", err)
		}
		s.Close.LocalScript = e.Script
	}
	if len(s.Close.LocalScript) == 0 {
		return fmt.Errorf("close: no script to pay our funds to")
	}
	s.Close.Wanted, s.Close.WeInitiated = true, true
	s.Close.FeeratePerKw = e.FeeratePerKw
	s.Phase = PhaseShuttingDown
	out.Persist = true
	out.effect(Notify{Change: ChangeShutdown})
	if err := m.maybeSign(s, out); err != nil {
		return err
	}
	return m.progressShutdown(s, out)
}

// checkShutdownScript accepts the scripts BOLT 2 allows for shutdown:
// P2PKH, P2SH, P2WPKH, P2WSH, and (option_shutdown_anysegwit) any witness
// program of version 1 to 16.
func checkShutdownScript(pk []byte) error {
	switch txscript.GetScriptClass(pk) {
	case txscript.PubKeyHashTy, txscript.ScriptHashTy, txscript.WitnessV0PubKeyHashTy,
		txscript.WitnessV0ScriptHashTy, txscript.WitnessV1TaprootTy:
		return nil
	}
	if v, prog, err := txscript.ExtractWitnessProgramInfo(pk); err == nil && v >= 1 && len(prog) >= 2 && len(prog) <= 40 {
		return nil
	}
	return fmt.Errorf("shutdown script %x is not a standard output script", pk)
}

// onShutdown takes the peer's shutdown.
func (m *Machine) onShutdown(s *State, msg *lnwire.Shutdown, out *Output) error {
	if s.Phase != PhaseNormal && s.Phase != PhaseShuttingDown && s.Phase != PhaseNegotiating {
		return protocolWarn("shutdown in %s", s.Phase)
	}
	if err := checkShutdownScript(msg.ScriptPubKey); err != nil {
		return protocolWarn("shutdown: %v", err)
	}
	if len(s.Close.RemoteScript) > 0 && !bytes.Equal(s.Close.RemoteScript, msg.ScriptPubKey) {
		return protocolFail("shutdown script changed")
	}
	s.Close.RemoteScript = append([]byte(nil), msg.ScriptPubKey...)
	s.Close.Received, s.Close.Wanted = true, true
	if s.Phase == PhaseNormal {
		s.Phase = PhaseShuttingDown
		out.effect(Notify{Change: ChangeShutdown})
	}
	out.Persist = true
	return m.progressShutdown(s, out)
}

// progressShutdown sends our shutdown once none of our updates is
// unsigned, and starts the fee negotiation once no HTLC is left.
//
// BOLT 2: "MUST NOT send a shutdown if there are updates pending on the
// receiving node's commitment transaction" and "if both nodes advertised
// option_simple_close ... otherwise: ... once there are no outstanding
// updates on either side, [the funder] MUST send closing_signed".
func (m *Machine) progressShutdown(s *State, out *Output) error {
	if !s.Close.Wanted || !m.online || (s.Phase != PhaseShuttingDown && s.Phase != PhaseNegotiating) {
		return nil
	}
	if !s.Close.Sent {
		for _, u := range s.Updates {
			if u.Origin == Local && u.RemoteCommit == 0 {
				return nil
			}
		}
		s.Close.Sent = true
		out.send(&lnwire.Shutdown{ChannelID: s.ID, ScriptPubKey: s.Close.LocalScript})
	}
	if !s.Close.Received || len(s.Updates) > 0 || s.RemoteNumber != s.RemoteTail {
		return nil
	}
	s.Phase = PhaseNegotiating
	if s.Opener && !s.Close.Proposed {
		return m.proposeClosing(s, m.idealClosingFee(s), out)
	}
	return nil
}

// resendShutdown repeats our shutdown after a reconnect.
func (m *Machine) resendShutdown(s *State, out *Output) error {
	if s.Close.Sent {
		s.Close.Sent = false
		if s.Phase == PhaseNegotiating {
			s.Phase = PhaseShuttingDown
		}
	}
	return m.progressShutdown(s, out)
}

// closingAmounts splits the final balances for a close paying feeSat.
func (s *State) closingAmounts(feeSat int64) (ours, theirs int64, err error) {
	ours, theirs = int64(s.BaseLocalMsat/1000), int64(s.BaseRemoteMsat/1000)
	if s.Opener {
		ours -= feeSat
	} else {
		theirs -= feeSat
	}
	if ours < 0 || theirs < 0 || feeSat < 0 {
		return 0, 0, fmt.Errorf("closing fee %d sat exceeds the opener's balance", feeSat)
	}
	return ours, theirs, nil
}

// closingTx is the closing transaction for feeSat, with outputs below
// dustSat omitted.
func (s *State) closingTx(feeSat, dustSat int64) (*wire.MsgTx, error) {
	ours, theirs, err := s.closingAmounts(feeSat)
	if err != nil {
		return nil, err
	}
	return script.ClosingTx(s.FundingOutpoint(), s.Close.LocalScript, s.Close.RemoteScript, ours, theirs, dustSat)
}

// idealClosingFee is our fee rate applied to the closing transaction.
func (m *Machine) idealClosingFee(s *State) int64 {
	rate := s.Close.FeeratePerKw
	if rate == 0 {
		rate = s.BaseFeerate
	}
	return int64(rate) * script.ClosingWeight(s.Close.LocalScript, s.Close.RemoteScript) / 1000
}

// closingFeeRange is what we accept: anything when the peer pays, up to
// three times our ideal (and never our whole balance) when we pay.
func (m *Machine) closingFeeRange(s *State) (lo, hi int64) {
	weight := script.ClosingWeight(s.Close.LocalScript, s.Close.RemoteScript)
	lo = int64(m.pol.MinFeerate) * weight / 1000
	opener := int64(s.BaseRemoteMsat / 1000)
	if s.Opener {
		opener = int64(s.BaseLocalMsat / 1000)
		return lo, min(3*max(m.idealClosingFee(s), lo), opener)
	}
	return lo, opener
}

// proposeClosing signs the closing transaction at feeSat and sends it.
func (m *Machine) proposeClosing(s *State, feeSat int64, out *Output) error {
	lo, hi := m.closingFeeRange(s)
	feeSat = min(max(feeSat, lo), hi)
	tx, err := s.closingTx(feeSat, s.Local.DustLimitSat)
	if err != nil {
		return fmt.Errorf("closing_signed: %w", err)
	}
	sig, err := m.signClosing(s, tx)
	if err != nil {
		return err
	}
	s.Close.LastFeeSat, s.Close.Proposed = feeSat, true
	out.send(&lnwire.ClosingSigned{ChannelID: s.ID, FeeSatoshis: lnwire.Satoshi(feeSat), Signature: sig,
		FeeRange: lnwire.Some(lnwire.FeeRange{MinFeeSatoshis: lnwire.Satoshi(lo), MaxFeeSatoshis: lnwire.Satoshi(hi)})})
	return nil
}

func (m *Machine) signClosing(s *State, tx *wire.MsgTx) (lnwire.Sig, error) {
	ws, err := m.fundingScript(s)
	if err != nil {
		return lnwire.Sig{}, err
	}
	return signInput(tx, ws, s.FundingSat, txscript.SigHashAll, m.keys.Funding)
}

func (m *Machine) fundingScript(s *State) ([]byte, error) {
	theirs, err := s.RemoteKeys.Funding.PubKey()
	if err != nil {
		return nil, err
	}
	return script.FundingScript(m.keys.FundingPub(), theirs)
}
