package devnet

import (
	"bytes"
	"errors"
	"fmt"
	"sync"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// faucetFee is what each faucet payment pays: about 7 sat/vB for a one-in,
// two-out P2WPKH transaction, well above regtest's relay floor.
const faucetFee = 1000

// coinbaseMaturity is how deep a coinbase must be before it can be spent.
const coinbaseMaturity = 100

// ErrFaucetAddress is returned for an address the faucet cannot pay.
var ErrFaucetAddress = errors.New("faucet: not a regtest address")

// ErrFaucetAmount is returned for an amount the faucet cannot pay.
var ErrFaucetAmount = errors.New("faucet: amount must be between 546 sat (dust) and one coinbase minus the fee")

// faucet spends the mining key's mature coinbases, one per payment.
type faucet struct {
	mu   sync.Mutex
	next int64 // lowest height whose coinbase may still be unspent
}

// Faucet pays amount to address from a mature coinbase, then mines a block
// so the payment confirms. It returns the payment's txid.
func (d *Devnet) Faucet(address string, amount int64) (*chainhash.Hash, error) {
	addr, err := btcutil.DecodeAddress(address, &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %v", ErrFaucetAddress, address, err)
	}
	if !addr.IsForNet(&chaincfg.RegressionNetParams) {
		return nil, fmt.Errorf("%w: %q", ErrFaucetAddress, address)
	}
	to, err := txscript.PayToAddrScript(addr)
	if err != nil {
		return nil, fmt.Errorf("faucet: %w", err)
	}
	d.faucet.mu.Lock()
	defer d.faucet.mu.Unlock()
	in, err := d.nextCoinbase()
	if err != nil {
		return nil, err
	}
	if amount < 546 || amount > in.value-faucetFee-546 {
		return nil, fmt.Errorf("%w (got %d, coinbase holds %d)", ErrFaucetAmount, amount, in.value)
	}
	tx, err := d.signPayment(in, to, amount)
	if err != nil {
		return nil, err
	}
	txid, err := d.Btcd.RPC().SendRawTransaction(tx, false)
	if err != nil {
		return nil, fmt.Errorf("faucet: broadcast: %w", err)
	}
	if _, err := d.Btcd.Mine(1); err != nil {
		return nil, fmt.Errorf("faucet: %w", err)
	}
	return txid, nil
}

type coinbaseOut struct {
	op     wire.OutPoint
	value  int64
	script []byte
}

// nextCoinbase finds the lowest mature coinbase output to the mining address
// that is still unspent.
func (d *Devnet) nextCoinbase() (coinbaseOut, error) {
	tip, err := d.Btcd.Height()
	if err != nil {
		return coinbaseOut{}, fmt.Errorf("faucet: %w", err)
	}
	mine, err := txscript.PayToAddrScript(d.Btcd.MiningAddr)
	if err != nil {
		return coinbaseOut{}, fmt.Errorf("faucet: %w", err)
	}
	rpc := d.Btcd.RPC()
	for h := max(d.faucet.next, 1); h <= tip-coinbaseMaturity; h++ {
		hash, err := rpc.GetBlockHash(h)
		if err != nil {
			return coinbaseOut{}, fmt.Errorf("faucet: block %d: %w", h, err)
		}
		blk, err := rpc.GetBlock(hash)
		if err != nil {
			return coinbaseOut{}, fmt.Errorf("faucet: block %d: %w", h, err)
		}
		cb := blk.Transactions[0]
		d.faucet.next = h + 1
		for i, out := range cb.TxOut {
			if !bytes.Equal(out.PkScript, mine) {
				continue
			}
			txid := cb.TxHash()
			if res, err := rpc.GetTxOut(&txid, uint32(i), false); err == nil && res != nil {
				return coinbaseOut{wire.OutPoint{Hash: txid, Index: uint32(i)}, out.Value, out.PkScript}, nil
			}
		}
	}
	return coinbaseOut{}, errors.New("faucet: no mature coinbase left; mine more blocks")
}

// signPayment pays amount to `to` and the rest, less the fee, back to the
// mining address.
func (d *Devnet) signPayment(in coinbaseOut, to []byte, amount int64) (*wire.MsgTx, error) {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&in.op, nil, nil))
	tx.AddTxOut(wire.NewTxOut(amount, to))
	tx.AddTxOut(wire.NewTxOut(in.value-amount-faucetFee, in.script))
	fetcher := txscript.NewCannedPrevOutputFetcher(in.script, in.value)
	hashes := txscript.NewTxSigHashes(tx, fetcher)
	wit, err := txscript.WitnessSignature(tx, hashes, 0, in.value, in.script,
		txscript.SigHashAll, d.Btcd.MiningKey, true)
	if err != nil {
		return nil, fmt.Errorf("faucet: sign: %w", err)
	}
	tx.TxIn[0].Witness = wit
	return tx, nil
}
