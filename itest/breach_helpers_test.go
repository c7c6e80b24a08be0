package itest

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
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
	// Registered after the playground's cleanup, so it runs first, while
	// lnd's output is still on disk: a failure under load is otherwise
	// hard to explain afterwards. lnd's own log has the link and close
	// decisions; its stdout only start-up noise.
	t.Cleanup(func() {
		if t.Failed() {
			logTail(t, filepath.Join(l.Dir, "logs", "bitcoin", "regtest", "lnd.log"), 80)
		}
	})
	return d, log, l
}

// logTail logs the last n lines of a file.
func logTail(t *testing.T, path string, n int) {
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Logf("%s: %v", path, err)
		return
	}
	lines := strings.Split(strings.TrimRight(string(raw), "\n"), "\n")
	t.Logf("last %d lines of %s:\n%s", min(n, len(lines)), path, strings.Join(lines[max(0, len(lines)-n):], "\n"))
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

// revoked is a state of lnd's taken while our HTLC was in flight, and
// since revoked.
type revoked struct {
	snap     string     // lnd's database then, for devnet.Lnd.Restore
	preimage [32]byte   // of the HTLC's hold invoice, for a cheat to settle
	payDone  chan error // the payment's end: lnd canceled the invoice
}

// revokedWithHTLC pays a 50,000 sat hold invoice of l, snapshots l's
// database while the HTLC is accepted, has l cancel it and pay us 300,000
// sat, and waits until our channel holds no HTLC and 790,000+ sat: the
// snapshot is then a revoked commitment with an HTLC on it.
func revokedWithHTLC(t *testing.T, n *node.Node, l *devnet.Lnd, point string) *revoked {
	t.Helper()
	req, pre, hash := heldInvoice(t, l, 50_000)
	st := &revoked{snap: filepath.Join(t.TempDir(), l.Alias+"-snapshot"), preimage: pre, payDone: make(chan error, 1)}
	go func() {
		_, err := n.SendPayment(context.Background(), node.SendPaymentRequest{PaymentRequest: req, Timeout: 120 * time.Second})
		st.payDone <- err
	}()
	hexHash := fmt.Sprintf("%x", hash)
	waitInvoiceState(t, l, hexHash, "ACCEPTED")
	if err := l.Snapshot(context.Background(), st.snap); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the channel is active again", func() (bool, string) {
		lc := lndChannelOf(l, point)
		return lc != nil && lc.Active, fmt.Sprintf("%+v", lc)
	})
	if err := l.CLI(context.Background(), nil, "cancelinvoice", hexHash); err != nil {
		t.Fatal(err)
	}
	lndPaysUs(t, n, l, 300_000)
	waitFor(t, 30*time.Second, "no HTLC left and our balance at 800,000 sat", func() (bool, string) {
		c := ourChannel(n, point)
		return c.NumHTLCs == 0 && c.LocalMsat/1000 > 790_000, fmt.Sprintf("%+v", c)
	})
	return st
}
