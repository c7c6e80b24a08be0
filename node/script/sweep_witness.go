package script

import (
	"bytes"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// The witnesses below spend the outputs of a closed channel that need
// only our signature. Signatures are in WitnessSig form (DER plus the
// sighash byte); the witness script, when there is one, comes last.

// DelayedWitness spends to_local of our own commitment, or the output of
// our HTLC-timeout or HTLC-success transaction, after to_self_delay.
//
// BOLT 3: "The output is spent by an input with nSequence field set to
// to_self_delay (which can only be valid after that duration has passed)
// and witness: <local_delayedsig> <>"
func DelayedWitness(witnessScript, sig []byte) wire.TxWitness {
	return wire.TxWitness{sig, nil, witnessScript}
}

// RevokedToLocalWitness spends to_local of a revoked commitment, or the
// output of a second-level transaction spent from one, with the
// revocation key.
//
// BOLT 3: "If a revoked commitment transaction is published, the other
// party can spend this output immediately with the following witness:
// <revocation_sig> 1"
func RevokedToLocalWitness(witnessScript, sig []byte) wire.TxWitness {
	// MINIMALIF: OP_IF's true argument must be exactly 0x01.
	return wire.TxWitness{sig, {1}, witnessScript}
}

// RevokedHTLCWitness spends an offered or received HTLC output of a
// revoked commitment with the revocation key.
//
// BOLT 3: "If a revoked commitment transaction is published, the remote
// node can spend this output immediately with the following witness:
// <revocation_sig> <revocationpubkey>"
func RevokedHTLCWitness(witnessScript, sig []byte, revocationKey *btcec.PublicKey) wire.TxWitness {
	return wire.TxWitness{sig, revocationKey.SerializeCompressed(), witnessScript}
}

// ToRemoteWitness spends our to_remote output on the peer's commitment:
// a P2WPKH spend when witnessScript is nil (StaticRemoteKey), else the
// anchors script, whose key is inside the script.
//
// BOLT 3: "If option_anchors applies to the commitment transaction ...
// The output is spent by an input with nSequence field set to 1 and
// witness: <remote_sig>. Otherwise, this output is a simple P2WPKH to
// remotepubkey."
func ToRemoteWitness(witnessScript, sig []byte, key *btcec.PublicKey) wire.TxWitness {
	if witnessScript == nil {
		return wire.TxWitness{sig, key.SerializeCompressed()}
	}
	return wire.TxWitness{sig, witnessScript}
}

// RemoteHTLCSuccessWitness claims, on the peer's commitment, an HTLC the
// peer offered us, revealing its preimage.
//
// BOLT 3 (offered HTLC outputs): "The remote node can redeem the HTLC
// with the witness: <remotehtlcsig> <payment_preimage>. Note that if
// option_anchors applies, the nSequence field of the spending input must
// be 1."
func RemoteHTLCSuccessWitness(witnessScript, sig []byte, preimage [32]byte) wire.TxWitness {
	return wire.TxWitness{sig, preimage[:], witnessScript}
}

// RemoteHTLCTimeoutWitness takes back, on the peer's commitment, an HTLC
// we offered once cltv_expiry has passed.
//
// BOLT 3 (received HTLC outputs): "To timeout the HTLC, the remote node
// spends it with the witness: <remotehtlcsig> <>. Note that if
// option_anchors applies, the nSequence field of the spending input must
// be 1."
func RemoteHTLCTimeoutWitness(witnessScript, sig []byte) wire.TxWitness {
	return wire.TxWitness{sig, nil, witnessScript}
}

// AnchorWitness spends our anchor with our funding key, at once.
//
// BOLT 3: "Spending of the output requires the following witness:
// <local_sig/remote_sig>"
func AnchorWitness(witnessScript, sig []byte) wire.TxWitness {
	return wire.TxWitness{sig, witnessScript}
}

// sweepWitness is in's witness carrying sig; sweepWitnessItems mirrors it
// for the weight.
func sweepWitness(in SweepInput, sig []byte) wire.TxWitness {
	ws := in.WitnessScript
	switch in.Kind {
	case SweepDelayed:
		return DelayedWitness(ws, sig)
	case SweepRevokedToLocal:
		return RevokedToLocalWitness(ws, sig)
	case SweepRevokedHTLC:
		return RevokedHTLCWitness(ws, sig, in.Key.PubKey())
	case SweepToRemote:
		return ToRemoteWitness(ws, sig, in.Key.PubKey())
	case SweepRemoteHTLCSuccess:
		return RemoteHTLCSuccessWitness(ws, sig, in.Preimage)
	case SweepRemoteHTLCTimeout:
		return RemoteHTLCTimeoutWitness(ws, sig)
	default:
		return AnchorWitness(ws, sig)
	}
}

// SignSweepInput signs input idx of tx, which spends in, with SIGHASH_ALL
// and sets its witness. tx may be any transaction, e.g. a CPFP child
// with an anchor among wallet inputs; prevOuts must know every input's
// previous output, as the BIP143 sighash cache is built from it.
//
// It signs tx as it is: the caller sets the sequence (SweepSequence) and
// the locktime (SweepLockTime) in's script needs, and every output,
// before signing, since SIGHASH_ALL commits to them.
func SignSweepInput(tx *wire.MsgTx, idx int, in SweepInput, prevOuts txscript.PrevOutputFetcher) error {
	if err := checkSweepInput(in); err != nil {
		return err
	}
	if err := checkSweepPrevOuts(tx, idx, in, prevOuts); err != nil {
		return err
	}
	return signSweepInput(tx, idx, in, txscript.NewTxSigHashes(tx, prevOuts))
}

// checkSweepPrevOuts refuses a tx whose input idx is not in, or a fetcher
// that lacks a previous output (on which NewTxSigHashes would panic) or
// disagrees with in about what it spends.
func checkSweepPrevOuts(tx *wire.MsgTx, idx int, in SweepInput, prevOuts txscript.PrevOutputFetcher) error {
	if tx == nil || idx < 0 || idx >= len(tx.TxIn) {
		return fmt.Errorf("%w: sign sweep: no input %d", ErrCommitParams, idx)
	}
	if op := tx.TxIn[idx].PreviousOutPoint; op != in.OutPoint {
		return fmt.Errorf("%w: sign sweep: input %d spends %v, not %v", ErrCommitParams, idx, op, in.OutPoint)
	}
	if prevOuts == nil {
		return fmt.Errorf("%w: sign sweep: nil previous output fetcher", ErrCommitParams)
	}
	for i, txIn := range tx.TxIn {
		if prevOuts.FetchPrevOutput(txIn.PreviousOutPoint) == nil {
			return fmt.Errorf("%w: sign sweep: no previous output for input %d (%v)",
				ErrCommitParams, i, txIn.PreviousOutPoint)
		}
	}
	prev := prevOuts.FetchPrevOutput(in.OutPoint)
	if prev.Value != in.ValueSat || !bytes.Equal(prev.PkScript, SweepPkScript(in)) {
		return fmt.Errorf("%w: sign sweep: %v holds %d sat to %x, input expects %d sat to %x",
			ErrCommitParams, in.OutPoint, prev.Value, prev.PkScript, in.ValueSat, SweepPkScript(in))
	}
	return nil
}

// signSweepInput signs input idx with hashes, tx's sighash cache, and
// sets its witness.
//
// BIP143: the script code of a P2WPKH input is the P2PKH script of its
// key hash, which CalcWitnessSigHash derives from the P2WPKH program.
func signSweepInput(tx *wire.MsgTx, idx int, in SweepInput, hashes *txscript.TxSigHashes) error {
	scriptCode := in.WitnessScript
	if scriptCode == nil {
		scriptCode = P2WPKH(in.Key.PubKey())
	}
	h, err := txscript.CalcWitnessSigHash(scriptCode, hashes, txscript.SigHashAll, tx, idx, in.ValueSat)
	if err != nil {
		return fmt.Errorf("sweep input %d (%s) sighash: %w", idx, in.Kind, err)
	}
	sig := WitnessSig(ecdsa.Sign(in.Key, h), txscript.SigHashAll)
	tx.TxIn[idx].Witness = sweepWitness(in, sig)
	return nil
}
