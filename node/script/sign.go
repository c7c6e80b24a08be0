package script

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// ErrBadSignature reports a peer's signature that does not verify on the
// transaction we built. The channel answers it as BOLT 2 says for an
// incorrect signature: warning and disconnect, or fail the channel.
var ErrBadSignature = errors.New("script: signature does not verify")

// Signatures here are *ecdsa.Signature: the wire carries them compact
// (lnwire.NewSigFromECDSA / Sig.ToECDSA convert), the witness carries DER
// plus the sighash byte (WitnessSig). All signing is RFC6979
// deterministic, so a commitment always gets the same signature.

// sigHash computes the BIP143 digest input 0 of tx commits to when it
// spends amountSat locked by witnessScript. Every transaction in BOLT 3
// has exactly one input.
func sigHash(tx *wire.MsgTx, witnessScript []byte, amountSat int64, hashType txscript.SigHashType) ([]byte, error) {
	if tx == nil || len(tx.TxIn) != 1 {
		return nil, fmt.Errorf("%w: sighash needs a one-input transaction", ErrCommitParams)
	}
	return firstInputSigHash(tx, witnessScript, amountSat, hashType)
}

// firstInputSigHash is the BIP143 digest of input 0 whatever inputs follow
// it: a segwit v0 digest needs only its own input's amount, the others
// are committed to by outpoint and sequence.
func firstInputSigHash(tx *wire.MsgTx, witnessScript []byte, amountSat int64, hashType txscript.SigHashType) ([]byte, error) {
	prev := txscript.NewCannedPrevOutputFetcher(p2wsh(witnessScript), amountSat)
	hashes := txscript.NewTxSigHashes(tx, prev)
	h, err := txscript.CalcWitnessSigHash(witnessScript, hashes, hashType, tx, 0, amountSat)
	if err != nil {
		return nil, fmt.Errorf("sighash: %w", err)
	}
	return h, nil
}

// sign signs input 0 of tx with priv.
func sign(tx *wire.MsgTx, witnessScript []byte, amountSat int64, hashType txscript.SigHashType, priv *btcec.PrivateKey) (*ecdsa.Signature, error) {
	if priv == nil {
		return nil, fmt.Errorf("%w: nil private key", ErrCommitParams)
	}
	h, err := sigHash(tx, witnessScript, amountSat, hashType)
	if err != nil {
		return nil, err
	}
	return ecdsa.Sign(priv, h), nil
}

// verify checks sig by pub on input 0 of tx.
func verify(what string, tx *wire.MsgTx, witnessScript []byte, amountSat int64, hashType txscript.SigHashType, pub *btcec.PublicKey, sig *ecdsa.Signature) error {
	if pub == nil || sig == nil {
		return fmt.Errorf("%w: %s: nil key or signature", ErrBadSignature, what)
	}
	h, err := sigHash(tx, witnessScript, amountSat, hashType)
	if err != nil {
		return err
	}
	if !sig.Verify(h, pub) {
		return fmt.Errorf("%w: %s signature for %x on tx %s", ErrBadSignature,
			what, pub.SerializeCompressed(), tx.TxHash())
	}
	return nil
}

// SignFundingInput signs, with SIGHASH_ALL, a commitment or closing
// transaction's spend of the funding output.
func SignFundingInput(tx *wire.MsgTx, fundingScript []byte, fundingSat int64, priv *btcec.PrivateKey) (*ecdsa.Signature, error) {
	return sign(tx, fundingScript, fundingSat, txscript.SigHashAll, priv)
}

// VerifyFundingSig checks the peer's signature (commitment_signed,
// funding_created, funding_signed, closing_signed) on our transaction
// spending the funding output.
func VerifyFundingSig(tx *wire.MsgTx, fundingScript []byte, fundingSat int64, pub *btcec.PublicKey, sig *ecdsa.Signature) error {
	return verify("funding", tx, fundingScript, fundingSat, txscript.SigHashAll, pub, sig)
}

// SignHTLCInput signs a second-level transaction's spend of an HTLC output
// worth amountSat. The holder signs its own with SIGHASH_ALL; we sign the
// peer's with RemoteHTLCSigHash.
func SignHTLCInput(tx *wire.MsgTx, witnessScript []byte, amountSat int64, hashType txscript.SigHashType, priv *btcec.PrivateKey) (*ecdsa.Signature, error) {
	return sign(tx, witnessScript, amountSat, hashType, priv)
}

// VerifyHTLCSig checks one of the peer's htlc_signatures on our
// second-level transaction; hashType is RemoteHTLCSigHash of the
// commitment type.
func VerifyHTLCSig(tx *wire.MsgTx, witnessScript []byte, amountSat int64, hashType txscript.SigHashType, pub *btcec.PublicKey, sig *ecdsa.Signature) error {
	return verify("htlc", tx, witnessScript, amountSat, hashType, pub, sig)
}

// WitnessSig encodes sig for a witness: DER followed by the sighash byte.
func WitnessSig(sig *ecdsa.Signature, hashType txscript.SigHashType) []byte {
	return append(sig.Serialize(), byte(hashType))
}

// FundingWitness is the witness spending the funding output. The
// signatures (in WitnessSig form) are put in the order of the keys in the
// 2-of-2 script, which OP_CHECKMULTISIG requires.
//
// BOLT 3: "txin[0] witness: 0 <signature_for_pubkey1>
// <signature_for_pubkey2>"
func FundingWitness(fundingScript []byte, localKey, remoteKey *btcec.PublicKey, localSig, remoteSig []byte) wire.TxWitness {
	first, second := localSig, remoteSig
	if bytes.Compare(localKey.SerializeCompressed(), remoteKey.SerializeCompressed()) > 0 {
		first, second = remoteSig, localSig
	}
	return wire.TxWitness{nil, first, second, fundingScript}
}

// SignFirstInput signs input 0 of tx (spending amountSat locked by
// witnessScript) with SIGHASH_ALL, whatever inputs follow it: an anchors
// HTLC transaction or an anchor's CPFP child after the wallet added its
// fee inputs.
func SignFirstInput(tx *wire.MsgTx, witnessScript []byte, amountSat int64, priv *btcec.PrivateKey) (*ecdsa.Signature, error) {
	if tx == nil || len(tx.TxIn) == 0 || priv == nil {
		return nil, fmt.Errorf("%w: sign first input: no input or key", ErrCommitParams)
	}
	h, err := firstInputSigHash(tx, witnessScript, amountSat, txscript.SigHashAll)
	if err != nil {
		return nil, err
	}
	return ecdsa.Sign(priv, h), nil
}
