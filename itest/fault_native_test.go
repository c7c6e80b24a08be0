package itest

import (
	"context"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"testing"
	"time"

	"lnwasm/bridge"
	"lnwasm/node"
	"lnwasm/node/channel"
	"lnwasm/node/pay"
	"lnwasm/server/devnet"
)

// faultRig is our native node reaching an lnd through our real bridge
// and a fault proxy, on a store that can refuse writes.
type faultRig struct {
	t     *testing.T
	d     *devnet.Devnet
	l     *devnet.Lnd
	k     *knobNode
	st    *flakyStore
	proxy *faultProxy // in front of lnd
	// chainProxy is in front of btcd's P2P port.
	chainProxy *faultProxy
	point      string
}

// TestNativeFaults injects faults into a channel with lnd and checks after
// each that the node recovered (or stopped) safely: the channel active on
// both sides with the same balance, no HTLC left, nothing closed, and every
// payment's outcome agreeing with lnd's invoice. The faults: the stream
// cut mid-message, the stream stalled, the chain peer going away, lnd restarted
// mid-payment, and storage writes failing (then a reload from what was
// stored: a message sent for a state that was not stored would show at the
// reestablish, and lnd would close the channel).
func TestNativeFaults(t *testing.T) {
	t.Parallel()
	d, log, l := playgroundWithLnd(t, "fault", 100_000)
	r := &faultRig{t: t, d: d, l: l, st: newFlakyStore(), proxy: startFaultProxy(t, l.P2PAddr),
		chainProxy: startFaultProxy(t, d.ChainPeer())}
	url := startInProcessBridge(t, log, portNumber(t, r.proxy.addr()))
	r.k = &knobNode{t: t, d: d, log: log, st: r.st, fees: &feeKnob{}, ping: time.Second, pong: 3 * time.Second,
		dial:      func(ctx context.Context, addr string) (net.Conn, error) { return bridge.Dial(ctx, url, addr) },
		chainPeer: r.chainProxy.addr()}
	r.k.fees.v.Store(253)
	r.k.start()
	r.k.fund(1_000_000)
	r.point = openToAt(t, d, r.k.backend, r.k.n, l, r.proxy.addr(), 600_000, 0, "anchors")
	if os.Getenv("FAULT_BTCD_FIRST") == "" {
		r.cutMidMessage()
		r.stall()
	}
	r.chainPeerGoesAway()
	r.lndRestartsMidPayment()
	r.storageFails()
	r.storageFailsThenReconnect()
	r.lndClosedNothing()
}

// pay pays a fresh lnd invoice and returns what the node answered; the
// outcome is checked against lnd's invoice.
func (r *faultRig) pay(sat int64, d time.Duration) (*pay.Payment, error) {
	p, hash, err := r.payOnly(sat, d)
	r.agrees(hash)
	return p, err
}

// payOnly pays a fresh lnd invoice without checking the outcome.
func (r *faultRig) payOnly(sat int64, d time.Duration) (*pay.Payment, string, error) {
	req, hash := lndInvoice(r.t, r.l, sat)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	p, err := r.k.n.SendPayment(ctx, node.SendPaymentRequest{PaymentRequest: req})
	return p, hash, err
}

// agrees waits until our payment of hash and lnd's invoice agree: ours
// SUCCEEDED exactly when lnd's is SETTLED, and neither still pending.
func (r *faultRig) agrees(hashHex string) {
	r.t.Helper()
	raw, err := hex.DecodeString(hashHex)
	if err != nil || len(raw) != 32 {
		r.t.Fatalf("hash %q", hashHex)
	}
	var hash [32]byte
	copy(hash[:], raw)
	waitFor(r.t, 120*time.Second, "our payment and lnd's invoice agree", func() (bool, string) {
		p, ok := paymentStatus(r.k.n, hash)
		st, _ := lndInvoiceState(r.t, r.l, hashHex)
		if !ok {
			// Never stored: it never left either.
			return st == "OPEN", "not stored; lnd " + st
		}
		done := p.Status == pay.StatusSucceeded || p.Status == pay.StatusFailed
		return done && (p.Status == pay.StatusSucceeded) == (st == "SETTLED"), fmt.Sprintf("ours %s, lnd %s", p.Status, st)
	})
}

