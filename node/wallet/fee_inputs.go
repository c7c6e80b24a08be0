package wallet

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/store"
)

// ErrNotPending is returned by ReleasePending for a transaction that is not
// an unconfirmed send of this wallet.
var ErrNotPending = errors.New("not an unconfirmed send of this wallet")

// bareInputWU is an input's weight without script or witness: outpoint,
// empty script length, sequence. inputWeight minus it is what signing adds.
const bareInputWU = 4 * (36 + 1 + 4)

// FeeRequest describes a transaction to complete with wallet inputs.
type FeeRequest struct {
	// Tx has the caller's inputs and outputs. Its inputs are not the
	// wallet's and are signed later by the caller: the wallet signs with
	// SIGHASH_ALL (taproot: SIGHASH_DEFAULT), which commits to every
	// input's outpoint and sequence and every output but not to other
	// inputs' witnesses, so afterwards the caller may change witnesses
	// only. Signature scripts are part of the txid: they must be final.
	Tx *wire.MsgTx
	// PrevOuts are the outputs Tx's existing inputs spend, in input order.
	// Their values count toward the fee, and taproot signatures commit to
	// them, so they must be exact.
	PrevOuts []*wire.TxOut
	// ForeignWitnessWeight is the total witness weight the caller's inputs
	// will have once signed (the wallet cannot see it yet), each input's
	// item count byte included, as BOLT 3's witness weights count it.
	ForeignWitnessWeight int64
	// Rate is the fee rate the whole transaction must pay.
	Rate chain.SatPerKWeight
	// ExtraFeeSat is added on top (CPFP: the parent's missing fee).
	ExtraFeeSat int64
}

