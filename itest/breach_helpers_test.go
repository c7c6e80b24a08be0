package itest

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node"
	"lnwasm/node/channel"
	"lnwasm/server/devnet"
)

// openTo opens our channel to l with push and mines it active on both
// sides.
func openTo(t testing.TB, d *devnet.Devnet, backend *chain.Neutrino, n *node.Node, l *devnet.Lnd, sat, push int64, typ string) string {
	t.Helper()
	return openToAt(t, d, backend, n, l, l.P2PAddr, sat, push, typ)
}

// openToAt is openTo with lnd reached at addr (a proxy in front of it).
func openToAt(t testing.TB, d *devnet.Devnet, backend *chain.Neutrino, n *node.Node, l *devnet.Lnd, addr string, sat, push int64, typ string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := n.Connect(ctx, l.Pubkey, addr); err != nil {
		t.Fatal(err)
	}
	op, err := n.OpenChannel(ctx, node.OpenChannelRequest{NodePubkey: l.Pubkey, LocalFundingSat: sat,
		PushSat: push, Private: true, CommitmentType: typ})
	if err != nil {
		t.Fatalf("open channel to %s: %v", l.Alias, err)
	}
	point := op.String()
	mineWait(t, d, backend, 3)
	waitFor(t, 90*time.Second, "both sides report the channel active", func() (bool, string) {
		ours, lc := ourChannel(n, point), lndChannelOf(l, point)
		if ours == nil || lc == nil {
			return false, fmt.Sprintf("ours=%v lnd=%v", ours, lc)
		}
		return ours.Phase == channel.PhaseNormal && lc.Active, fmt.Sprintf("ours=%s lnd active=%v", ours.Phase, lc.Active)
	})
	return point
}

// lndPaysUs has l pay an invoice of ours for sat, retrying what lnd says
// while a new private channel's link is not yet eligible: NO_ROUTE, or
// (seen under CI load) INSUFFICIENT_BALANCE with no HTLC sent.
func lndPaysUs(t testing.TB, n *node.Node, l *devnet.Lnd, sat int64) {
	t.Helper()
	rec, err := n.AddInvoice(node.AddInvoiceRequest{ValueMsat: uint64(sat) * 1000, Memo: "from " + l.Alias})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 90*time.Second, l.Alias+" pays our invoice", func() (bool, string) {
		st, why := lndPays(t, l, rec.PaymentRequest)
		if st != "SUCCEEDED" && why != "FAILURE_REASON_NO_ROUTE" && why != "FAILURE_REASON_INSUFFICIENT_BALANCE" {
			t.Fatalf("%s's payment %s: %s", l.Alias, st, why)
		}
		return st == "SUCCEEDED", why
	})
}

// playgroundWithLnd starts the playground and one more lnd, alias, whose
// wallet the faucet gives sat.
func playgroundWithLnd(t *testing.T, alias string, sat int64) (*devnet.Devnet, *slog.Logger, *devnet.Lnd) {
	t.Helper()
	d, log := startPlayground(t)
	bin, err := devnet.EnsureLnd(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	l, err := d.StartLnd(context.Background(), alias, bin, sat)
	if err != nil {
		t.Fatal(err)
	}
	return d, log, l
}

// holdInvoice has l issue a hold invoice for sat with a hash of ours, so
// an HTLC paying it stays in flight until l settles or cancels it.
func holdInvoice(t testing.TB, l *devnet.Lnd, sat int64) (req, hash string) {
	t.Helper()
	var h chainhash.Hash
	h[0], h[1] = byte(sat), byte(time.Now().UnixNano())
	hash = fmt.Sprintf("%x", h[:])
	var inv struct {
		Req string `json:"payment_request"`
	}
	if err := l.CLI(context.Background(), &inv, "addholdinvoice", hash, "--amt", strconv.FormatInt(sat, 10)); err != nil {
		t.Fatal(err)
	}
	return inv.Req, hash
}

// waitInvoiceState waits until l's invoice hash is in state.
func waitInvoiceState(t testing.TB, l *devnet.Lnd, hash, state string) {
	t.Helper()
	waitFor(t, 60*time.Second, "invoice "+state, func() (bool, string) {
		var inv struct {
			State string `json:"state"`
		}
		err := l.CLI(context.Background(), &inv, "lookupinvoice", hash)
		return err == nil && inv.State == state, fmt.Sprintf("%s %v", inv.State, err)
	})
}

// lndForceCloses has l broadcast its commitment and waits until btcd's
// mempool holds it; it returns the commitment's txid.
func lndForceCloses(t testing.TB, d *devnet.Devnet, l *devnet.Lnd, point string) chainhash.Hash {
	t.Helper()
	op, err := wire.NewOutPointFromString(point)
	if err != nil {
		t.Fatal(err)
	}
	err = l.CLI(context.Background(), nil, "closechannel", "--force", "--funding_txid", op.Hash.String(),
		"--output_index", strconv.Itoa(int(op.Index)), "--block=false")
	if err != nil {
		t.Fatalf("%s force closes: %v", l.Alias, err)
	}
	var commit chainhash.Hash
	waitFor(t, 30*time.Second, "lnd's commitment reaches btcd", func() (bool, string) {
		pool, _ := d.Btcd.RPC().GetRawMempool()
		for _, h := range pool {
			tx, err := d.Btcd.RPC().GetRawTransaction(h)
			if err == nil && len(tx.MsgTx().TxIn) == 1 && tx.MsgTx().TxIn[0].PreviousOutPoint == *op {
				commit = *h
				return true, ""
			}
		}
		return false, fmt.Sprint(pool)
	})
	return commit
}

// spenderInMempool finds a mempool transaction spending an output of txid.
func spenderInMempool(d *devnet.Devnet, txid chainhash.Hash) *wire.MsgTx {
	return mempoolSpender(d, func(op wire.OutPoint) bool { return op.Hash == txid })
}

// mempoolSpender finds a mempool transaction with an input whose outpoint
// spends says it wants.
func mempoolSpender(d *devnet.Devnet, spends func(wire.OutPoint) bool) *wire.MsgTx {
	pool, _ := d.Btcd.RPC().GetRawMempool()
	for _, h := range pool {
		tx, err := d.Btcd.RPC().GetRawTransaction(h)
		if err != nil {
			continue
		}
		for _, in := range tx.MsgTx().TxIn {
			if spends(in.PreviousOutPoint) {
				return tx.MsgTx()
			}
		}
	}
	return nil
}
