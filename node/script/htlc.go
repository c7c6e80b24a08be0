package script

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// HTLCTimeoutTx builds the holder's HTLC-timeout transaction for an
// offered HTLC output of its commitment commitTxid. The counterparty signs
// it in advance (htlc_signatures) so the holder can reclaim the HTLC after
// cltv_expiry, still behind toSelfDelay and the revocation key.
//
// BOLT 3: "locktime: 0 for HTLC-success, cltv_expiry for HTLC-timeout".
func HTLCTimeoutTx(t CommitmentType, commitTxid chainhash.Hash, out HTLCOutput, toSelfDelay uint16, feeratePerKw uint32, keys *CommitKeys) (*wire.MsgTx, error) {
	if !out.Offered {
		return nil, fmt.Errorf("%w: HTLC-timeout for received HTLC %d", ErrCommitParams, out.ID)
	}
	return secondLevelTx(t, commitTxid, out, out.CltvExpiry, HTLCTimeoutFee(t, feeratePerKw), toSelfDelay, keys)
}

// HTLCSuccessTx builds the holder's HTLC-success transaction for a
// received HTLC output of its commitment commitTxid; the holder adds the
// preimage to its witness when it learns it.
func HTLCSuccessTx(t CommitmentType, commitTxid chainhash.Hash, out HTLCOutput, toSelfDelay uint16, feeratePerKw uint32, keys *CommitKeys) (*wire.MsgTx, error) {
	if out.Offered {
		return nil, fmt.Errorf("%w: HTLC-success for offered HTLC %d", ErrCommitParams, out.ID)
	}
	return secondLevelTx(t, commitTxid, out, 0, HTLCSuccessFee(t, feeratePerKw), toSelfDelay, keys)
}

// SecondLevelTx builds the HTLC-timeout or HTLC-success transaction for
// out, whichever its direction calls for, so callers walking a
// commitment's HTLCs need not branch.
func SecondLevelTx(t CommitmentType, commitTxid chainhash.Hash, out HTLCOutput, toSelfDelay uint16, feeratePerKw uint32, keys *CommitKeys) (*wire.MsgTx, error) {
	if out.Offered {
		return HTLCTimeoutTx(t, commitTxid, out, toSelfDelay, feeratePerKw, keys)
	}
	return HTLCSuccessTx(t, commitTxid, out, toSelfDelay, feeratePerKw, keys)
}

// secondLevelTx is the template both HTLC transactions share.
//
// BOLT 3: "version: 2; txin count: 1; txin[0] outpoint: txid of the
// commitment transaction and output_index of the matching HTLC output for
// the HTLC transaction; txin[0] sequence: 0 (set to 1 for option_anchors);
// txout count: 1; txout[0] amount: the HTLC amount_msat divided by 1000
// (rounding down) minus fees in satoshis; txout[0] script: version-0 P2WSH
// with witness script" of to_local's form.
func secondLevelTx(t CommitmentType, commitTxid chainhash.Hash, out HTLCOutput, locktime uint32, feeSat int64, toSelfDelay uint16, keys *CommitKeys) (*wire.MsgTx, error) {
	if err := checkType(t); err != nil {
		return nil, err
	}
	if err := keys.check(); err != nil {
		return nil, err
	}
	value := out.amountSat() - feeSat
	if value <= 0 {
		return nil, fmt.Errorf("%w: HTLC %d of %d msat cannot pay its %d sat second-level fee",
			ErrCommitParams, out.ID, out.AmountMsat, feeSat)
	}
	ws, err := ToLocalScript(keys.Revocation, keys.LocalDelayed, toSelfDelay)
	if err != nil {
		return nil, fmt.Errorf("second-level tx: %w", err)
	}
	var sequence uint32
	if t == Anchors {
		// The HTLC scripts' 1 OP_CSV must be satisfied.
		sequence = 1
	}
	tx := wire.NewMsgTx(2)
	tx.LockTime = locktime
	tx.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Hash: commitTxid, Index: out.Index},
		Sequence:         sequence,
	})
	tx.AddTxOut(wire.NewTxOut(value, p2wsh(ws)))
	return tx, nil
}

// RemoteHTLCSigHash is the sighash type the counterparty's signature on
// the holder's second-level transaction uses. The holder's own signature
// always uses SIGHASH_ALL.
//
// BOLT 3: "if option_anchors applies to this commitment transaction,
// SIGHASH_SINGLE|SIGHASH_ANYONECANPAY is used as described in BOLT #5",
// which lets the holder add inputs and outputs to pay the fee the
// zero-fee transaction does not.
func RemoteHTLCSigHash(t CommitmentType) txscript.SigHashType {
	if t == Anchors {
		return txscript.SigHashSingle | txscript.SigHashAnyOneCanPay
	}
	return txscript.SigHashAll
}

// HTLCTimeoutWitness is the witness spending an offered HTLC output with
// the holder's HTLC-timeout transaction. Signatures carry their sighash
// byte.
//
// BOLT 3: "txin[0] witness stack: ... 0 <remotehtlcsig> <localhtlcsig> <>
// for HTLC-timeout"
func HTLCTimeoutWitness(witnessScript, remoteSig, localSig []byte) wire.TxWitness {
	return wire.TxWitness{nil, remoteSig, localSig, nil, witnessScript}
}

// HTLCSuccessWitness is the witness spending a received HTLC output with
// the holder's HTLC-success transaction.
//
// BOLT 3: "txin[0] witness stack: 0 <remotehtlcsig> <localhtlcsig>
// <payment_preimage> for HTLC-success"
func HTLCSuccessWitness(witnessScript, remoteSig, localSig []byte, preimage [32]byte) wire.TxWitness {
	return wire.TxWitness{nil, remoteSig, localSig, preimage[:], witnessScript}
}
