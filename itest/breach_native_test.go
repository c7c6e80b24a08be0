package itest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"lnwasm/node/channel"
)

// TestNativeBreach: lnd ("cheat") is restored to a copy of its database
// taken when it held 500,000 sat of our channel and our 50,000 sat HTLC
// was in flight; it then holds 200,000 sat and no HTLC, and broadcasts
// the revoked commitment. Our justice transaction takes every output
// (to_local with the revocation key, the HTLC, our to_remote) and our
// wallet receives the whole capacity minus the two fees.
func TestNativeBreach(t *testing.T) {
	t.Parallel()
	d, log, cheat := playgroundWithLnd(t, "cheat", 100_000)
	n, backend := nativeNode(t, d, log, 1_500_000)
	const capacity = 1_000_000
	point := openTo(t, d, backend, n, cheat, capacity, 500_000, "anchors")

	// The state lnd will go back to: 500,000 sat its, our HTLC in flight;
	// then the HTLC fails back and lnd pays us 300,000 sat.
	st := revokedWithHTLC(t, n, cheat, point)
	if err := <-st.payDone; err == nil {
		t.Fatal("the held payment succeeded after lnd canceled it")
	}
	before, _ := n.WalletBalance()

	// The breach.
	if err := cheat.Restore(context.Background(), st.snap); err != nil {
		t.Fatal(err)
	}
	commit := lndForceCloses(t, d, cheat, point)
	mineWait(t, d, backend, 1)
	mined := time.Now()
	blocks := 0
	waitFor(t, 90*time.Second, "our justice transaction in btcd's mempool", func() (bool, string) {
		if spenderInMempool(d, commit) != nil {
			return true, ""
		}
		if time.Since(mined) > time.Duration(blocks+1)*20*time.Second {
			mineWait(t, d, backend, 1)
			blocks++
		}
		return false, fmt.Sprintf("%+v", ourChannel(n, point))
	})
	t.Logf("justice tx in the mempool %v after the revoked commitment was mined (%d more blocks)", time.Since(mined).Round(time.Millisecond), blocks)
	justice := spenderInMempool(d, commit)
	if len(justice.TxIn) != 3 {
		t.Errorf("justice tx spends %d outputs, want 3 (to_local, to_remote, the HTLC)", len(justice.TxIn))
	}
	mineWait(t, d, backend, 1)
	var c *channel.Info
	waitFor(t, 60*time.Second, "the channel closed as a breach, the wallet credited", func() (bool, string) {
		c = ourChannel(n, point)
		b, _ := n.WalletBalance()
		return c.Phase == channel.PhaseClosed && b.ConfirmedSat == before.ConfirmedSat+c.CloseLocalSat,
			fmt.Sprintf("%s %s got %d, wallet %+v (before %d)", c.Phase, c.CloseKind, c.CloseLocalSat, b, before.ConfirmedSat)
	})
	// Everything but the commitment's fee, its two anchors and the
	// justice transaction's fee.
	commitTx, err := d.Btcd.RPC().GetRawTransaction(&commit)
	if err != nil {
		t.Fatal(err)
	}
	var outs int64
	for _, o := range commitTx.MsgTx().TxOut {
		outs += o.Value
	}
	justiceFee := outs - 2*330 - c.CloseLocalSat
	if c.CloseKind != "BREACH_CLOSE" || justiceFee < 0 || justiceFee > 2_000 {
		t.Errorf("closed %s, swept %d of the commitment's %d sat (justice fee %d)", c.CloseKind, c.CloseLocalSat, outs, justiceFee)
	}
	t.Logf("revoked commitment paid %d sat in outputs; we swept %d (justice fee %d sat)", outs, c.CloseLocalSat, justiceFee)
}
