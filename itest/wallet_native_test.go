package itest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/chain/kvdb"
	"lnwasm/node/keys"
	"lnwasm/node/store"
	"lnwasm/node/wallet"
	"lnwasm/server/devnet"
)

// TestNativeWalletWithLnd: lnd pays our address; one block later our
// balance is exactly that; we pay lnd back at the rate we ask; bad requests
// broadcast nothing.
func TestNativeWalletWithLnd(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, log := startPlayground(t)
	backend, w := nativeWallet(t, d, log)
	addr, err := w.NewAddress()
	if err != nil {
		t.Fatal(err)
	}
	start := hubBalance(t, d)
	if err := d.Hub.CLI(ctx, nil, "sendcoins", "--addr", addr.String(), "--amt", "100000"); err != nil {
		t.Fatal(err)
	}
	mineAndSync(t, d, backend, w)
	if b, _ := w.Balance(); b.ConfirmedSat != 100_000 {
		t.Fatalf("after one block our balance is %d, want exactly 100000", b.ConfirmedSat)
	}

	badSends(t, w, d)

	back := lndAddress(t, d)
	res, err := w.SendCoins(ctx, wallet.SendRequest{Address: back, AmountSat: 40_000, FeeRate: chain.FeeRateFromSatPerVByte(5)})
	if err != nil {
		t.Fatalf("send to lnd: %v", err)
	}
	vsize := (blockchain.GetTransactionWeight(btcutil.NewTx(res.Tx)) + 3) / 4
	paid := float64(res.FeeSat) / float64(vsize)
	if paid < 4 || paid > 6 {
		t.Errorf("fee %d sat over %d vB is %.2f sat/vB, want within 1 of 5", res.FeeSat, vsize, paid)
	}
	// Stuck at 5 sat/vB? Bump it to 12 (BIP125): btcd swaps it in.
	first := res.Tx.TxHash()
	res, err = w.BumpFee(ctx, first, chain.FeeRateFromSatPerVByte(12))
	if err != nil {
		t.Fatalf("bump fee: %v", err)
	}
	pool, err := d.Btcd.RPC().GetRawMempool()
	if err != nil || len(pool) != 1 || *pool[0] != res.Tx.TxHash() {
		t.Fatalf("mempool after the bump: %v %v, want only %s", pool, err, res.Tx.TxHash())
	}
	if paid := float64(res.FeeSat) / float64(vsize); paid < 11 || paid > 13 {
		t.Errorf("bumped fee is %.2f sat/vB, want within 1 of 12", paid)
	}
	if _, err := w.BumpFee(ctx, first, chain.FeeRateFromSatPerVByte(20)); !errors.Is(err, wallet.ErrCannotBump) {
		t.Errorf("bumping the replaced tx: %v, want ErrCannotBump", err)
	}
	if b, _ := w.Balance(); b.ConfirmedSat != 0 || b.UnconfirmedSat != 100_000-40_000-res.FeeSat {
		t.Errorf("before the block: %+v, want change %d unconfirmed", b, 100_000-40_000-res.FeeSat)
	}
	mineAndSync(t, d, backend, w)
	if b, _ := w.Balance(); b.ConfirmedSat != 100_000-40_000-res.FeeSat || b.UnconfirmedSat != 0 {
		t.Errorf("after the block: %+v, want %d confirmed", b, 100_000-40_000-res.FeeSat)
	}
	waitFor(t, 60*time.Second, "lnd sees our payment", func() (bool, string) {
		got := hubBalance(t, d)
		// What it had, minus the 100000 it sent us and its fee, plus 40000.
		return got > start-100_000-10_000+40_000 && got < start-100_000+40_000, fmt.Sprint(got)
	})
	fundThroughLease(t, d, backend, w)
	spendEveryKind(t, d, backend, w)
}

// fundThroughLease: the channel funding path. Fund reserves coins and
// returns a PSBT for a P2WSH output; SignLease signs it; PublishLease
// broadcasts it, and btcd accepts it.
func fundThroughLease(t *testing.T, d *devnet.Devnet, backend *chain.Neutrino, w *wallet.Wallet) {
	before, _ := w.Balance()
	p2wsh := append([]byte{0x00, 0x20}, bytes.Repeat([]byte{7}, 32)...)
	lease, err := w.Fund([]*wire.TxOut{wire.NewTxOut(20_000, p2wsh)}, chain.FeeRateFromSatPerVByte(2))
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := w.Balance(); b.LockedSat != before.ConfirmedSat {
		t.Fatalf("while the lease is open: %+v, want %d locked", b, before.ConfirmedSat)
	}
	if err := w.SignLease(lease.ID, lease.Packet); err != nil {
		t.Fatal(err)
	}
	tx, err := psbt.Extract(lease.Packet)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.PublishLease(lease.ID, tx); err != nil {
		t.Fatal(err)
	}
	pool, _ := d.Btcd.RPC().GetRawMempool()
	if len(pool) != 1 || *pool[0] != tx.TxHash() {
		t.Fatalf("btcd's mempool %v, want the funding tx %s", pool, tx.TxHash())
	}
	mineAndSync(t, d, backend, w)
	if b, _ := w.Balance(); b.ConfirmedSat != before.ConfirmedSat-20_000-lease.FeeSat || b.LockedSat != 0 {
		t.Fatalf("after the funding confirmed: %+v, want %d", b, before.ConfirmedSat-20_000-lease.FeeSat)
	}
}