// AddFeeInputs pays the fee of a transaction whose own inputs cannot: an
// option_anchors HTLC transaction (its peer-signed input uses
// SIGHASH_SINGLE|ANYONECANPAY, so inputs and outputs may be added) or a
// child spending a commitment's anchor (CPFP). It appends confirmed,
// unleased wallet coins, largest first, and one change output, so that the
// inputs minus the outputs are Rate over the final weight plus ExtraFeeSat
// (change under dust goes to the fee instead); existing inputs and outputs
// keep their indices, so SIGHASH_SINGLE pairs stay. It signs the wallet's
// inputs and records the spend as pending as SendCoins does, so balances and
// later sends leave those coins alone and sync settles it when mined. The
// caller signs its inputs and broadcasts; if the transaction will never
// confirm, ReleasePending frees the coins. It returns the completed copy of
// req.Tx and the fee it pays.
func (w *Wallet) AddFeeInputs(req FeeRequest) (*wire.MsgTx, int64, error) {
	if err := req.check(); err != nil {
		return nil, 0, fmt.Errorf("add fee inputs: %w", err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	changeScript, changeIdx, err := w.nextChange()
	if err != nil {
		return nil, 0, fmt.Errorf("add fee inputs: change: %w", err)
	}
	p, err := w.feePlan(req, changeScript, changeIdx)
	if err != nil {
		return nil, 0, fmt.Errorf("add fee inputs: %w", err)
	}
	if err := w.signFeeInputs(p.tx, req.PrevOuts, p.inputs); err != nil {
		return nil, 0, fmt.Errorf("add fee inputs: %w", err)
	}
	if err := w.recordPending(p); err != nil {
		return nil, 0, fmt.Errorf("add fee inputs: %w", err)
	}
	return p.tx, p.fee, nil
}

// check refuses a request the wallet cannot price.
func (r FeeRequest) check() error {
	switch {
	case r.Tx == nil:
		return errors.New("no transaction")
	case len(r.PrevOuts) != len(r.Tx.TxIn):
		return fmt.Errorf("%d previous outputs for %d inputs", len(r.PrevOuts), len(r.Tx.TxIn))
	case r.Rate <= 0:
		return fmt.Errorf("fee rate %d sat/kw is not positive", r.Rate)
	case r.ExtraFeeSat < 0 || r.ForeignWitnessWeight < 0:
		return errors.New("negative extra fee or witness weight")
	}
	for i, o := range r.PrevOuts {
		if o == nil {
			return fmt.Errorf("previous output of input %d missing", i)
		}
	}
	return nil
}

// feePlan selects coins largest first until they cover req.Tx's outputs and
// the fee, and lays out the unsigned result.
func (w *Wallet) feePlan(req FeeRequest, changeScript []byte, changeIdx uint32) (plan, error) {
	coins, err := w.spendable()
	if err != nil {
		return plan{}, err
	}
	p := plan{tx: req.Tx.Copy()}
	taken := map[wire.OutPoint]bool{}
	for i, in := range req.Tx.TxIn {
		taken[in.PreviousOutPoint] = true
		p.foreignIn += req.PrevOuts[i].Value
	}
	var out, ours int64
	for _, o := range req.Tx.TxOut {
		out += o.Value
	}
	for _, c := range coins {
		if taken[c.OutPoint] {
			continue
		}
		op := c.OutPoint
		in := wire.NewTxIn(&op, nil, nil)
		in.Sequence = rbfSequence
		p.tx.AddTxIn(in)
		p.inputs = append(p.inputs, c)
		ours += c.Value
		if w.settle(&p, req, p.foreignIn+ours-out, changeScript, changeIdx) {
			return p, nil
		}
	}
	need := out + feeFor(feeWeight(p.tx, req.ForeignWitnessWeight, p.inputs), req.Rate) + req.ExtraFeeSat - p.foreignIn
	return plan{}, fmt.Errorf("%w: have %d sat confirmed, need at least %d sat", ErrInsufficientBalance, ours, need)
}

// settle finishes p if the surplus (inputs minus outputs) covers the fee:
// with change when the change would not be dust, else with the surplus as
// fee, unless that left the transaction with no output at all (a CPFP
// child), which needs more coins.
func (w *Wallet) settle(p *plan, req FeeRequest, surplus int64, changeScript []byte, changeIdx uint32) bool {
	price := func() int64 { // of p.tx as it stands
		return feeFor(feeWeight(p.tx, req.ForeignWitnessWeight, p.inputs), req.Rate) + req.ExtraFeeSat
	}
	if surplus < price() {
		return false
	}
	n := len(p.tx.TxOut)
	p.tx.AddTxOut(wire.NewTxOut(0, changeScript))
	if change := surplus - price(); change >= dustLimit(changeScript) {
		p.tx.TxOut[n].Value = change
		p.fee = surplus - change
		p.change = &UTXO{OutPoint: wire.OutPoint{Hash: p.tx.TxHash(), Index: uint32(n)}, Value: change,
			PkScript: changeScript, Kind: w.cfg.Account.Kind(), Branch: Change, Index: changeIdx}
		return true
	}
	p.tx.TxOut = p.tx.TxOut[:n]
	p.fee = surplus
	return n > 0
}

// feeWeight is the weight tx will have once every input is signed: its
// stripped size (final signature scripts of the caller's inputs included),
// the segwit marker and flag, the caller's declared witnesses, and what
// signing adds to ours, counting signatures at their largest.
func feeWeight(tx *wire.MsgTx, foreignWitness int64, ours []UTXO) int64 {
	w := int64(4*tx.SerializeSizeStripped()) + 2 + foreignWitness
	for _, u := range ours {
		w += inputWeight(u.Kind) - bareInputWU
	}
	return w
}

// signFeeInputs signs our inputs, which follow the caller's, through a PSBT
// over a copy stripped of every script and witness (a PSBT must start
// unsigned, and segwit signatures commit to neither), then moves our final
// scripts into tx. Every previous output goes into the PSBT because taproot
// signatures commit to all of them.
func (w *Wallet) signFeeInputs(tx *wire.MsgTx, prevOuts []*wire.TxOut, ours []UTXO) error {
	bare := tx.Copy()
	for _, in := range bare.TxIn {
		in.SignatureScript, in.Witness = nil, nil
	}
	p, err := psbt.NewFromUnsignedTx(bare)
	if err != nil {
		return fmt.Errorf("sign: %w", err)
	}
	first := len(prevOuts)
	inputs := make([]UTXO, len(bare.TxIn))
	for i, o := range prevOuts {
		p.Inputs[i].WitnessUtxo = wire.NewTxOut(o.Value, o.PkScript)
	}
	for j, u := range ours {
		inputs[first+j] = u
		p.Inputs[first+j].WitnessUtxo = wire.NewTxOut(u.Value, u.PkScript)
	}
	if err := w.signPacket(p, inputs); err != nil {
		return err
	}
	for i := first; i < len(tx.TxIn); i++ {
		wit, err := parseWitness(p.Inputs[i].FinalScriptWitness)
		if err != nil {
			return fmt.Errorf("sign: final witness of input %d: %w", i, err)
		}
		tx.TxIn[i].Witness, tx.TxIn[i].SignatureScript = wit, p.Inputs[i].FinalScriptSig
	}
	return nil
}

// parseWitness reads a PSBT's serialized final witness (psbt.Extract does
// the same, but only for a packet whose every input is final).
func parseWitness(b []byte) (wire.TxWitness, error) {
	r := bytes.NewReader(b)
	n, err := wire.ReadVarInt(r, 0)
	if err != nil {
		return nil, err
	}
	if n > uint64(len(b)) {
		return nil, fmt.Errorf("%d witness items in %d bytes", n, len(b))
	}
	wit := make(wire.TxWitness, n)
	for i := range wit {
		if wit[i], err = wire.ReadVarBytes(r, 0, txscript.MaxScriptSize, "witness"); err != nil {
			return nil, err
		}
	}
	return wit, nil
}

// ReleasePending forgets our unconfirmed send txid that will never confirm
// (a fee-paying child whose parent lost a race, a transaction the network
// refused): the coins it spends become spendable again and its change is
// dropped. Should it confirm after all, the next sync still finds it, as
// the coins stay watched and its change index stays used.
func (w *Wallet) ReleasePending(txid chainhash.Hash) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	p, err := w.pendingPlan(txid)
	if err != nil {
		return fmt.Errorf("release pending %s: %w", txid, err)
	}
	if err := w.releasePending(p); err != nil {
		return fmt.Errorf("release pending %s: %w", txid, err)
	}
	return nil
}

// pendingPlan rebuilds, for releasePending, the plan of our unconfirmed
// send txid: the coins it holds as pending (not those a conflicting
// transaction has since spent in a block) and its change.
func (w *Wallet) pendingPlan(txid chainhash.Hash) (plan, error) {
	var p plan
	err := w.cfg.Store.View(func(stx store.Tx) error {
		raw, err := stx.Get(bucketRaw, txid[:])
		if err != nil {
			return err
		}
		rec, err := stx.Get(bucketTxs, txid[:])
		if err != nil {
			return err
		}
		if raw == nil || rec == nil {
			return ErrNotPending
		}
		r, err := decodeTxRecord(txid[:], rec)
		if err != nil {
			return err
		}
		if r.Height != 0 {
			return fmt.Errorf("%w: confirmed at height %d", ErrNotPending, r.Height)
		}
		p.tx = wire.NewMsgTx(2)
		if err := p.tx.Deserialize(bytes.NewReader(raw)); err != nil {
			return fmt.Errorf("stored tx: %w", err)
		}
		utxos, err := loadUTXOs(stx)
		if err != nil {
			return err
		}
		return p.collect(utxos)
	})
	return p, err
}

// collect fills in the plan's pending coins and change from the UTXO set.
func (p *plan) collect(utxos []UTXO) error {
	txid := p.tx.TxHash()
	spends := map[wire.OutPoint]bool{}
	for _, in := range p.tx.TxIn {
		spends[in.PreviousOutPoint] = true
	}
	for _, u := range utxos {
		switch {
		case spends[u.OutPoint] && u.SpentHeight == pendingSpend:
			p.inputs = append(p.inputs, u)
		case u.OutPoint.Hash == txid && u.SpentHeight != 0:
			return fmt.Errorf("its change %s is spent", u.OutPoint)
		case u.OutPoint.Hash == txid:
			c := u
			p.change = &c
		}
	}
	return nil
}
