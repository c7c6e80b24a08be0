//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/chain"
	"lnwasm/node/wallet"
)

// newAddress is lncli newaddress: {type} → {address}.
func (e *engine) newAddress(raw json.RawMessage) (any, error) {
	var p struct {
		Type string `json:"type"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("newAddress: %w", err))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	a, err := n.NewAddress(p.Type)
	if err != nil {
		return nil, err
	}
	return map[string]string{"address": a.String()}, nil
}

// walletBalance is lncli walletbalance.
func (e *engine) walletBalance(json.RawMessage) (any, error) {
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	b, err := n.WalletBalance()
	if err != nil {
		return nil, err
	}
	return map[string]int64{"confirmedSat": b.ConfirmedSat, "unconfirmedSat": b.UnconfirmedSat,
		"totalSat": b.ConfirmedSat + b.UnconfirmedSat}, nil
}

// sendCoins is lncli sendcoins: {addr, amountSat | sendAll, satPerVbyte}.
func (e *engine) sendCoins(raw json.RawMessage) (any, error) {
	var p struct {
		Addr        string  `json:"addr"`
		AmountSat   int64   `json:"amountSat"`
		SendAll     bool    `json:"sendAll"`
		SatPerVbyte float64 `json:"satPerVbyte"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("sendCoins: %w", err))
	}
	if p.SendAll == (p.AmountSat != 0) {
		return nil, apiErr(codeInvalidArgument, errors.New("sendCoins: give amountSat or sendAll, not both"))
	}
	if p.SatPerVbyte < 0 || p.SatPerVbyte > 10000 {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("sendCoins: satPerVbyte %v out of range", p.SatPerVbyte))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := n.SendCoins(ctx, wallet.SendRequest{Address: p.Addr, AmountSat: p.AmountSat,
		SendAll: p.SendAll, FeeRate: chain.FeeRateFromSatPerVByte(p.SatPerVbyte)})
	if err != nil {
		return nil, err
	}
	return map[string]any{"txid": res.Tx.TxHash().String(), "feeSat": res.FeeSat}, nil
}

// listTransactions is lncli listchaintxns: {transactions: [...]}.
func (e *engine) listTransactions(json.RawMessage) (any, error) {
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	txs, err := n.ListTransactions()
	if err != nil {
		return nil, err
	}
	tip := e.tipHeight()
	out := []map[string]any{}
	for _, t := range txs {
		out = append(out, map[string]any{"txid": t.Txid.String(), "amountSat": t.AmountSat,
			"feeSat": t.FeeSat, "blockHeight": t.Height, "numConfirmations": confirmations(t.Height, tip)})
	}
	return map[string]any{"transactions": out}, nil
}

// lockWallet forgets the keys until unlockWallet.
func (e *engine) lockWallet(json.RawMessage) (any, error) {
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	return map[string]any{}, n.LockWallet()
}

// bumpFee replaces our unconfirmed send: {txid, satPerVbyte} → {txid, feeSat}.
func (e *engine) bumpFee(raw json.RawMessage) (any, error) {
	var p struct {
		Txid        string  `json:"txid"`
		SatPerVbyte float64 `json:"satPerVbyte"`
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("bumpFee: %w", err))
	}
	txid, err := chainhash.NewHashFromStr(p.Txid)
	if err != nil || p.SatPerVbyte <= 0 {
		return nil, apiErr(codeInvalidArgument, errors.New("bumpFee: want {txid: hex, satPerVbyte > 0}"))
	}
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := n.BumpFee(ctx, *txid, chain.FeeRateFromSatPerVByte(p.SatPerVbyte))
	if err != nil {
		return nil, err
	}
	return map[string]any{"txid": res.Tx.TxHash().String(), "feeSat": res.FeeSat}, nil
}

// listUnspent is lncli listunspent: {utxos: [...]}.
func (e *engine) listUnspent(json.RawMessage) (any, error) {
	n, err := e.theNode()
	if err != nil {
		return nil, err
	}
	utxos, err := n.ListUnspent()
	if err != nil {
		return nil, err
	}
	tip := e.tipHeight()
	out := []map[string]any{}
	for _, u := range utxos {
		out = append(out, map[string]any{"outpoint": u.OutPoint.String(), "amountSat": u.Value,
			"pkScript": fmt.Sprintf("%x", u.PkScript), "addressType": u.Kind.String(),
			"confirmations": confirmations(u.Height, tip)})
	}
	return map[string]any{"utxos": out}, nil
}

// tipHeight is the best block the wallet can act on (0 before any sync).
func (e *engine) tipHeight() uint32 {
	if best, err := e.backend.BestBlock(); err == nil {
		return best.Height
	}
	return 0
}

// confirmations counts a block at height and those above it up to tip.
func confirmations(height, tip uint32) uint32 {
	if height == 0 || tip < height {
		return 0
	}
	return tip - height + 1
}
