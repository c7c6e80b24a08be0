package pay

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"lnwasm/node/graph"
	"lnwasm/node/lnwire"
	"lnwasm/node/onion"
)

// TestResultDuringRouteSearch has the first part of a multi-part payment
// fail while the payment asks the router for the next part's route, as a
// host reporting HTLC outcomes from its own goroutine can at any time.
// Under -race it fails if the route request reads the attempts without
// the payer's lock (the host's goroutine takes no lock the payment's
// goroutine released after that read, so nothing orders the two).
func TestResultDuringRouteSearch(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB, pathViaC)
	h.rt.maxPerRoute = 100_000_000
	const amt = 250_000_000
	inv := h.invoice(amt, true)
	hash := inv.PaymentHash
	searching := make(chan struct{}, 1) // the payment is in FindRoute for part 2
	failed := make(chan struct{})       // part 1's failure was reported
	offered := false                    // only touched on the payment's goroutine
	h.ch.afterOffer = func(o offer) {
		if offered {
			return
		}
		offered = true
		hops, err := walk(o)
		if err != nil {
			t.Errorf("walk: %v", err)
			return
		}
		reason, err := failureReason(hops, 0, tempChanFailure(scidBP))
		if err != nil {
			t.Errorf("failure: %v", err)
			return
		}
		payer, ch := h.payer, h.ch
		go func() {
			// The host's goroutine: it learns of the failure by itself,
			// not from the payment's goroutine (len of a channel is no
			// synchronization), and reports it while FindRoute runs.
			for len(searching) == 0 {
				time.Sleep(time.Millisecond)
			}
			payer.Failed(o.Ref, hash, o.HTLC.AmountMsat, reason, 0)
			ch.resolve(o.Ref, true)
			close(failed)
		}()
	}
	triggered := false // only touched on the payment's goroutine
	h.rt.hook = func(_ int, _ graph.RouteRequest) {
		if triggered || len(h.ch.allOffers()) != 1 {
			return
		}
		triggered = true
		searching <- struct{}{}
		select {
		case <-failed:
		case <-time.After(3 * time.Second):
		}
	}
	res := h.payAsync(request(inv))
	select {
	case <-failed:
	case <-time.After(3 * time.Second):
		t.Fatal("part 1 never failed")
	}
	var parts []offer
	var got uint64
	for got < amt {
		o := h.nextOffer()
		if !h.ch.isOpen(o.Ref) {
			continue // part 1
		}
		hops := h.mustWalk(o)
		got += hops[len(hops)-1].peeled.Payload.AmtToForwardMsat
		parts = append(parts, o)
	}
	for _, o := range parts {
		h.settle(o)
	}
	r := h.wait(res)
	if r.err != nil || r.pay.Status != StatusSucceeded {
		t.Fatalf("Pay: %+v, %v", r.pay, r.err)
	}
	if r.pay.Attempts[0].Status != StatusFailed {
		t.Fatalf("part 1: %s", r.pay.Attempts[0].Status)
	}
}

// TestFeeBudgetOfLargeParts splits a 1 BTC payment: each part's fee
// budget is its share of the fee limit.
func TestFeeBudgetOfLargeParts(t *testing.T) {
	const amt = 100_000_000_000 // 1 BTC
	caps := map[lnwire.ShortChannelID]uint64{scidSB: 60_000_000_000, scidSC: 60_000_000_000}
	h := newHarness(t, caps, pathViaB, pathViaC)
	h.rt.maxPerRoute = 60_000_000_000
	inv := h.invoice(amt, true)
	res := h.payAsync(request(inv))
	o1, o2 := h.nextOffer(), h.nextOffer()
	h.settle(o1)
	h.settle(o2)
	r := h.wait(res)
	if r.err != nil || r.pay.Status != StatusSucceeded {
		t.Fatalf("Pay: %+v, %v", r.pay, r.err)
	}
	reqs := h.rt.requests()
	if len(reqs) < 2 || reqs[0].AmountMsat != amt || reqs[1].AmountMsat != amt/2 {
		t.Fatalf("%d requests", len(reqs))
	}
	limit := uint64(amt / 20) // the default 5 %
	if reqs[0].MaxFeeMsat != limit {
		t.Fatalf("whole payment: MaxFeeMsat %d, want %d", reqs[0].MaxFeeMsat, limit)
	}
	// Half the amount, nothing in flight yet: half the limit.
	if want := limit / 2; reqs[1].MaxFeeMsat != want {
		t.Errorf("BUG: first half's MaxFeeMsat is %d msat, want %d (half of the %d msat limit): "+
			"budget*amt overflows uint64 in feeBudget", reqs[1].MaxFeeMsat, want, limit)
	}
}

