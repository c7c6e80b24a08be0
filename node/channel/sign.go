package channel

import (
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// ErrBadSignature reports a peer signature that does not verify: the
// channel must not advance to the state it claims to sign.
var ErrBadSignature = script.ErrBadSignature

// signInput signs the single input of a BOLT 3 transaction (spending
// amount locked by witnessScript) in the wire's compact form.
func signInput(tx *wire.MsgTx, witnessScript []byte, amount int64, ht txscript.SigHashType, priv *btcec.PrivateKey) (lnwire.Sig, error) {
	sig, err := script.SignHTLCInput(tx, witnessScript, amount, ht, priv)
	if err != nil {
		return lnwire.Sig{}, err
	}
	return lnwire.NewSigFromECDSA(sig)
}

// verifyInput checks a peer's compact signature on the single input.
func verifyInput(tx *wire.MsgTx, witnessScript []byte, amount int64, ht txscript.SigHashType, pub *btcec.PublicKey, sig lnwire.Sig) error {
	es, err := sig.ToECDSA()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadSignature, err)
	}
	return script.VerifyHTLCSig(tx, witnessScript, amount, ht, pub, es)
}

// htlcTx builds the second-level transaction spending HTLC output o of
// commitment b: HTLC-timeout for an HTLC the holder offered, HTLC-success
// for one it received.
func htlcTx(s *State, b *built, o script.HTLCOutput) (*wire.MsgTx, error) {
	delay := s.Remote.ToSelfDelay
	if b.holder == Remote {
		delay = s.Local.ToSelfDelay
	}
	return script.SecondLevelTx(s.Type, b.commit.Tx.TxHash(), o, delay, b.view.feerate, b.keys)
}

// signRemote signs the peer's commitment b and each of its HTLC
// transactions, in output order, as commitment_signed carries them, and
// records what it signed in out (the revocation log's entry for b).
func (m *Machine) signRemote(s *State, b *built, out *Output) (lnwire.Sig, []lnwire.Sig, error) {
	out.RemoteCommit = recordOf(b)
	sig, err := signInput(b.commit.Tx, b.commit.FundingScript, s.FundingSat, txscript.SigHashAll, m.keys.Funding)
	if err != nil {
		return sig, nil, fmt.Errorf("sign remote commitment %d: %w", b.number, err)
	}
	htlcPriv, err := script.DeriveLocalPrivKey(m.keys.HTLC, b.point)
	if err != nil {
		return sig, nil, fmt.Errorf("sign remote commitment %d: %w", b.number, err)
	}
	ht := script.RemoteHTLCSigHash(s.Type)
	sigs := make([]lnwire.Sig, 0, len(b.commit.HTLCs))
	for _, o := range b.commit.HTLCs {
		tx, err := htlcTx(s, b, o)
		if err != nil {
			return sig, nil, fmt.Errorf("remote commitment %d HTLC tx: %w", b.number, err)
		}
		hs, err := signInput(tx, o.WitnessScript, b.commit.Tx.TxOut[o.Index].Value, ht, htlcPriv)
		if err != nil {
			return sig, nil, fmt.Errorf("sign remote commitment %d HTLC: %w", b.number, err)
		}
		sigs = append(sigs, hs)
	}
	return sig, sigs, nil
}

// verifyLocal checks the peer's signatures on our commitment b.
//
// BOLT 2, a receiving node: "if signature is not valid for its local
// commitment transaction ... MUST send a warning and close the connection,
// or send an error and fail the channel. if num_htlcs is not equal to the
// number of HTLC outputs in the local commitment transaction: MUST fail
// the channel. if any htlc_signature is not valid for the corresponding
// HTLC transaction OR non-compliant with LOW-S-standard rule: MUST fail the
// channel."
func (m *Machine) verifyLocal(s *State, b *built, sig lnwire.Sig, htlcSigs []lnwire.Sig) error {
	theirFunding, err := s.RemoteKeys.Funding.PubKey()
	if err != nil {
		return err
	}
	if err := verifyInput(b.commit.Tx, b.commit.FundingScript, s.FundingSat, txscript.SigHashAll, theirFunding, sig); err != nil {
		return fmt.Errorf("commitment %d signature: %w", b.number, err)
	}
	if len(htlcSigs) != len(b.commit.HTLCs) {
		return fmt.Errorf("commitment %d: %d HTLC signatures for %d HTLC outputs: %w",
			b.number, len(htlcSigs), len(b.commit.HTLCs), ErrBadSignature)
	}
	ht := script.RemoteHTLCSigHash(s.Type)
	for i, o := range b.commit.HTLCs {
		tx, err := htlcTx(s, b, o)
		if err != nil {
			return fmt.Errorf("commitment %d HTLC tx: %w", b.number, err)
		}
		if err := verifyInput(tx, o.WitnessScript, b.commit.Tx.TxOut[o.Index].Value, ht, b.keys.RemoteHTLC, htlcSigs[i]); err != nil {
			return fmt.Errorf("commitment %d HTLC %d signature: %w", b.number, i, err)
		}
	}
	return nil
}