// healthy waits until the channel is active on both sides with no HTLC
// and the same balance, and returns our balance.
func (r *faultRig) healthy(after string) int64 {
	r.t.Helper()
	var sat int64
	waitFor(r.t, 120*time.Second, "the channel healthy after "+after, func() (bool, string) {
		ours, theirs := ourChannel(r.k.n, r.point), lndChannelOf(r.l, r.point)
		if ours == nil || theirs == nil {
			return false, fmt.Sprintf("ours %v, lnd %v", ours, theirs)
		}
		sat = int64(ours.LocalMsat / 1000)
		ok := ours.Phase == channel.PhaseNormal && ours.NumHTLCs == 0 && theirs.Active &&
			theirs.RemoteBalance == fmt.Sprint(sat)
		return ok, fmt.Sprintf("ours %s htlcs %d bal %d; lnd active %v remote %s", ours.Phase, ours.NumHTLCs, sat, theirs.Active, theirs.RemoteBalance)
	})
	r.t.Logf("after %s: channel healthy, our balance %d sat", after, sat)
	return sat
}

// cutMidMessage cuts the stream a few bytes into the traffic of each of
// eight payments, at a random point.
func (r *faultRig) cutMidMessage() {
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 9))
	outcomes := map[string]int{}
	for i := 0; i < 8; i++ {
		at := 1 + rng.Int64N(400)
		r.proxy.cutAfter(at)
		p, err := r.pay(1000+int64(i), 90*time.Second)
		outcomes[outcome(p, err)]++
		r.proxy.cutAfter(0)
		r.healthy(fmt.Sprintf("a cut %d bytes into payment %d", at, i+1))
	}
	if r.proxy.cuts.Load() == 0 {
		r.t.Fatal("the proxy never cut a stream")
	}
	r.t.Logf("stream cut %d times mid-traffic; payments: %v", r.proxy.cuts.Load(), outcomes)
}

func outcome(p *pay.Payment, err error) string {
	if p != nil {
		return string(p.Status)
	}
	if err != nil {
		return "error: " + err.Error()
	}
	return "none"
}

// stall freezes the live connection: our pings go unanswered, the node
// drops it and reconnects, and a payment started meanwhile completes.
func (r *faultRig) stall() {
	n := r.proxy.stall()
	start := time.Now()
	p, err := r.pay(2000, 90*time.Second)
	if err != nil || p.Status != pay.StatusSucceeded {
		r.t.Fatalf("payment across a stalled stream: %v %v", outcome(p, err), err)
	}
	r.t.Logf("stream stalled (%d connections frozen): the payment succeeded over a new one after %v", n, time.Since(start).Round(time.Millisecond))
	r.healthy("a stall")
}

// chainPeerGoesAway takes btcd's P2P endpoint down for 10 s (every
// connection closed, new ones refused) while two blocks are mined, then
// brings it back: our backend reconnects, catches up, and payments still
// work. A real btcd restart cannot be used: in regtest mode btcd deletes
// its block database when it starts.
func (r *faultRig) chainPeerGoesAway() {
	closed := r.chainProxy.goDown()
	if _, err := r.d.Btcd.Mine(2); err != nil {
		r.t.Fatal(err)
	}
	time.Sleep(10 * time.Second)
	r.chainProxy.goUp()
	start := time.Now()
	want, _ := r.d.Btcd.Height()
	waitFor(r.t, 90*time.Second, "our backend back at btcd's tip", func() (bool, string) {
		b, err := r.k.backend.BestBlock()
		return err == nil && int64(b.Height) == want, fmt.Sprintf("%d of %d", b.Height, want)
	})
	r.t.Logf("chain peer down 10 s (%d connections closed, 2 blocks mined): our backend at the tip %v after it came back",
		closed, time.Since(start).Round(time.Millisecond))
	if p, err := r.pay(3000, 90*time.Second); err != nil || p.Status != pay.StatusSucceeded {
		r.t.Fatalf("payment after the chain peer came back: %v", outcome(p, err))
	}
	r.healthy("the chain peer came back")
}

// lndRestartsMidPayment restarts lnd while our HTLC to its hold invoice
// is accepted, then settles (first time) or cancels (second) it.
func (r *faultRig) lndRestartsMidPayment() {
	for _, settle := range []bool{true, false} {
		req, preimage, hash := heldInvoice(r.t, r.l, 5000)
		done := make(chan string, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
			defer cancel()
			p, err := r.k.n.SendPayment(ctx, node.SendPaymentRequest{PaymentRequest: req})
			done <- outcome(p, err)
		}()
		waitInvoiceState(r.t, r.l, hex.EncodeToString(hash[:]), "ACCEPTED")
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		if err := r.l.Restart(ctx); err != nil {
			cancel()
			r.t.Fatal(err)
		}
		args := []string{"cancelinvoice", hex.EncodeToString(hash[:])}
		if settle {
			args = []string{"settleinvoice", hex.EncodeToString(preimage[:])}
		}
		if err := r.l.CLI(ctx, nil, args...); err != nil {
			cancel()
			r.t.Fatalf("%v: %v", args[0], err)
		}
		cancel()
		got := <-done
		want := map[bool]string{true: string(pay.StatusSucceeded), false: string(pay.StatusFailed)}[settle]
		if got != want {
			r.t.Fatalf("lnd restarted mid-payment then ran %s: our payment %s, want %s", args[0], got, want)
		}
		r.agrees(hex.EncodeToString(hash[:]))
		r.t.Logf("lnd restarted with our HTLC accepted, then %s: payment %s", args[0], got)
		r.healthy("lnd restarted mid-payment")
	}
}