// TestFeeLimitHoldsForParts splits a payment whose fee limit is tiny: a
// part's share of it rounds to 0, which must not reach the router as
// "no bound" (RouteRequest.MaxFeeMsat 0).
func TestFeeLimitHoldsForParts(t *testing.T) {
	const amt = 250_000_000
	h := newHarness(t, defaultCaps(), pathViaB) // 1000 msat of fees
	h.rt.maxPerRoute = 100_000_000
	inv := h.invoice(amt, true)
	req := request(inv)
	req.FeeLimitMsat = 3
	res := h.payAsync(req)
	select {
	case r := <-res:
		if r.err == nil || r.pay.Status != StatusFailed {
			t.Fatalf("Pay: %+v, %v", r.pay, r.err)
		}
	case o := <-h.ch.offered:
		hops := h.mustWalk(o)
		fee := o.HTLC.AmountMsat - hops[len(hops)-1].peeled.Payload.AmtToForwardMsat
		var asked []string
		for _, rq := range h.rt.requests() {
			asked = append(asked, fmt.Sprintf("%d msat with MaxFeeMsat %d", rq.AmountMsat, rq.MaxFeeMsat))
		}
		t.Errorf("BUG: offered a part of %d msat paying %d msat of fees with a fee limit of %d msat; "+
			"route requests: %s (MaxFeeMsat 0 means no bound)", hops[len(hops)-1].peeled.Payload.AmtToForwardMsat,
			fee, req.FeeLimitMsat, strings.Join(asked, ", "))
		h.shutdown()
		h.wait(res)
	case <-time.After(5 * time.Second):
		t.Fatal("the payment never ended")
	}
}

// TestTimeoutWithImmediateFailures has every HTLC fail at once, before
// Offer even returns (a host may drop an HTLC that never left in the same
// step): the request's timeout still ends the payment.
func TestTimeoutWithImmediateFailures(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	payer, ch := h.payer, h.ch
	h.ch.afterOffer = func(o offer) {
		ch.resolve(o.Ref, true)
		payer.Failed(o.Ref, o.HTLC.PaymentHash, o.HTLC.AmountMsat, nil, 0) // dropped
	}
	inv := h.invoice(20_000_000, false)
	req := request(inv)
	req.Timeout = 100 * time.Millisecond
	res := h.payAsync(req)
	waitFor(t, 2*time.Second, "the payment to start", func() bool {
		_, ok := h.payer.Get(inv.PaymentHash)
		return ok
	})
	deadline := time.Now().Add(req.Timeout + 500*time.Millisecond)
	for h.get(inv.PaymentHash).Status == StatusInFlight && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	p := h.get(inv.PaymentHash)
	if p.Status == StatusInFlight {
		t.Errorf("BUG: still in flight %v after a %v timeout, %d attempts made: the loop only looks at the deadline when it waits",
			req.Timeout+500*time.Millisecond, req.Timeout, len(p.Attempts))
		h.shutdown()
	} else if p.FailureReason != ReasonTimeout {
		t.Errorf("failed with %s, want %s", p.FailureReason, ReasonTimeout)
	}
	h.wait(res)
}

