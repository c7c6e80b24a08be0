package itest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/server/devnet"
)

// TestNativeBreachWhileOffline: our node is closed (a tab closed) while
// lnd, restored to a state with an HTLC it can settle, broadcasts that
// revoked commitment and confirms its HTLC-success second-level
// transaction. When our node opens again it finds the breach, loses the
// HTLC output to that race, and takes the second-level output with the
// revocation key along with the rest: everything but fees.
func TestNativeBreachWhileOffline(t *testing.T) {
	t.Parallel()
	d, log, cheat := playgroundWithLnd(t, "cheat", 200_000)
	k := newKnobNode(t, d, log)
	k.fund(1_500_000)
	point := openTo(t, d, k.backend, k.n, cheat, 1_000_000, 500_000, "anchors")

	// The state lnd will go back to: our 50,000 sat HTLC to its hold
	// invoice in flight.
	st := revokedWithHTLC(t, k.n, cheat, point)
	before, _ := k.n.WalletBalance()

	// Our node closes; lnd cheats with the HTLC it can now settle.
	if err := k.n.LockWallet(); err != nil {
		t.Fatal(err)
	}
	if err := k.backend.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := cheat.Restore(context.Background(), st.snap); err != nil {
		t.Fatal(err)
	}
	if err := cheat.CLI(context.Background(), nil, "settleinvoice", fmt.Sprintf("%x", st.preimage)); err != nil {
		t.Fatal(err)
	}
	commit := lndForceCloses(t, d, cheat, point)
	if _, err := d.Btcd.Mine(1); err != nil {
		t.Fatal(err)
	}
	htlc := outputWorth(t, d, commit, 50_000)
	var second *wire.MsgTx
	for i := 0; i < 12 && second == nil; i++ {
		deadline := time.Now().Add(3 * time.Second)
		for second == nil && time.Now().Before(deadline) {
			second = spenderOf(d, htlc)
			time.Sleep(200 * time.Millisecond)
		}
		if second == nil {
			_, _ = d.Btcd.Mine(1)
		}
	}
	if second == nil {
		t.Fatal("lnd never spent the HTLC output of its revoked commitment")
	}
	if _, err := d.Btcd.Mine(1); err != nil {
		t.Fatal(err)
	}
	t.Logf("lnd's HTLC-success %s (%d inputs) confirmed while we were away", second.TxHash(), len(second.TxIn))

	k.start()
	waitFor(t, 90*time.Second, "our justice on lnd's second-level output in the mempool", func() (bool, string) {
		_, claims, _ := k.n.Claims(point)
		for _, c := range claims {
			if c.What == "second_level" && c.SweepTxid != "" && inMempool(d, c.SweepTxid) {
				return true, ""
			}
		}
		return false, fmt.Sprintf("%+v", claims)
	})
	mineWait(t, d, k.backend, 1)
	c := waitResolved(t, k.n, point, "BREACH_CLOSE", before.ConfirmedSat)
	commitTx, err := d.Btcd.RPC().GetRawTransaction(&commit)
	if err != nil {
		t.Fatal(err)
	}
	var outs int64
	for _, o := range commitTx.MsgTx().TxOut {
		outs += o.Value
	}
	lost := outs - 2*330 - c.CloseLocalSat
	t.Logf("revoked commitment paid %d sat in outputs; we swept %d (fees %d)", outs, c.CloseLocalSat, lost)
	if lost < 0 || lost > 3_000 {
		t.Errorf("swept %d of the commitment's %d sat", c.CloseLocalSat, outs)
	}
}

// outputWorth is the outpoint of txid's output worth sat.
func outputWorth(t testing.TB, d *devnet.Devnet, txid chainhash.Hash, sat int64) wire.OutPoint {
	t.Helper()
	tx, err := d.Btcd.RPC().GetRawTransaction(&txid)
	if err != nil {
		t.Fatal(err)
	}
	for i, o := range tx.MsgTx().TxOut {
		if o.Value == sat {
			return wire.OutPoint{Hash: txid, Index: uint32(i)}
		}
	}
	t.Fatalf("%s has no %d sat output", txid, sat)
	return wire.OutPoint{}
}

// spenderOf finds a mempool transaction spending op.
func spenderOf(d *devnet.Devnet, op wire.OutPoint) *wire.MsgTx {
	return mempoolSpender(d, func(in wire.OutPoint) bool { return in == op })
}
