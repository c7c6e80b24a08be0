package wallet

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/keys"
	"lnwasm/node/store"
)

// Errors a sender can act on.
var (
	ErrInvalidAddress      = errors.New("invalid address")
	ErrWrongNetwork        = errors.New("address is for another network")
	ErrDust                = errors.New("amount is below the dust limit")
	ErrInsufficientBalance = errors.New("insufficient confirmed balance")
)

// rbfSequence signals BIP125 opt-in replacement, so a stuck send can be
// bumped.
const rbfSequence = wire.MaxTxInSequenceNum - 2

// pendingSpend marks an output spent by our own unconfirmed transaction.
const pendingSpend = ^uint32(0)

// Weights of a P2WPKH spend, in weight units: the signature is counted at
// its largest (72 bytes), so the fee never falls below the rate asked.
const (
	txOverheadWU   = 4*(4+1+1+4) + 2
	p2wpkhInputWU  = 4*(36+1+4) + (1 + 1 + 72 + 1 + 33)
	np2wpkhInputWU = 4*(36+1+23+4) + (1 + 1 + 72 + 1 + 33)
	p2trInputWU    = 4*(36+1+4) + (1 + 1 + 64)
	outputBaseSize = 8 + 1
)

// inputWeight is the weight of spending an output of an account kind.
func inputWeight(k keys.AccountKind) int64 {
	switch k {
	case keys.AccountP2TR:
		return p2trInputWU
	case keys.AccountNP2WPKH:
		return np2wpkhInputWU
	default:
		return p2wpkhInputWU
	}
}

// SendRequest is lncli sendcoins.
type SendRequest struct {
	Address   string
	AmountSat int64
	SendAll   bool
	// FeeRate per kiloweight; 0 asks the chain backend for a 6-block rate.
	FeeRate chain.SatPerKWeight
}

// SendResult is the broadcast transaction and what it paid.
type SendResult struct {
	Tx     *wire.MsgTx
	FeeSat int64
}

