package wallet

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/keys"
	"lnwasm/node/store"
)

// fakeAccount makes distinct P2WPKH-shaped scripts from (branch, index).
type fakeAccount struct{}

func (fakeAccount) PkScript(b keys.Chain, i uint32) ([]byte, error) {
	h := sha256.Sum256(binary.BigEndian.AppendUint32(binary.BigEndian.AppendUint32(nil, uint32(b)), i))
	return append([]byte{0x00, 0x14}, h[:20]...), nil
}

func (fakeAccount) Kind() keys.AccountKind { return keys.AccountP2WPKH }

func (fakeAccount) RedeemScript(keys.Chain, uint32) ([]byte, error) { return nil, nil }

func (fakeAccount) PrivKey(keys.Chain, uint32) (*btcec.PrivateKey, error) {
	return btcec.NewPrivateKey()
}

func (a fakeAccount) Address(b keys.Chain, i uint32) (btcutil.Address, error) {
	s, _ := a.PkScript(b, i)
	return btcutil.NewAddressWitnessPubKeyHash(s[2:], &chaincfg.RegressionNetParams)
}

// fakeChain holds blocks of transactions and answers Rescan like the real
// backend: transactions paying a script or spending a listed outpoint.
type fakeChain struct {
	chain.Backend
	blocks map[uint32][]*wire.MsgTx
	tip    uint32
}

func (f *fakeChain) BestBlock() (chain.BlockStamp, error) {
	return chain.BlockStamp{Height: f.tip}, nil
}

func (f *fakeChain) Rescan(_ context.Context, req chain.RescanRequest) ([]chain.TxMatch, error) {
	ops := map[wire.OutPoint]bool{}
	for _, op := range req.OutPoints {
		ops[op] = true
	}
	var out []chain.TxMatch
	for h := req.From; h <= f.tip; h++ {
		for _, tx := range f.blocks[h] {
			hit := false
			for _, in := range tx.TxIn {
				hit = hit || ops[in.PreviousOutPoint]
			}
			for i, o := range tx.TxOut {
				for _, s := range req.Scripts {
					if bytes.Equal(o.PkScript, s) {
						hit = true
						ops[wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}] = true
					}
				}
			}
			if hit {
				out = append(out, chain.TxMatch{Tx: tx, BlockHeight: h})
			}
		}
	}
	return out, nil
}

func pay(script []byte, value int64, spends ...wire.OutPoint) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for _, op := range spends {
		tx.AddTxIn(wire.NewTxIn(&op, nil, nil))
	}
	if len(spends) == 0 {
		tx.AddTxIn(wire.NewTxIn(&wire.OutPoint{Index: uint32(value)}, nil, nil))
	}
	tx.AddTxOut(wire.NewTxOut(value, script))
	return tx
}

