package wallet

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/keys"
	"lnwasm/node/store"
)

const feeTestRate = chain.SatPerKWeight(2500)

// broadcastChain is fakeChain that also takes broadcasts, for SendCoins.
type broadcastChain struct {
	*fakeChain
	sent []*wire.MsgTx
}

func (b *broadcastChain) Broadcast(tx *wire.MsgTx) error {
	b.sent = append(b.sent, tx)
	return nil
}

// feeEnv is a wallet over real keys (P2WPKH, with P2TR and NP2WPKH extra
// accounts), funded block by block on a fake chain, that remembers every
// output it created so scripts can be verified.
type feeEnv struct {
	w     *Wallet
	fc    *broadcastChain
	accts map[keys.AccountKind]*keys.Account
	prev  map[wire.OutPoint]*wire.TxOut
}

func newFeeEnv(t *testing.T) *feeEnv {
	t.Helper()
	ring, err := keys.NewRing(bytes.Repeat([]byte{7}, 32), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	e := &feeEnv{fc: &broadcastChain{fakeChain: &fakeChain{blocks: map[uint32][]*wire.MsgTx{}}},
		accts: map[keys.AccountKind]*keys.Account{}, prev: map[wire.OutPoint]*wire.TxOut{}}
	for _, k := range []keys.AccountKind{keys.AccountP2WPKH, keys.AccountP2TR, keys.AccountNP2WPKH} {
		if e.accts[k], err = ring.Account(k, 0); err != nil {
			t.Fatal(err)
		}
	}
	e.w, err = New(Config{Network: &chaincfg.RegressionNetParams, Store: store.NewMemory(), Chain: e.fc,
		Account: e.accts[keys.AccountP2WPKH], Extra: []Account{e.accts[keys.AccountP2TR], e.accts[keys.AccountNP2WPKH]}})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// fund pays value to receive index of an account kind in a new block.
func (e *feeEnv) fund(t *testing.T, kind keys.AccountKind, index uint32, value int64) {
	t.Helper()
	s, err := e.accts[kind].PkScript(Receive, index)
	if err != nil {
		t.Fatal(err)
	}
	e.mine(t, pay(s, value))
}

// mine puts tx in a new block and syncs the wallet.
func (e *feeEnv) mine(t *testing.T, tx *wire.MsgTx) {
	t.Helper()
	e.fc.tip++
	e.fc.blocks[e.fc.tip] = []*wire.MsgTx{tx}
	for i, o := range tx.TxOut {
		e.prev[wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}] = o
	}
	if err := e.w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func (e *feeEnv) balance(t *testing.T) Balance {
	t.Helper()
	b, err := e.w.Balance()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// foreign is a caller's input: a P2WSH output locked by a script of real
// keys, as an HTLC or anchor output would be.
type foreign struct {
	keys   []*btcec.PrivateKey
	script []byte
	prev   *wire.TxOut
	op     wire.OutPoint
}

// newForeign locks value to a 1-of-1 CHECKSIG script, or with two keys to
// a 2-of-2 CHECKMULTISIG (an HTLC's peer and local signatures).
func newForeign(t *testing.T, value int64, nKeys int) foreign {
	t.Helper()
	f := foreign{op: wire.OutPoint{Hash: chainhash.HashH([]byte(t.Name())), Index: 1}}
	b := txscript.NewScriptBuilder()
	if nKeys == 2 {
		b.AddOp(txscript.OP_2)
	}
	for i := 0; i < nKeys; i++ {
		k, err := btcec.NewPrivateKey()
		if err != nil {
			t.Fatal(err)
		}
		f.keys = append(f.keys, k)
		b.AddData(k.PubKey().SerializeCompressed())
	}
	if nKeys == 2 {
		b.AddOp(txscript.OP_2).AddOp(txscript.OP_CHECKMULTISIG)
	} else {
		b.AddOp(txscript.OP_CHECKSIG)
	}
	var err error
	if f.script, err = b.Script(); err != nil {
		t.Fatal(err)
	}
	h := chainhash.HashB(f.script)
	f.prev = wire.NewTxOut(value, append([]byte{txscript.OP_0, 32}, h...))
	return f
}

// witnessWeight is the signed witness at its largest: item count, the
// empty CHECKMULTISIG dummy, 72-byte signatures, the script.
func (f foreign) witnessWeight() int64 {
	w := int64(1 + 1 + len(f.script) + 73*len(f.keys))
	if len(f.keys) == 2 {
		w++
	}
	return w
}

// sign signs input i for key k.
func (f foreign) sign(t *testing.T, tx *wire.MsgTx, i, k int, prev txscript.PrevOutputFetcher, hashType txscript.SigHashType) []byte {
	t.Helper()
	sig, err := txscript.RawTxInWitnessSignature(tx, txscript.NewTxSigHashes(tx, prev), i, f.prev.Value,
		f.script, hashType, f.keys[k])
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// fetcher knows every output the test made and the foreign ones.
func (e *feeEnv) fetcher(fs ...foreign) *txscript.MultiPrevOutFetcher {
	m := txscript.NewMultiPrevOutFetcher(nil)
	for op, o := range e.prev {
		m.AddPrevOut(op, o)
	}
	for _, f := range fs {
		m.AddPrevOut(f.op, f.prev)
	}
	return m
}

// verifyAll runs every input's script through btcd's engine.
func verifyAll(t *testing.T, tx *wire.MsgTx, prev *txscript.MultiPrevOutFetcher) {
	t.Helper()
	hashes := txscript.NewTxSigHashes(tx, prev)
	for i, in := range tx.TxIn {
		o := prev.FetchPrevOutput(in.PreviousOutPoint)
		if o == nil {
			t.Fatalf("input %d spends unknown %s", i, in.PreviousOutPoint)
		}
		vm, err := txscript.NewEngine(o.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, o.Value, prev)
		if err != nil {
			t.Fatalf("input %d: %v", i, err)
		}
		if err := vm.Execute(); err != nil {
			t.Fatalf("input %d does not verify: %v", i, err)
		}
	}
}

// checkFee checks the fee returned is what the transaction pays, and that
// it is the rate over its real weight plus extra, over by no more than the
// estimate's rounding (signatures counted at 72 bytes, whole vbytes).
func checkFee(t *testing.T, tx *wire.MsgTx, prev *txscript.MultiPrevOutFetcher, fee, extra int64) {
	t.Helper()
	var in, out int64
	for _, ti := range tx.TxIn {
		in += prev.FetchPrevOutput(ti.PreviousOutPoint).Value
	}
	for _, o := range tx.TxOut {
		out += o.Value
	}
	if in-out != fee {
		t.Fatalf("returned fee %d, the transaction pays %d", fee, in-out)
	}
	weight := blockchain.GetTransactionWeight(btcutil.NewTx(tx))
	exact := int64(feeTestRate)*weight/1000 + extra
	slack := int64(feeTestRate)*int64(len(tx.TxIn)+4)/1000 + 1
	if fee < exact || fee > exact+slack {
		t.Fatalf("fee %d for weight %d at %d sat/kw + %d: want %d..%d", fee, weight, feeTestRate, extra, exact, exact+slack)
	}
}

// changeOf returns the transaction's last output, checking it pays our
// next change script.
func (e *feeEnv) changeOf(t *testing.T, tx *wire.MsgTx, idx uint32) *wire.TxOut {
	t.Helper()
	want, _ := e.accts[keys.AccountP2WPKH].PkScript(Change, idx)
	c := tx.TxOut[len(tx.TxOut)-1]
	if !bytes.Equal(c.PkScript, want) {
		t.Fatalf("last output pays %x, want change %d %x", c.PkScript, idx, want)
	}
	return c
}

func TestAddFeeInputsSignsEveryInput(t *testing.T) {
	t.Run("outputs beyond the inputs, coins of every kind", func(t *testing.T) {
		e := newFeeEnv(t)
		e.fund(t, keys.AccountP2TR, 0, 30_000)
		e.fund(t, keys.AccountNP2WPKH, 0, 20_000)
		e.fund(t, keys.AccountP2WPKH, 0, 10_000)
		f := newForeign(t, 50_000, 1)
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(wire.NewTxIn(&f.op, nil, nil))
		tx.AddTxOut(wire.NewTxOut(105_000, f.prev.PkScript))
		done, fee, err := e.w.AddFeeInputs(FeeRequest{Tx: tx, PrevOuts: []*wire.TxOut{f.prev},
			ForeignWitnessWeight: f.witnessWeight(), Rate: feeTestRate})
		if err != nil {
			t.Fatal(err)
		}
		if len(tx.TxIn) != 1 || len(tx.TxOut) != 1 {
			t.Fatal("the request's transaction was changed; AddFeeInputs must return a copy")
		}
		if len(done.TxIn) != 4 || len(done.TxOut) != 2 || done.TxIn[0].PreviousOutPoint != f.op {
			t.Fatalf("got %d inputs and %d outputs (first input %s), want the foreign input then 3 coins, the output then change",
				len(done.TxIn), len(done.TxOut), done.TxIn[0].PreviousOutPoint)
		}
		e.changeOf(t, done, 0)
		prev := e.fetcher(f)
		sig := f.sign(t, done, 0, 0, prev, txscript.SigHashAll)
		done.TxIn[0].Witness = wire.TxWitness{sig, f.script}
		verifyAll(t, done, prev)
		checkFee(t, done, prev, fee, 0)
	})
	t.Run("anchor child paying its parent's fee", func(t *testing.T) {
		e := newFeeEnv(t)
		e.fund(t, keys.AccountP2WPKH, 0, 50_000)
		anchor := newForeign(t, 330, 1)
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(wire.NewTxIn(&anchor.op, nil, nil))
		const parentMissing = 7_000
		done, fee, err := e.w.AddFeeInputs(FeeRequest{Tx: tx, PrevOuts: []*wire.TxOut{anchor.prev},
			ForeignWitnessWeight: anchor.witnessWeight(), Rate: feeTestRate, ExtraFeeSat: parentMissing})
		if err != nil {
			t.Fatal(err)
		}
		if len(done.TxIn) != 2 || len(done.TxOut) != 1 {
			t.Fatalf("got %d inputs and %d outputs, want anchor + coin and change", len(done.TxIn), len(done.TxOut))
		}
		e.changeOf(t, done, 0)
		prev := e.fetcher(anchor)
		done.TxIn[0].Witness = wire.TxWitness{anchor.sign(t, done, 0, 0, prev, txscript.SigHashAll), anchor.script}
		verifyAll(t, done, prev)
		checkFee(t, done, prev, fee, parentMissing)
	})
}

// An option_anchors HTLC transaction: the peer signed input 0 with
// SIGHASH_SINGLE|ANYONECANPAY before the wallet adds its coins and change;
// our own signature, SIGHASH_ALL, comes after. Both must verify.
func TestAddFeeInputsKeepsPeerSingleAnyoneCanPaySig(t *testing.T) {
	e := newFeeEnv(t)
	e.fund(t, keys.AccountP2WPKH, 0, 40_000)
	e.fund(t, keys.AccountP2WPKH, 1, 3_000)
	htlc := newForeign(t, 80_000, 2)
	tx := wire.NewMsgTx(2)
	tx.LockTime = 500
	in := wire.NewTxIn(&htlc.op, nil, nil)
	in.Sequence = 1 // the anchors CSV
	tx.AddTxIn(in)
	tx.AddTxOut(wire.NewTxOut(80_000, htlc.prev.PkScript)) // zero fee
	peerSig := htlc.sign(t, tx, 0, 0, e.fetcher(htlc), txscript.SigHashSingle|txscript.SigHashAnyOneCanPay)
	tx.TxIn[0].Witness = wire.TxWitness{nil, peerSig} // partial: the wallet must keep it

	done, fee, err := e.w.AddFeeInputs(FeeRequest{Tx: tx, PrevOuts: []*wire.TxOut{htlc.prev},
		ForeignWitnessWeight: htlc.witnessWeight(), Rate: feeTestRate})
	if err != nil {
		t.Fatal(err)
	}
	if len(done.TxIn) != 2 || len(done.TxOut) != 2 || done.TxOut[0].Value != 80_000 || done.TxIn[0].Sequence != 1 ||
		done.LockTime != 500 {
		t.Fatalf("the HTLC input/output pair or the lock time moved: %d in, %d out", len(done.TxIn), len(done.TxOut))
	}
	if !bytes.Equal(done.TxIn[0].Witness[1], peerSig) {
		t.Fatal("the caller's partial witness was not kept")
	}
	e.changeOf(t, done, 0)
	prev := e.fetcher(htlc)
	ourSig := htlc.sign(t, done, 0, 1, prev, txscript.SigHashAll)
	done.TxIn[0].Witness = wire.TxWitness{nil, peerSig, ourSig, htlc.script}
	verifyAll(t, done, prev)
	checkFee(t, done, prev, fee, 0)
}

// The spend is pending exactly like a SendCoins: its coins leave the
// balance, its change is unconfirmed, a later send cannot take the coins,
// and the sync that sees it mined settles it.
func TestAddFeeInputsPendingLikeSendCoins(t *testing.T) {
	e := newFeeEnv(t)
	e.fund(t, keys.AccountP2WPKH, 0, 60_000)
	e.fund(t, keys.AccountP2WPKH, 1, 25_000)
	f := newForeign(t, 330, 1)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&f.op, nil, nil))
	done, fee, err := e.w.AddFeeInputs(FeeRequest{Tx: tx, PrevOuts: []*wire.TxOut{f.prev},
		ForeignWitnessWeight: f.witnessWeight(), Rate: feeTestRate, ExtraFeeSat: 1_000})
	if err != nil {
		t.Fatal(err)
	}
	change := e.changeOf(t, done, 0).Value
	if got, want := e.balance(t), (Balance{ConfirmedSat: 25_000, UnconfirmedSat: change}); got != want {
		t.Fatalf("balance %+v, want %+v (the 60000 coin spent, change pending)", got, want)
	}
	if change != 60_000+330-fee {
		t.Fatalf("change %d, want 60000 + 330 - fee %d", change, fee)
	}
	hist, _ := e.w.ListTransactions()
	if len(hist) != 3 || hist[0].Txid != done.TxHash() || hist[0].Height != 0 || !hist[0].Sent ||
		hist[0].FeeSat != fee || hist[0].AmountSat != change-60_000 {
		t.Fatalf("newest record %+v, want the pending send: fee %d, amount %d", hist[0], fee, change-60_000)
	}
	// A send of more than the coin left is refused: the spent coin and the
	// unconfirmed change are not spendable.
	dest, _ := e.accts[keys.AccountP2WPKH].Address(Receive, 9)
	if _, err := e.w.SendCoins(context.Background(), SendRequest{Address: dest.String(), AmountSat: 30_000,
		FeeRate: feeTestRate}); !errors.Is(err, ErrInsufficientBalance) {
		t.Fatalf("a send took the pending coins: %v", err)
	}
	sent, err := e.w.SendCoins(context.Background(), SendRequest{Address: dest.String(), AmountSat: 10_000, FeeRate: feeTestRate})
	if err != nil {
		t.Fatal(err)
	}
	for _, in := range sent.Tx.TxIn {
		if in.PreviousOutPoint == done.TxIn[1].PreviousOutPoint {
			t.Fatal("SendCoins spent the coin AddFeeInputs took")
		}
	}
	// Mined: the change confirms, the record gets its height.
	prev := e.fetcher(f)
	done.TxIn[0].Witness = wire.TxWitness{f.sign(t, done, 0, 0, prev, txscript.SigHashAll), f.script}
	e.mine(t, done)
	if b := e.balance(t); b.ConfirmedSat != change || b.UnconfirmedSat != sent.Tx.TxOut[1].Value {
		t.Fatalf("after mining: %+v, want %d confirmed (the change) and SendCoins' change unconfirmed", b, change)
	}
	hist, _ = e.w.ListTransactions()
	for _, r := range hist {
		if r.Txid == done.TxHash() && (r.Height != e.fc.tip || r.FeeSat != fee) {
			t.Fatalf("mined record %+v, want height %d and fee %d", r, e.fc.tip, fee)
		}
	}
}

func TestAddFeeInputsInsufficient(t *testing.T) {
	e := newFeeEnv(t)
	e.fund(t, keys.AccountP2WPKH, 0, 2_000)
	f := newForeign(t, 10_000, 1)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&f.op, nil, nil))
	tx.AddTxOut(wire.NewTxOut(11_000, f.prev.PkScript))
	req := FeeRequest{Tx: tx, PrevOuts: []*wire.TxOut{f.prev}, ForeignWitnessWeight: f.witnessWeight(), Rate: feeTestRate}
	if _, _, err := e.w.AddFeeInputs(req); !errors.Is(err, ErrInsufficientBalance) {
		t.Fatalf("2000 sat for 1000 sat + fees: %v, want ErrInsufficientBalance", err)
	}
	// Leased coins are not taken either.
	e.fund(t, keys.AccountP2WPKH, 1, 100_000)
	funding := wire.NewTxOut(90_000, append([]byte{0x00, 0x20}, make([]byte, 32)...))
	if _, err := e.w.Fund([]*wire.TxOut{funding}, feeTestRate); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.w.AddFeeInputs(req); !errors.Is(err, ErrInsufficientBalance) {
		t.Fatalf("with the big coin leased: %v, want ErrInsufficientBalance", err)
	}
	if b := e.balance(t); b.ConfirmedSat != 2_000 || b.LockedSat != 100_000 || b.UnconfirmedSat != 0 {
		t.Fatalf("a refused request changed the balance: %+v", b)
	}
	if hist, _ := e.w.ListTransactions(); len(hist) != 2 {
		t.Fatalf("a refused request was recorded: %+v", hist)
	}
	bad := req
	bad.PrevOuts = nil
	if _, _, err := e.w.AddFeeInputs(bad); err == nil {
		t.Fatal("previous outputs missing, yet accepted")
	}
}

