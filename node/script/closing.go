package script

import (
	"fmt"

	"github.com/btcsuite/btcd/wire"
)

// ClosingTx builds a mutual close transaction. localSat and remoteSat are
// final output amounts: the opener's share already has fee_satoshis taken
// off (ClosingBalances does that). An output below dustLimitSat, or with
// an empty script (a side dropping its own output), is left out.
//
// BOLT 3 (Closing Transaction): "version: 2; locktime: 0; txin[0]
// sequence: 0xFFFFFFFF; txout count: 0, 1 or 2; txout amount: final
// balance to be paid to one node (minus fee_satoshis from closing_signed,
// if this peer funded the channel); txout script: as specified in that
// node's scriptpubkey in its shutdown message." Each node offering a
// signature: "MUST remove any output below its own dust_limit_satoshis.
// MAY eliminate its own output."
//
// A transaction with no output at all is invalid on chain, so that case
// is an error rather than the BOLT's "0" outputs.
func ClosingTx(fundingOutpoint wire.OutPoint, localScript, remoteScript []byte, localSat, remoteSat int64, dustLimitSat int64) (*wire.MsgTx, error) {
	if localSat < 0 || remoteSat < 0 {
		return nil, fmt.Errorf("%w: negative closing amount (local %d, remote %d sat)",
			ErrCommitParams, localSat, remoteSat)
	}
	var outs []sortableOutput
	for _, o := range []struct {
		script []byte
		value  int64
	}{{localScript, localSat}, {remoteScript, remoteSat}} {
		if len(o.script) == 0 || o.value < dustLimitSat || o.value == 0 {
			continue
		}
		outs = append(outs, sortableOutput{txOut: wire.NewTxOut(o.value, o.script)})
	}
	if len(outs) == 0 {
		return nil, fmt.Errorf("%w: closing transaction would have no output", ErrCommitParams)
	}
	sortOutputs(outs)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: fundingOutpoint, Sequence: wire.MaxTxInSequenceNum})
	for _, o := range outs {
		tx.AddTxOut(o.txOut)
	}
	return tx, nil
}

// ClosingBalances turns the final channel balances into closing output
// amounts: each rounded down to whole satoshis, fee_satoshis subtracted
// from the opener's. It fails with ErrOpenerCannotPay if the opener's
// balance does not cover the fee.
//
// BOLT 3: "Each node offering a signature: MUST round each output down to
// whole satoshis. MUST subtract the fee given by fee_satoshis from the
// output to the funder."
func ClosingBalances(localMsat, remoteMsat uint64, localIsOpener bool, feeSat int64) (localSat, remoteSat int64, err error) {
	if feeSat < 0 {
		return 0, 0, fmt.Errorf("%w: negative closing fee %d sat", ErrCommitParams, feeSat)
	}
	localSat, remoteSat = int64(localMsat/1000), int64(remoteMsat/1000)
	opener := &remoteSat
	if localIsOpener {
		opener = &localSat
	}
	if *opener < feeSat {
		return 0, 0, fmt.Errorf("%w: opener has %d sat, closing fee is %d sat",
			ErrOpenerCannotPay, *opener, feeSat)
	}
	*opener -= feeSat
	return localSat, remoteSat, nil
}
