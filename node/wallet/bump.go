package wallet

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/store"
)

// ErrCannotBump explains why a send cannot be replaced.
var ErrCannotBump = errors.New("cannot bump the fee")

// BumpFee replaces our unconfirmed send txid with one paying rate (BIP125):
// same inputs and payment, the extra fee taken from the change. The new
// fee must beat the old one by the new transaction's own size at 1 sat/vB.
func (w *Wallet) BumpFee(ctx context.Context, txid chainhash.Hash, rate chain.SatPerKWeight) (SendResult, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	old, inputs, change, err := w.pendingSend(txid)
	if err != nil {
		return SendResult{}, err
	}
	var in, out int64
	for _, u := range inputs {
		in += u.Value
	}
	for _, o := range old.TxOut {
		out += o.Value
	}
	oldFee := in - out
	p, err := w.replacement(old, inputs, change, rate, oldFee)
	if err != nil {
		return SendResult{}, err
	}
	if err := w.sign(p.tx, p.inputs); err != nil {
		return SendResult{}, err
	}
	if err := w.swapPending(txid, p); err != nil {
		return SendResult{}, fmt.Errorf("bump fee: %w", err)
	}
	if err := w.cfg.Chain.Broadcast(p.tx); err != nil {
		return SendResult{}, fmt.Errorf("bump fee: %w", err)
	}
	return SendResult{Tx: p.tx, FeeSat: p.fee}, nil
}

// pendingSend loads our unconfirmed send, the coins it spends and its
// change output (nil if it has none).
func (w *Wallet) pendingSend(txid chainhash.Hash) (*wire.MsgTx, []UTXO, *UTXO, error) {
	var raw []byte
	var utxos []UTXO
	err := w.cfg.Store.View(func(tx store.Tx) error {
		var err error
		if raw, err = tx.Get(bucketRaw, txid[:]); err != nil {
			return err
		}
		utxos, err = loadUTXOs(tx)
		return err
	})
	if err != nil {
		return nil, nil, nil, fmt.Errorf("bump fee: %w", err)
	}
	if raw == nil {
		return nil, nil, nil, fmt.Errorf("%w: %s is not an unconfirmed send of this wallet", ErrCannotBump, txid)
	}
	old := wire.NewMsgTx(2)
	if err := old.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil, nil, nil, fmt.Errorf("bump fee: stored tx: %w", err)
	}
	byOp := map[wire.OutPoint]UTXO{}
	var change *UTXO
	for _, u := range utxos {
		byOp[u.OutPoint] = u
		if u.OutPoint.Hash == txid {
			c := u
			change = &c
		}
	}
	var inputs []UTXO
	for _, in := range old.TxIn {
		u, ok := byOp[in.PreviousOutPoint]
		if !ok {
			return nil, nil, nil, fmt.Errorf("bump fee: input %s is not ours", in.PreviousOutPoint)
		}
		inputs = append(inputs, u)
	}
	return old, inputs, change, nil
}

// replacement copies old with the change lowered to pay rate.
func (w *Wallet) replacement(old *wire.MsgTx, inputs []UTXO, change *UTXO, rate chain.SatPerKWeight, oldFee int64) (plan, error) {
	if change == nil {
		return plan{}, fmt.Errorf("%w: the send has no change to take the extra fee from", ErrCannotBump)
	}
	tx := old.Copy()
	for i := range tx.TxIn {
		tx.TxIn[i].Witness = nil
	}
	weight := blockchain.GetTransactionWeight(btcutil.NewTx(old))
	fee := feeFor(weight, rate)
	if least := oldFee + (weight+3)/4; fee < least {
		return plan{}, fmt.Errorf("%w: the new fee %d sat must be at least %d sat (old fee + 1 sat/vB); ask a higher rate", ErrCannotBump, fee, least)
	}
	ci := change.OutPoint.Index
	newChange := change.Value - (fee - oldFee)
	if newChange < dustLimit(change.PkScript) {
		return plan{}, fmt.Errorf("%w: the change (%d sat) cannot cover %d sat more fee", ErrCannotBump, change.Value, fee-oldFee)
	}
	tx.TxOut[ci].Value = newChange
	c := *change
	c.Value, c.OutPoint = newChange, wire.OutPoint{Hash: tx.TxHash(), Index: ci}
	return plan{tx: tx, inputs: inputs, change: &c, fee: fee}, nil
}

// swapPending replaces the old pending send's records with the new one's.
func (w *Wallet) swapPending(oldTxid chainhash.Hash, p plan) error {
	err := w.cfg.Store.Update(func(tx store.Tx) error {
		utxos, err := loadUTXOs(tx)
		if err != nil {
			return err
		}
		for _, u := range utxos {
			if u.OutPoint.Hash == oldTxid {
				if err := tx.Delete(bucketUTXOs, u.key()); err != nil {
					return err
				}
			}
		}
		if err := tx.Delete(bucketTxs, oldTxid[:]); err != nil {
			return err
		}
		return tx.Delete(bucketRaw, oldTxid[:])
	})
	if err != nil {
		return err
	}
	return w.recordPending(p)
}
