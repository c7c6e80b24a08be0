package script

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// ErrFundingParams reports funding output parameters no channel can use:
// a missing key or a non-positive amount.
var ErrFundingParams = errors.New("script: invalid funding output parameters")

// FundingScript returns the 2-of-2 witness script that locks a channel's
// funds. The keys are ordered by their encoding rather than by role so both
// peers build byte-identical scripts without agreeing on who is "first".
//
// BOLT 3: "The funding output script is a P2WSH to:
// 2 <pubkey1> <pubkey2> 2 OP_CHECKMULTISIG
// Where pubkey1 is the numerically lesser of the two DER-encoded
// funding_pubkey and where pubkey2 is the numerically greater of the two."
//
// Both encodings are 33-byte compressed keys, so numeric order is the
// lexicographic byte order bytes.Compare gives.
func FundingScript(a, b *btcec.PublicKey) ([]byte, error) {
	if a == nil || b == nil {
		return nil, fmt.Errorf("%w: nil funding pubkey", ErrFundingParams)
	}
	k1, k2 := a.SerializeCompressed(), b.SerializeCompressed()
	if bytes.Compare(k1, k2) > 0 {
		k1, k2 = k2, k1
	}
	s, err := txscript.NewScriptBuilder().
		AddOp(txscript.OP_2).
		AddData(k1).
		AddData(k2).
		AddOp(txscript.OP_2).
		AddOp(txscript.OP_CHECKMULTISIG).
		Script()
	if err != nil {
		return nil, fmt.Errorf("funding script: %w", err)
	}
	return s, nil
}

// P2WSH returns the version-0 witness program paying to witnessScript,
// the output form BOLT 3 uses for every script it defines.
func P2WSH(witnessScript []byte) ([]byte, error) {
	h := sha256.Sum256(witnessScript)
	s, err := txscript.NewScriptBuilder().AddOp(txscript.OP_0).AddData(h[:]).Script()
	if err != nil {
		return nil, fmt.Errorf("p2wsh: %w", err)
	}
	return s, nil
}

// FundingOutput returns the funding witness script and the P2WSH output
// paying amountSat to it. The funder needs the output to build the funding
// transaction; both sides need the script to spend it.
func FundingOutput(a, b *btcec.PublicKey, amountSat int64) ([]byte, *wire.TxOut, error) {
	if amountSat <= 0 {
		return nil, nil, fmt.Errorf("%w: amount %d sat", ErrFundingParams, amountSat)
	}
	ws, err := FundingScript(a, b)
	if err != nil {
		return nil, nil, err
	}
	pk, err := P2WSH(ws)
	if err != nil {
		return nil, nil, fmt.Errorf("funding output: %w", err)
	}
	return ws, wire.NewTxOut(amountSat, pk), nil
}