// storageFails refuses writes: first all of them (the payment cannot be
// stored, so nothing leaves), then after 1, 2, … successful writes into
// a payment. Each time the node is reloaded from what it stored.
func (r *faultRig) storageFails() {
	r.st.budget.Store(0)
	req, hash := lndInvoice(r.t, r.l, 4000)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	p, err := r.k.n.SendPayment(ctx, node.SendPaymentRequest{PaymentRequest: req})
	cancel()
	if err == nil {
		r.t.Fatalf("payment with no write possible: %v, want an error", outcome(p, err))
	}
	r.t.Logf("every write refused: SendPayment says %v", err)
	r.st.budget.Store(-1)
	r.agrees(hash)
	for budget := int64(1); budget <= 6; budget++ {
		before := r.st.refused.Load()
		r.st.budget.Store(budget)
		p, hash, err := r.payOnly(4000+budget, 20*time.Second)
		refused := r.st.refused.Load() - before
		r.st.budget.Store(-1)
		// The reload redials lnd at the address stored (the proxy).
		r.k.reload(fmt.Sprintf("writes refused after %d (%d refused; payment %s)", budget, refused, outcome(p, err)))
		r.agrees(hash)
		r.reportedStands(p, err, hash)
		r.healthy(fmt.Sprintf("writes failing after %d and a reload", budget))
	}
}

// storageFailsThenReconnect refuses writes after 2…5 into a payment, and
// while they are refused the stream drops and the node reconnects (each
// refused channel write rewinds the channel to its stored state and drops
// the connection again); then writes come back and the node is reloaded
// from what it stored.
func (r *faultRig) storageFailsThenReconnect() {
	for budget := int64(2); budget <= 5; budget++ {
		before := r.st.refused.Load()
		r.st.budget.Store(budget)
		req, hash := lndInvoice(r.t, r.l, 5000+budget)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		go func() {
			_, _ = r.k.n.SendPayment(ctx, node.SendPaymentRequest{PaymentRequest: req})
		}()
		waitFor(r.t, 30*time.Second, "a write refused", func() (bool, string) {
			return r.st.refused.Load() > before, ""
		})
		dropped := r.proxy.goDown()
		time.Sleep(300 * time.Millisecond)
		r.proxy.goUp()
		time.Sleep(5 * time.Second) // the node redials and reestablishes, writes still refused
		refused := r.st.refused.Load() - before
		r.st.budget.Store(-1)
		cancel()
		r.k.reload(fmt.Sprintf("writes refused after %d, %d connections dropped meanwhile (%d writes refused)", budget, dropped, refused))
		r.agrees(hash)
		r.healthy(fmt.Sprintf("writes failing after %d, a reconnect, and a reload", budget))
	}
}

// reportedStands checks that an outcome SendPayment reported before the
// reload is the one the node holds after it: a status reported but not
// stored could be contradicted by the resumed payment.
func (r *faultRig) reportedStands(p *pay.Payment, err error, hashHex string) {
	r.t.Helper()
	if p == nil || (p.Status != pay.StatusSucceeded && p.Status != pay.StatusFailed) {
		return
	}
	raw, _ := hex.DecodeString(hashHex)
	var hash [32]byte
	copy(hash[:], raw)
	now, ok := paymentStatus(r.k.n, hash)
	if !ok || now.Status != p.Status {
		r.t.Fatalf("SendPayment reported %s (%v) before the reload; after it the node says %+v", p.Status, err, now)
	}
}

// lndClosedNothing: after every fault, lnd closed no channel.
func (r *faultRig) lndClosedNothing() {
	var closed struct {
		Channels []any `json:"channels"`
	}
	if err := r.l.CLI(context.Background(), &closed, "closedchannels"); err != nil {
		r.t.Fatal(err)
	}
	if len(closed.Channels) != 0 {
		r.t.Fatalf("lnd closed channels: %+v", closed.Channels)
	}
}