// A child whose parent lost its race never confirms: releasing it returns
// its coins and drops its change, and the coins can pay again.
func TestReleasePending(t *testing.T) {
	e := newFeeEnv(t)
	e.fund(t, keys.AccountP2WPKH, 0, 50_000)
	f := newForeign(t, 330, 1)
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(wire.NewTxIn(&f.op, nil, nil))
	req := FeeRequest{Tx: tx, PrevOuts: []*wire.TxOut{f.prev}, ForeignWitnessWeight: f.witnessWeight(),
		Rate: feeTestRate, ExtraFeeSat: 3_000}
	first, _, err := e.w.AddFeeInputs(req)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.w.AddFeeInputs(req); !errors.Is(err, ErrInsufficientBalance) {
		t.Fatalf("the only coin was taken twice: %v", err)
	}
	if err := e.w.ReleasePending(first.TxHash()); err != nil {
		t.Fatal(err)
	}
	if b := e.balance(t); b != (Balance{ConfirmedSat: 50_000}) {
		t.Fatalf("after release: %+v, want 50000 confirmed and nothing pending", b)
	}
	if hist, _ := e.w.ListTransactions(); len(hist) != 1 {
		t.Fatalf("the released send is still in the history: %+v", hist)
	}
	if err := e.w.ReleasePending(first.TxHash()); !errors.Is(err, ErrNotPending) {
		t.Fatalf("second release: %v, want ErrNotPending", err)
	}
	second, _, err := e.w.AddFeeInputs(req)
	if err != nil {
		t.Fatalf("the released coin cannot pay again: %v", err)
	}
	if second.TxIn[1].PreviousOutPoint != first.TxIn[1].PreviousOutPoint {
		t.Fatal("the retry did not spend the released coin")
	}
	// A mined send is not pending any more.
	prev := e.fetcher(f)
	second.TxIn[0].Witness = wire.TxWitness{f.sign(t, second, 0, 0, prev, txscript.SigHashAll), f.script}
	e.mine(t, second)
	if err := e.w.ReleasePending(second.TxHash()); !errors.Is(err, ErrNotPending) {
		t.Fatalf("releasing a mined send: %v, want ErrNotPending", err)
	}
	if b := e.balance(t); b.ConfirmedSat != second.TxOut[0].Value {
		t.Fatalf("after mining: %+v, want the change %d confirmed", b, second.TxOut[0].Value)
	}
}