func TestSyncFindsPaymentsGrowsWindowAndRewinds(t *testing.T) {
	var acct fakeAccount
	fc := &fakeChain{blocks: map[uint32][]*wire.MsgTx{}}
	s := store.NewMemory()
	w, err := New(Config{Network: &chaincfg.RegressionNetParams, Store: s, Chain: fc, Account: acct, GapLimit: 20})
	if err != nil {
		t.Fatal(err)
	}
	a0, _ := w.NewAddress()
	a1, _ := w.NewAddress()
	if a0.String() == a1.String() {
		t.Fatal("NewAddress repeated itself")
	}
	s15, _ := acct.PkScript(Receive, 15)
	s30, _ := acct.PkScript(Receive, 30) // beyond the first window: found only after 15 is
	tx1, tx2 := pay(s15, 70_000), pay(s30, 30_000)
	fc.blocks[5], fc.blocks[6], fc.tip = []*wire.MsgTx{tx1}, []*wire.MsgTx{tx2}, 6
	if err := w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := w.Balance(); b.ConfirmedSat != 100_000 {
		t.Fatalf("balance %d, want 100000 (window growth must find index 30)", b.ConfirmedSat)
	}
	if next, _ := w.NewAddress(); next.String() == a1.String() {
		t.Fatal("used indices were handed out again")
	}
	// A spend of the first output.
	change, _ := acct.PkScript(Change, 0)
	spend := pay(change, 60_000, wire.OutPoint{Hash: tx1.TxHash()})
	fc.blocks[7], fc.tip = []*wire.MsgTx{spend}, 7
	if err := w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := w.Balance(); b.ConfirmedSat != 90_000 {
		t.Fatalf("after the spend: %d, want 90000", b.ConfirmedSat)
	}
	hist, err := w.ListTransactions()
	if err != nil || len(hist) != 3 {
		t.Fatalf("history: %+v %v, want 3 records", hist, err)
	}
	if top := hist[0]; top.Txid != spend.TxHash() || top.Height != 7 || top.AmountSat != -10_000 || top.FeeSat != 10_000 {
		t.Errorf("newest record %+v, want the spend at 7: -10000 with a 10000 fee", top)
	}
	if hist[2].AmountSat != 70_000 || hist[2].Height != 5 {
		t.Errorf("oldest record %+v, want +70000 at 5", hist[2])
	}
	// A reorg that takes block 7 away restores the spent output.
	if err := w.rewind(7); err != nil {
		t.Fatal(err)
	}
	if b, _ := w.Balance(); b.ConfirmedSat != 100_000 {
		t.Fatalf("after the rewind: %d, want 100000", b.ConfirmedSat)
	}
	// A restart over the same store resumes: nothing is counted twice.
	w2, _ := New(Config{Network: &chaincfg.RegressionNetParams, Store: s, Chain: fc, Account: acct})
	if err := w2.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	if b, _ := w2.Balance(); b.ConfirmedSat != 90_000 {
		t.Fatalf("after resync: %d, want 90000", b.ConfirmedSat)
	}
}

func TestLeaseReservesCoins(t *testing.T) {
	var acct fakeAccount
	fc := &fakeChain{blocks: map[uint32][]*wire.MsgTx{}}
	w, err := New(Config{Network: &chaincfg.RegressionNetParams, Store: store.NewMemory(), Chain: fc, Account: acct})
	if err != nil {
		t.Fatal(err)
	}
	s0, _ := acct.PkScript(Receive, 0)
	fc.blocks[3], fc.tip = []*wire.MsgTx{pay(s0, 500_000)}, 3
	if err := w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
	funding := wire.NewTxOut(200_000, append([]byte{0x00, 0x20}, make([]byte, 32)...))
	lease, err := w.Fund([]*wire.TxOut{funding}, chain.FeeRateFromSatPerVByte(2))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := w.Balance(); b.ConfirmedSat != 0 || b.LockedSat != 500_000 {
		t.Fatalf("while leased: %+v, want all 500000 locked", b)
	}
	dest, _ := acct.Address(Receive, 7)
	if _, err := w.SendCoins(context.Background(), SendRequest{Address: dest.String(), AmountSat: 10_000,
		FeeRate: chain.FeeRateFromSatPerVByte(2)}); !errors.Is(err, ErrInsufficientBalance) {
		t.Fatalf("a send could spend leased coins: %v", err)
	}
	if _, err := w.Fund([]*wire.TxOut{funding}, chain.FeeRateFromSatPerVByte(2)); !errors.Is(err, ErrInsufficientBalance) {
		t.Fatalf("a second funding could take the same coins: %v", err)
	}
	// A reload keeps the lease.
	again, _ := New(Config{Network: &chaincfg.RegressionNetParams, Store: w.cfg.Store, Chain: fc, Account: acct})
	if ids, _ := again.Leases(); len(ids) != 1 || ids[0] != lease.ID {
		t.Fatalf("leases after reload: %v", ids)
	}
	if err := again.Release(lease.ID); err != nil {
		t.Fatal(err)
	}
	if b, _ := again.Balance(); b.ConfirmedSat != 500_000 || b.LockedSat != 0 {
		t.Fatalf("after release: %+v", b)
	}
	if err := again.Release(lease.ID); !errors.Is(err, ErrUnknownLease) {
		t.Fatalf("second release: %v", err)
	}
}