// TestStoreFailureEndsPayment has the store refuse the attempt's write:
// nothing is offered and the payment ends with an error instead of
// waiting for an HTLC that never left.
func TestStoreFailureEndsPayment(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	h.st.failUpdate = func(n int64) bool { return n == 2 } // 1: the payment, 2: its first attempt
	inv := h.invoice(20_000_000, false)
	start := time.Now()
	r := h.wait(h.payAsyncFor(request(inv), 500*time.Millisecond))
	if n := h.ch.offerCalls(); n != 0 {
		t.Fatalf("offered %d HTLCs without storing the attempt", n)
	}
	if r.err == nil || r.pay.Status != StatusFailed {
		n, _ := r.pay.inFlight()
		t.Errorf("BUG: Pay returned %s, %v after %v (%d attempts in flight, none offered): "+
			"the attempt that could not be stored stays in flight forever", r.pay.Status, r.err, time.Since(start).Round(time.Millisecond), n)
		return
	}
	if !errors.Is(r.err, ErrFailed) || r.pay.FailureReason != ReasonError {
		t.Fatalf("Pay: %v (%s)", r.err, r.pay.FailureReason)
	}
}

// TestInvoiceWithoutPayee pays an invoice struct whose payee is unset:
// an error, not a panic.
func TestInvoiceWithoutPayee(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	inv := h.invoice(20_000_000, false)
	inv.Payee = nil
	var err error
	func() {
		defer func() {
			if v := recover(); v != nil {
				t.Errorf("BUG: Pay panicked on an invoice without a payee: %v", v)
				err = errors.New("panicked")
			}
		}()
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		_, err = h.payer.Pay(ctx, request(inv))
	}()
	if err == nil {
		t.Fatal("Pay accepted an invoice without a payee")
	}
	if n := h.ch.offerCalls(); n != 0 {
		t.Fatalf("%d HTLCs offered", n)
	}
}

// TestResumeUnsentAttemptFulfilledWhileStopping reloads after the channel
// took the HTLC and the peer fulfilled it, but before the attempt
// recorded the HTLC (its write failed, or the process stopped right
// after Offer): the channel log holds the preimage, so the payment
// succeeded and must not be sent again.
func TestResumeUnsentAttemptFulfilledWhileStopping(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	release := make(chan struct{})
	h.ch.afterOffer = func(offer) { <-release }
	defer close(release)
	inv := h.invoice(35_000_000, false)
	req := request(inv)
	h.payAsync(req)
	o := h.nextOffer()
	if p := h.get(inv.PaymentHash); len(p.Attempts) != 1 || p.Attempts[0].Sent {
		t.Fatalf("before the reload: %+v", p.Attempts)
	}
	pre := h.preimage(inv.PaymentHash)
	h2 := h.reloadWith(nil, map[HTLCRef][32]byte{o.Ref: pre}, pathViaC)
	h2.payer.Resume((&decoder{inv: inv, req: req.PaymentRequest}).decode)
	select {
	case o2 := <-h2.ch.offered:
		// The payee already settled its invoice: it refuses the new HTLC.
		t.Errorf("BUG: Resume ignored the fulfilled HTLC %d of an unsent attempt and paid again (HTLC %d on %s)",
			o.Ref.ID, o2.Ref.ID, o2.SCID)
		h2.failAt(o2, -1, &onion.Failure{Code: onion.CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: o2.HTLC.AmountMsat, Height: testHeight})
	case <-time.After(50 * time.Millisecond):
	}
	waitFor(t, 2*time.Second, "the payment to end", func() bool {
		return h2.get(inv.PaymentHash).Status != StatusInFlight
	})
	if p := h2.get(inv.PaymentHash); p.Status != StatusSucceeded || p.Preimage != pre {
		t.Errorf("BUG: the payment ended %s (%s) although the channel log holds its preimage", p.Status, p.FailureReason)
	}
}
