package itest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node"
	"lnwasm/node/invoice"
	"lnwasm/node/pay"
	"lnwasm/server/devnet"
)

// TestNativeForceCloseHTLCs (anchors channels, lnd 0.18.3): we force
// close with HTLCs in flight both ways, our commitment bumped by CPFP, and
// reload at every kind of persisted step; then lnd force closes with an
// HTLC to us whose payment completes after the close, and we claim it
// on-chain with the preimage.
func TestNativeForceCloseHTLCs(t *testing.T) {
	t.Parallel()
	d, log, peer := playgroundWithLnd(t, "peer", 100_000)
	k := newKnobNode(t, d, log)
	k.fund(3_000_000)
	pointB := weForceCloseWithHTLCs(t, k, peer)
	lndForceClosesOnOurHTLC(t, k, peer, pointB)
}

// weForceCloseWithHTLCs: channel A carries two HTLCs we offered to lnd
// hold invoices and one part of a payment to us; we force close A at a fee
// estimate above its commitment's rate, the payment completes over channel
// B, lnd settles one hold invoice on-chain, the other times out. It
// returns B's channel point.
func weForceCloseWithHTLCs(t *testing.T, k *knobNode, peer *devnet.Lnd) string {
	d := k.d
	pointA := openTo(t, d, k.backend, k.n, peer, 1_000_000, 300_000, "anchors")
	req1, pre1, hash1 := heldInvoice(t, peer, 20_000)
	req2, _, hash2 := heldInvoice(t, peer, 30_000)
	for _, p := range []struct {
		req  string
		hash [32]byte
	}{{req1, hash1}, {req2, hash2}} {
		n := k.n
		go func() {
			_, _ = n.SendPayment(context.Background(), node.SendPaymentRequest{PaymentRequest: p.req, Timeout: 30 * time.Minute})
		}()
		waitInvoiceState(t, peer, fmt.Sprintf("%x", p.hash), "ACCEPTED")
	}
	pointB := openTo(t, d, k.backend, k.n, peer, 400_000, 200_000, "anchors")
	rec, err := k.n.AddInvoice(node.AddInvoiceRequest{ValueMsat: 40_000_000, Memo: "two parts"})
	if err != nil {
		t.Fatal(err)
	}
	part1 := lndSendsPart(t, peer, k.n.IdentityPubkey(), ourChannel(k.n, pointA).SCID, rec, 25_000)
	waitFor(t, 40*time.Second, "channel A holds 2 HTLCs out and a part in", func() (bool, string) {
		c := ourChannel(k.n, pointA)
		return c.NumHTLCs == 3, fmt.Sprintf("%d HTLCs", c.NumHTLCs)
	})

	// The fee estimate rises above the commitment's rate: CPFP.
	k.fees.v.Store(2_000)
	local := int64(ourChannel(k.n, pointA).LocalMsat / 1000)
	before, _ := k.n.WalletBalance()
	txid, err := k.n.CloseChannel(context.Background(), pointA, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	commit, _ := chainhash.NewHashFromStr(txid)
	var child string
	waitFor(t, 30*time.Second, "our commitment and a CPFP child in btcd's mempool", func() (bool, string) {
		if tx := spenderInMempool(d, *commit); tx != nil && inMempool(d, txid) {
			child = tx.TxHash().String()
			return true, ""
		}
		pool, _ := d.Btcd.RPC().GetRawMempool()
		return false, fmt.Sprint(pool)
	})
	rate, weight := packageRate(t, d, txid, child)
	t.Logf("commitment + CPFP child: %.0f sat/kw over %d WU (estimate 2000)", rate, weight)
	if rate < 1_990 {
		t.Errorf("package pays %.0f sat/kw, want the estimate's 2000", rate)
	}

	// The last part arrives over channel B: the invoice settles, and the
	// part on A can only be claimed on-chain.
	part2 := lndSendsPart(t, peer, k.n.IdentityPubkey(), ourChannel(k.n, pointB).SCID, rec, 15_000)
	waitFor(t, 40*time.Second, "our invoice settled by its two parts", func() (bool, string) {
		r := invoiceOf(k.n, rec.PaymentHash)
		return r.State == invoice.StateSettled && r.AmountPaidMsat == 40_000_000, fmt.Sprintf("%s %d", r.State, r.AmountPaidMsat)
	})
	mustSucceed(t, part2, "part 2 over B")
	k.fees.v.Store(253)

	k.reload("our commitment and its CPFP child unconfirmed", peer)
	time.Sleep(3 * time.Second)
	if pool, _ := d.Btcd.RPC().GetRawMempool(); len(pool) != 2 {
		t.Fatalf("mempool after reload: %v, want only the commitment and its child (no second child)", pool)
	}
	mineWait(t, d, k.backend, 1)
	claims := waitClaims(t, k.n, pointA, "commitment confirmed: received HTLC's success tx in the mempool", func(c []node.ClaimInfo) bool {
		s := claimOf(c, "htlc", 25_000)
		return len(c) == 5 && s != nil && s.SweepTxid != "" && inMempool(d, s.SweepTxid) && claimOf(c, "anchor", 0).Done
	})
	t.Logf("claims: %+v", claims)

	// lnd settles its first hold invoice: it takes that HTLC on-chain with
	// the preimage, which completes our payment.
	if err := peer.CLI(context.Background(), nil, "settleinvoice", fmt.Sprintf("%x", pre1)); err != nil {
		t.Fatal(err)
	}
	mineUntil(t, k, 10, "payment 1 succeeded with lnd's on-chain preimage", func() (bool, string) {
		p, ok := paymentStatus(k.n, hash1)
		return ok && p.Status == pay.StatusSucceeded && p.Preimage == pre1, fmt.Sprintf("%+v", p)
	})
	k.reload("HTLC-success confirmed, its output waiting for the delay", peer)

	timeout := claimOf(mustClaims(t, k.n, pointA), "htlc", 30_000)
	h, _ := d.Btcd.Height()
	if gap := int64(timeout.MatureHeight) - h - 2; gap > 0 {
		mineWait(t, d, k.backend, uint32(gap))
	}
	time.Sleep(2 * time.Second)
	if c := claimOf(mustClaims(t, k.n, pointA), "htlc", 30_000); c.SweepTxid != "" {
		t.Fatalf("HTLC-timeout built before its expiry (matures at %d)", c.MatureHeight)
	}
	mineUntil(t, k, 4, "our HTLC-timeout in the mempool", func() (bool, string) {
		c := claimOf(mustClaims(t, k.n, pointA), "htlc", 30_000)
		return c.SweepTxid != "" && inMempool(d, c.SweepTxid), c.SweepTxid
	})
	timeoutTx := claimOf(mustClaims(t, k.n, pointA), "htlc", 30_000).SweepTxid
	k.reload("our HTLC-timeout unconfirmed", peer)
	if c := claimOf(mustClaims(t, k.n, pointA), "htlc", 30_000); c.SweepTxid != timeoutTx {
		t.Fatalf("after reload the HTLC-timeout is %s, was %s", c.SweepTxid, timeoutTx)
	}
	mineUntil(t, k, 2, "payment 2 failed after its on-chain timeout", func() (bool, string) {
		p, ok := paymentStatus(k.n, hash2)
		return ok && p.Status == pay.StatusFailed, fmt.Sprintf("%+v", p)
	})

	// Every delayed output matures, then the sweeps confirm.
	sweepAll(t, k, pointA)
	k.reload("final sweeps unconfirmed", peer)
	mineWait(t, d, k.backend, 1)
	c := waitResolved(t, k.n, pointA, "LOCAL_FORCE_CLOSE", before.ConfirmedSat)
	owed := local + 25_000 + 30_000
	t.Logf("channel A owed us %d sat (balance %d + received part 25,000 + timed-out 30,000); net to wallet %d, fees %d",
		owed, local, c.CloseLocalSat, owed-c.CloseLocalSat)
	if c.CloseLocalSat > owed || owed-c.CloseLocalSat > 8_000 {
		t.Errorf("net %d sat of %d owed", c.CloseLocalSat, owed)
	}
	mustSucceed(t, part1, "part 1 over A (claimed on-chain)")
	lndListsClosed(t, k, peer, pointA, "LOCAL_FORCE_CLOSE", "REMOTE_FORCE_CLOSE")
	return pointB
}

// lndForceClosesOnOurHTLC: lnd force closes channel C while one part of a
// payment to us is on it; the other part arrives over B after the close,
// and we claim C's HTLC from lnd's commitment with the preimage.
func lndForceClosesOnOurHTLC(t *testing.T, k *knobNode, peer *devnet.Lnd, pointB string) {
	d := k.d
	pointC := openTo(t, d, k.backend, k.n, peer, 400_000, 200_000, "anchors")
	rec, err := k.n.AddInvoice(node.AddInvoiceRequest{ValueMsat: 30_000_000, Memo: "after the close"})
	if err != nil {
		t.Fatal(err)
	}
	part1 := lndSendsPart(t, peer, k.n.IdentityPubkey(), ourChannel(k.n, pointC).SCID, rec, 20_000)
	waitFor(t, 40*time.Second, "channel C holds the part", func() (bool, string) {
		c := ourChannel(k.n, pointC)
		return c.NumHTLCs == 1, fmt.Sprintf("%d HTLCs", c.NumHTLCs)
	})
	local := int64(ourChannel(k.n, pointC).LocalMsat / 1000)
	before, _ := k.n.WalletBalance()
	lndForceCloses(t, d, peer, pointC)
	mineWait(t, d, k.backend, 1)
	waitClaims(t, k.n, pointC, "the part on lnd's commitment watched", func(c []node.ClaimInfo) bool {
		x := claimOf(c, "htlc", 20_000)
		return x != nil && x.WatchOnly
	})
	part2 := lndSendsPart(t, peer, k.n.IdentityPubkey(), ourChannel(k.n, pointB).SCID, rec, 10_000)
	mustSucceed(t, part2, "part 2 over B")
	mineUntil(t, k, 3, "the part on C claimed with the preimage", func() (bool, string) {
		x := claimOf(mustClaims(t, k.n, pointC), "htlc", 20_000)
		return !x.WatchOnly && x.SweepTxid != "" && inMempool(d, x.SweepTxid), fmt.Sprintf("%+v", x)
	})
	mineWait(t, d, k.backend, 1)
	c := waitResolved(t, k.n, pointC, "REMOTE_FORCE_CLOSE", before.ConfirmedSat)
	owed := local + 20_000
	t.Logf("channel C owed us %d sat; net to wallet %d", owed, c.CloseLocalSat)
	if c.CloseLocalSat > owed || owed-c.CloseLocalSat > 2_000 {
		t.Errorf("net %d sat of %d owed", c.CloseLocalSat, owed)
	}
	mustSucceed(t, part1, "part 1 over C (claimed on-chain)")
}

// sweepAll mines until every claim of the channel that is still open has
// its sweep in the mempool (the last one unconfirmed).
func sweepAll(t testing.TB, k *knobNode, point string) {
	t.Helper()
	for i := 0; i < 12; i++ {
		last, waiting := uint32(0), false
		for _, c := range mustClaims(t, k.n, point) {
			switch {
			case c.Done || c.WatchOnly:
			case c.SweepTxid == "":
				last, waiting = max(last, c.MatureHeight), true
			case !inMempool(k.d, c.SweepTxid):
				waiting = true
			}
		}
		if !waiting {
			return
		}
		h, _ := k.d.Btcd.Height()
		blocks := int64(1)
		if int64(last)-1 > h {
			blocks = int64(last) - 1 - h
		}
		mineWait(t, k.d, k.backend, uint32(blocks))
		time.Sleep(3 * time.Second)
	}
	t.Fatalf("claims not all swept: %+v", mustClaims(t, k.n, point))
}

// claimOf finds the claim named what (of valueSat, when not 0).
func claimOf(claims []node.ClaimInfo, what string, valueSat int64) *node.ClaimInfo {
	for i := range claims {
		if claims[i].What == what && (valueSat == 0 || claims[i].ValueSat == valueSat) {
			return &claims[i]
		}
	}
	return nil
}

// waitClaims waits until ok holds for the channel's claims.
func waitClaims(t testing.TB, n *node.Node, point, what string, ok func([]node.ClaimInfo) bool) []node.ClaimInfo {
	t.Helper()
	var c []node.ClaimInfo
	waitFor(t, 60*time.Second, what, func() (bool, string) {
		_, c, _ = n.Claims(point)
		return ok(c), fmt.Sprintf("%+v", c)
	})
	return c
}

// mineUntil mines a block at a time (at most max) until ok holds, giving
// the last block 30 s.
func mineUntil(t testing.TB, k *knobNode, max int, what string, ok func() (bool, string)) {
	t.Helper()
	var why string
	for i := 0; i <= max; i++ {
		wait := 4 * time.Second
		if i == max {
			wait = 30 * time.Second
		}
		deadline := time.Now().Add(wait)
		for time.Now().Before(deadline) {
			var done bool
			if done, why = ok(); done {
				h, _ := k.d.Btcd.Height()
				t.Logf("%s (height %d, %d blocks mined)", what, h, i)
				return
			}
			time.Sleep(150 * time.Millisecond)
		}
		if i < max {
			mineWait(t, k.d, k.backend, 1)
		}
	}
	t.Fatalf("%s: not after %d blocks: %s", what, max, why)
}

// mustSucceed waits for lncli sendtoroute's answer and wants SUCCEEDED.
func mustSucceed(t testing.TB, res <-chan string, what string) {
	t.Helper()
	select {
	case out := <-res:
		if !strings.Contains(out, `"SUCCEEDED"`) {
			t.Errorf("%s: lnd says %s", what, out)
		}
	case <-time.After(60 * time.Second):
		t.Errorf("%s: lnd's sendtoroute still waiting", what)
	}
}

// lndListsClosed waits (mining now and then) until lnd lists the channel
// closed, with the close types both sides should record.
func lndListsClosed(t testing.TB, k *knobNode, l *devnet.Lnd, point, ours, theirs string) {
	t.Helper()
	if c := ourChannel(k.n, point); c.CloseKind != ours {
		t.Errorf("we closed %s as %s, want %s", point, c.CloseKind, ours)
	}
	mineUntil(t, k, 12, "lnd lists the channel closed", func() (bool, string) {
		var res struct {
			Channels []struct {
				ChannelPoint string `json:"channel_point"`
				CloseType    string `json:"close_type"`
			} `json:"channels"`
		}
		_ = l.CLI(context.Background(), &res, "closedchannels")
		for _, ch := range res.Channels {
			if ch.ChannelPoint == point {
				return ch.CloseType == theirs, ch.CloseType
			}
		}
		return false, "not listed"
	})
}