// SendCoins builds, signs and broadcasts a payment from confirmed coins. It
// checks everything before touching a key: a bad request broadcasts nothing.
func (w *Wallet) SendCoins(ctx context.Context, req SendRequest) (SendResult, error) {
	to, err := w.payTo(req.Address)
	if err != nil {
		return SendResult{}, err
	}
	rate := req.FeeRate
	if rate == 0 {
		if rate, err = w.cfg.Chain.FeeRate(6); err != nil {
			return SendResult{}, fmt.Errorf("send: fee rate: %w", err)
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	plan, err := w.plan(to, req, rate)
	if err != nil {
		return SendResult{}, err
	}
	if err := w.sign(plan.tx, plan.inputs); err != nil {
		return SendResult{}, err
	}
	// Record the spend before broadcasting: if the store fails, nothing
	// leaves; if the broadcast fails, the coins are released again.
	if err := w.recordPending(plan); err != nil {
		return SendResult{}, fmt.Errorf("send: %w", err)
	}
	if err := w.cfg.Chain.Broadcast(plan.tx); err != nil {
		_ = w.releasePending(plan)
		return SendResult{}, fmt.Errorf("send: %w", err)
	}
	return SendResult{Tx: plan.tx, FeeSat: plan.fee}, nil
}

// payTo checks an address and returns its output script.
func (w *Wallet) payTo(address string) ([]byte, error) {
	addr, err := btcutil.DecodeAddress(address, w.cfg.Network)
	if err != nil {
		return nil, fmt.Errorf("%w %q: %v", ErrInvalidAddress, address, err)
	}
	if !addr.IsForNet(w.cfg.Network) {
		return nil, fmt.Errorf("%w: %q is not a %s address", ErrWrongNetwork, address, w.cfg.Network.Name)
	}
	return txscript.PayToAddrScript(addr)
}

// dustLimit is the smallest output relayed at 1 sat/vB: three times the
// cost of creating and spending it (294 sat for P2WPKH, 330 for P2TR).
func dustLimit(script []byte) int64 {
	spend := int64(148)
	if txscript.IsWitnessProgram(script) {
		spend = 67
	}
	return 3 * (int64(outputBaseSize+len(script)) + spend)
}

type plan struct {
	tx     *wire.MsgTx
	inputs []UTXO
	change *UTXO
	fee    int64
	// foreignIn is the value of tx's inputs that are not ours (AddFeeInputs'
	// caller's), so the recorded fee counts them.
	foreignIn int64
}

// plan selects coins largest first and lays out the transaction.
func (w *Wallet) plan(to []byte, req SendRequest, rate chain.SatPerKWeight) (plan, error) {
	if !req.SendAll && req.AmountSat < dustLimit(to) {
		return plan{}, fmt.Errorf("%w: %d sat < %d sat", ErrDust, req.AmountSat, dustLimit(to))
	}
	coins, err := w.spendable()
	if err != nil {
		return plan{}, err
	}
	changeScript, changeIdx, err := w.nextChange()
	if err != nil {
		return plan{}, err
	}
	weight := int64(txOverheadWU + 4*(outputBaseSize+len(to)))
	var p plan
	var in int64
	for _, c := range coins {
		p.inputs = append(p.inputs, c)
		in += c.Value
		weight += inputWeight(c.Kind)
		fee := feeFor(weight, rate)
		if req.SendAll || in < req.AmountSat+fee {
			continue
		}
		return w.layout(p, to, req.AmountSat, in, weight, rate, changeScript, changeIdx)
	}
	if req.SendAll && in > 0 {
		amount := in - feeFor(weight, rate)
		if amount >= dustLimit(to) {
			return w.layout(p, to, amount, in, weight, rate, nil, 0)
		}
	}
	return plan{}, fmt.Errorf("%w: have %d sat confirmed, need %d sat plus fees", ErrInsufficientBalance, in, req.AmountSat)
}

// layout builds the unsigned transaction, adding change when it is worth
// more than dust (otherwise it goes to the fee).
func (w *Wallet) layout(p plan, to []byte, amount, in, weight int64, rate chain.SatPerKWeight,
	changeScript []byte, changeIdx uint32) (plan, error) {
	tx := wire.NewMsgTx(2)
	for _, c := range p.inputs {
		op := c.OutPoint
		in := wire.NewTxIn(&op, nil, nil)
		in.Sequence = rbfSequence
		tx.AddTxIn(in)
	}
	tx.AddTxOut(wire.NewTxOut(amount, to))
	p.fee = in - amount
	if changeScript != nil {
		withChange := weight + int64(4*(outputBaseSize+len(changeScript)))
		change := in - amount - feeFor(withChange, rate)
		if change >= dustLimit(changeScript) {
			tx.AddTxOut(wire.NewTxOut(change, changeScript))
			p.fee = in - amount - change
			p.change = &UTXO{OutPoint: wire.OutPoint{Index: 1}, Value: change, PkScript: changeScript,
				Kind: w.cfg.Account.Kind(), Branch: Change, Index: changeIdx}
		}
	}
	p.tx = tx
	if p.change != nil {
		p.change.OutPoint.Hash = tx.TxHash() // segwit txid: stable after signing
	}
	return p, nil
}

// feeFor prices weight at rate over whole virtual bytes (vsize rounds the
// weight up, as nodes count it), so the rate paid is never below the rate
// asked.
func feeFor(weight int64, rate chain.SatPerKWeight) int64 {
	vsize := (weight + 3) / 4
	return (vsize*4*int64(rate) + 999) / 1000
}

// spendable is the confirmed unspent coins, largest first.
func (w *Wallet) spendable() ([]UTXO, error) {
	all, err := w.ListUnspent()
	if err != nil {
		return nil, err
	}
	var out []UTXO
	for _, u := range all {
		if u.Height > 0 {
			out = append(out, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value > out[j].Value })
	return out, nil
}

// nextChange is the next unused change script.
func (w *Wallet) nextChange() ([]byte, uint32, error) {
	var idx uint32
	err := w.cfg.Store.View(func(tx store.Tx) error {
		st, err := loadState(tx)
		idx = st.next[w.cfg.Account.Kind()][Change]
		return err
	})
	if err != nil {
		return nil, 0, err
	}
	s, err := w.cfg.Account.PkScript(Change, idx)
	return s, idx, err
}

// sign signs the planned transaction through a PSBT, the form channel
// funding will hand us too.
func (w *Wallet) sign(tx *wire.MsgTx, inputs []UTXO) error {
	p, err := psbt.NewFromUnsignedTx(tx)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	for i, u := range inputs {
		p.Inputs[i].WitnessUtxo = wire.NewTxOut(u.Value, u.PkScript)
	}
	if err := w.signPacket(p, inputs); err != nil {
		return err
	}
	final, err := psbt.Extract(p)
	if err != nil {
		return fmt.Errorf("sign: extract: %w", err)
	}
	for i := range tx.TxIn {
		tx.TxIn[i].Witness = final.TxIn[i].Witness
		tx.TxIn[i].SignatureScript = final.TxIn[i].SignatureScript
	}
	return nil
}

// SignPSBT signs and finalizes every input of p that spends one of our
// confirmed P2WPKH outputs; other inputs are left for their owners.
func (w *Wallet) SignPSBT(p *psbt.Packet) error {
	utxos, err := w.ListUnspent()
	if err != nil {
		return fmt.Errorf("sign psbt: %w", err)
	}
	byOp := map[wire.OutPoint]UTXO{}
	for _, u := range utxos {
		byOp[u.OutPoint] = u
	}
	var ours []UTXO
	for _, in := range p.UnsignedTx.TxIn {
		ours = append(ours, byOp[in.PreviousOutPoint]) // zero UTXO if not ours
	}
	return w.signPacket(p, ours)
}

// signPacket adds our signatures (inputs[i] with a PkScript are ours) and
// finalizes what it signed.
func (w *Wallet) signPacket(p *psbt.Packet, inputs []UTXO) error {
	fetcher := txscript.NewMultiPrevOutFetcher(nil)
	for i, in := range p.UnsignedTx.TxIn {
		if wu := p.Inputs[i].WitnessUtxo; wu != nil {
			fetcher.AddPrevOut(in.PreviousOutPoint, wu)
		}
	}
	hashes := txscript.NewTxSigHashes(p.UnsignedTx, fetcher)
	up, err := psbt.NewUpdater(p)
	if err != nil {
		return fmt.Errorf("sign psbt: %w", err)
	}
	for i, u := range inputs {
		if u.PkScript == nil {
			continue
		}
		if err := w.signInput(p, up, hashes, i, u); err != nil {
			return fmt.Errorf("sign input %d: %w", i, err)
		}
		if err := psbt.Finalize(p, i); err != nil {
			return fmt.Errorf("finalize input %d: %w", i, err)
		}
	}
	return nil
}

// signInput adds our signature for input i by the output's kind: P2WPKH,
// P2WPKH nested in P2SH (the redeem script is the witness program), or a
// BIP86 taproot key-path spend (the key tweaked with no script tree).
func (w *Wallet) signInput(p *psbt.Packet, up *psbt.Updater, hashes *txscript.TxSigHashes, i int, u UTXO) error {
	acct, ok := w.accounts[u.Kind]
	if !ok {
		return fmt.Errorf("%w (%s)", ErrNoAccount, u.Kind)
	}
	key, err := acct.PrivKey(u.Branch, u.Index)
	if err != nil {
		return err
	}
	switch u.Kind {
	case keys.AccountP2TR:
		sig, err := txscript.RawTxInTaprootSignature(p.UnsignedTx, hashes, i, u.Value, u.PkScript,
			nil, txscript.SigHashDefault, key)
		if err != nil {
			return err
		}
		p.Inputs[i].TaprootKeySpendSig = sig
		p.Inputs[i].SighashType = txscript.SigHashDefault
		return nil
	case keys.AccountNP2WPKH:
		redeem, err := acct.RedeemScript(u.Branch, u.Index)
		if err != nil {
			return err
		}
		sig, err := txscript.RawTxInWitnessSignature(p.UnsignedTx, hashes, i, u.Value, redeem, txscript.SigHashAll, key)
		if err != nil {
			return err
		}
		if err := up.AddInRedeemScript(redeem, i); err != nil {
			return err
		}
		_, err = up.Sign(i, sig, key.PubKey().SerializeCompressed(), nil, nil)
		return err
	default:
		sig, err := txscript.RawTxInWitnessSignature(p.UnsignedTx, hashes, i, u.Value, u.PkScript, txscript.SigHashAll, key)
		if err != nil {
			return err
		}
		_, err = up.Sign(i, sig, key.PubKey().SerializeCompressed(), nil, nil)
		return err
	}
}