// spendEveryKind: lnd pays our taproot (BIP86) and nested-segwit (BIP49)
// addresses; a send-all spends those with our P2WPKH change in one
// transaction that btcd accepts, which proves all three signers.
func spendEveryKind(t *testing.T, d *devnet.Devnet, backend *chain.Neutrino, w *wallet.Wallet) {
	ctx := context.Background()
	before, _ := w.Balance()
	for _, kind := range []keys.AccountKind{keys.AccountP2TR, keys.AccountNP2WPKH} {
		a, err := w.NewAddressOf(kind)
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Hub.CLI(ctx, nil, "sendcoins", "--addr", a.String(), "--amt", "30000"); err != nil {
			t.Fatalf("lnd pays our %s address %s: %v", kind, a, err)
		}
	}
	mineAndSync(t, d, backend, w)
	if b, _ := w.Balance(); b.ConfirmedSat != before.ConfirmedSat+60_000 {
		t.Fatalf("after the p2tr and np2wkh payments: %+v, want %d", b, before.ConfirmedSat+60_000)
	}
	res, err := w.SendCoins(ctx, wallet.SendRequest{Address: lndAddress(t, d), SendAll: true, FeeRate: chain.FeeRateFromSatPerVByte(2)})
	if err != nil {
		t.Fatalf("send all: %v", err)
	}
	if n := len(res.Tx.TxIn); n != 3 {
		t.Fatalf("send-all spent %d inputs, want 3 (p2wkh, p2tr, np2wkh)", n)
	}
	mineAndSync(t, d, backend, w)
	if b, _ := w.Balance(); b.ConfirmedSat != 0 || b.UnconfirmedSat != 0 {
		t.Fatalf("after send-all: %+v, want nothing left", b)
	}
}

func hubBalance(t *testing.T, d *devnet.Devnet) int64 {
	var bal struct {
		Confirmed string `json:"confirmed_balance"`
	}
	if err := d.Hub.CLI(context.Background(), &bal, "walletbalance"); err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.ParseInt(bal.Confirmed, 10, 64)
	return n
}

func lndAddress(t *testing.T, d *devnet.Devnet) string {
	var a struct {
		Address string `json:"address"`
	}
	if err := d.Hub.CLI(context.Background(), &a, "newaddress", "p2wkh"); err != nil {
		t.Fatal(err)
	}
	return a.Address
}

// nativeBackend is our neutrino backend on the playground's btcd, over
// direct TCP, stopped when the test ends.
func nativeBackend(t testing.TB, d *devnet.Devnet, log *slog.Logger) *chain.Neutrino {
	t.Helper()
	db, _ := kvdb.Open(kvdb.NewMemJournal())
	var dialer net.Dialer
	backend, err := chain.NewNeutrino(chain.NeutrinoConfig{Params: &chaincfg.RegressionNetParams,
		DataDir: t.TempDir(), DB: db, Peers: []string{d.ChainPeer()}, Dial: dialer.DialContext, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := backend.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = backend.Stop() })
	return backend
}

func nativeWallet(t *testing.T, d *devnet.Devnet, log *slog.Logger) (*chain.Neutrino, *wallet.Wallet) {
	backend := nativeBackend(t, d, log)
	e, _ := keys.NewEntropy()
	seed, _ := keys.SeedFromEntropy(e)
	ring, _ := keys.NewRing(seed, &chaincfg.RegressionNetParams)
	acct, err := ring.Account(keys.AccountP2WPKH, 0)
	if err != nil {
		t.Fatal(err)
	}
	tr, _ := ring.Account(keys.AccountP2TR, 0)
	np, _ := ring.Account(keys.AccountNP2WPKH, 0)
	tip, _ := d.Btcd.Height()
	w, err := wallet.New(wallet.Config{Network: &chaincfg.RegressionNetParams, Store: store.NewMemory(),
		Chain: backend, Account: acct, Extra: []wallet.Account{tr, np}, Birthday: uint32(tip), Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	return backend, w
}

// mineAndSync mines a block and syncs the wallet once the backend has it.
func mineAndSync(t *testing.T, d *devnet.Devnet, backend *chain.Neutrino, w *wallet.Wallet) {
	if _, err := d.Btcd.Mine(1); err != nil {
		t.Fatal(err)
	}
	want, _ := d.Btcd.Height()
	waitFor(t, 60*time.Second, "backend at the new block", func() (bool, string) {
		b, err := backend.BestBlock()
		return err == nil && int64(b.Height) == want, fmt.Sprintf("%d", b.Height)
	})
	if err := w.Sync(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// badSends: each refused with its error, and nothing reaches btcd.
func badSends(t *testing.T, w *wallet.Wallet, d *devnet.Devnet) {
	ctx := context.Background()
	rate := chain.FeeRateFromSatPerVByte(2)
	for _, tc := range []struct {
		req  wallet.SendRequest
		want error
	}{
		{wallet.SendRequest{Address: "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4", AmountSat: 1000, FeeRate: rate}, wallet.ErrWrongNetwork},
		{wallet.SendRequest{Address: "not-an-address", AmountSat: 1000, FeeRate: rate}, wallet.ErrInvalidAddress},
		{wallet.SendRequest{Address: lndAddress(t, d), AmountSat: 1_000_000, FeeRate: rate}, wallet.ErrInsufficientBalance},
		{wallet.SendRequest{Address: lndAddress(t, d), AmountSat: 100, FeeRate: rate}, wallet.ErrDust},
	} {
		if _, err := w.SendCoins(ctx, tc.req); !errors.Is(err, tc.want) {
			t.Errorf("send %+v: %v, want %v", tc.req, err, tc.want)
		}
	}
	pool, err := d.Btcd.RPC().GetRawMempool()
	if err != nil || len(pool) != 0 {
		t.Errorf("after refused sends btcd's mempool holds %d transactions (%v)", len(pool), err)
	}
	if b, _ := w.Balance(); b.ConfirmedSat != 100_000 {
		t.Errorf("refused sends changed the balance: %+v", b)
	}
}
