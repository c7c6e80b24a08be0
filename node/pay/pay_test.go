package pay

import (
	"context"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/graph"
	"lnwasm/node/invoice"
	"lnwasm/node/lnwire"
	"lnwasm/node/onion"
)

// TestPaySucceeds pays over one route: the HTLC and each hop's payload
// are what the route says, the payee's preimage completes the payment,
// the router learns every hop succeeded, and the payment is stored.
func TestPaySucceeds(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	const amt = 50_000_000
	inv := h.invoice(amt, false)
	req := request(inv)
	res := h.payAsync(req)

	o := h.nextOffer()
	finalCLTV := uint32(testHeight + testFinalCLTV + cltvPadding)
	want := pathViaB.route(amt, testHeight, testFinalCLTV+cltvPadding)
	if o.SCID != scidSB || o.HTLC.AmountMsat != want.TotalAmountMsat || o.HTLC.CltvExpiry != want.TotalCLTV ||
		o.HTLC.PaymentHash != inv.PaymentHash {
		t.Fatalf("offered %d msat, cltv %d, on %s; want %d msat, cltv %d, on %s",
			o.HTLC.AmountMsat, o.HTLC.CltvExpiry, o.SCID, want.TotalAmountMsat, want.TotalCLTV, scidSB)
	}
	if want.TotalAmountMsat != amt+1000 || want.TotalCLTV != finalCLTV+40 {
		t.Fatalf("test route: %+v", want)
	}
	hops := h.mustWalk(o)
	if len(hops) != 2 || hops[0].node != nodeB || hops[1].node != nodePayee {
		t.Fatalf("the onion has %d hops", len(hops))
	}
	if pl := hops[0].peeled.Payload; pl.AmtToForwardMsat != amt || pl.OutgoingCLTV != finalCLTV ||
		*pl.ShortChannelID != scidBP {
		t.Fatalf("B's payload: forward %d msat, cltv %d, over %s", pl.AmtToForwardMsat, pl.OutgoingCLTV, *pl.ShortChannelID)
	}
	fin := hops[1].peeled.Payload
	if fin.AmtToForwardMsat != amt || fin.OutgoingCLTV != finalCLTV || fin.TotalMsat != amt ||
		fin.PaymentSecret == nil || *fin.PaymentSecret != *inv.PaymentSecret || fin.ShortChannelID != nil {
		t.Fatalf("final payload: %d msat, cltv %d, total %d, secret %v", fin.AmtToForwardMsat, fin.OutgoingCLTV, fin.TotalMsat, fin.PaymentSecret)
	}
	if hops[1].inMsat != amt || hops[1].inCLTV != finalCLTV {
		t.Fatalf("the payee receives %d msat at %d", hops[1].inMsat, hops[1].inCLTV)
	}

	reqs := h.rt.requests()
	if len(reqs) != 1 {
		t.Fatalf("%d route requests", len(reqs))
	}
	rq := reqs[0]
	if rq.Source != nodeSelf.pub || rq.Target != nodePayee.pub || rq.AmountMsat != amt || rq.Height != testHeight ||
		rq.FinalCLTVDelta != testFinalCLTV+cltvPadding || rq.MaxFeeMsat != amt/20 || len(rq.LocalEdges) != 2 {
		t.Fatalf("route request %+v", rq)
	}

	// The attempt is stored with its HTLC before any outcome.
	waitFor(t, 2*time.Second, "the attempt to be recorded as sent", func() bool {
		p := h.get(inv.PaymentHash)
		return len(p.Attempts) == 1 && p.Attempts[0].Sent
	})
	p := h.get(inv.PaymentHash)
	if p.Status != StatusInFlight || p.Attempts[0].HTLC != o.Ref || p.Attempts[0].Status != StatusInFlight {
		t.Fatalf("in flight: status %s, attempt %+v", p.Status, p.Attempts[0])
	}
	if n := storedPayments(t, h.mem); n != 1 {
		t.Fatalf("%d payments stored while in flight", n)
	}

	h.settle(o)
	r := h.wait(res)
	if r.err != nil {
		t.Fatalf("Pay: %v", r.err)
	}
	pay := r.pay
	if pay.Status != StatusSucceeded || pay.Preimage != h.preimage(inv.PaymentHash) || pay.FeeMsat() != 1000 ||
		pay.AmountMsat != amt || pay.Hash != inv.PaymentHash || pay.PaymentRequest != req.PaymentRequest ||
		pay.Destination != hex.EncodeToString(nodePayee.pub[:]) || pay.FailureReason != "" {
		t.Fatalf("payment %+v, fee %d", pay, pay.FeeMsat())
	}
	if len(pay.Attempts) != 1 || pay.Attempts[0].Status != StatusSucceeded || pay.Attempts[0].Preimage != pay.Preimage ||
		pay.Attempts[0].AmountMsat != amt || pay.Attempts[0].TotalMsat != amt+1000 {
		t.Fatalf("attempt %+v", pay.Attempts[0])
	}
	if pay.Resolved.IsZero() || pay.Created.IsZero() {
		t.Fatalf("times: created %v resolved %v", pay.Created, pay.Resolved)
	}
	wantReports(t, "ReportSuccess", h.rt.successReports(), []report{
		{nodeSelf.pub, nodeB.pub, scidSB, amt + 1000},
		{nodeB.pub, nodePayee.pub, scidBP, amt},
	})
	if f := h.rt.failureReports(); len(f) != 0 {
		t.Fatalf("failures reported: %s", fmtReports(f))
	}
	ev := h.eventLog()
	if len(ev) < 2 || ev[0].Status != StatusInFlight || ev[len(ev)-1].Status != StatusSucceeded {
		t.Fatalf("%d events", len(ev))
	}

	// A reload finds it.
	p2, err := New(Config{Store: h.mem, Net: &chaincfg.RegressionNetParams, Self: nodeSelf.pub,
		Channels: newFakeChannels(defaultCaps()), Router: newFakeRouter()})
	if err != nil {
		t.Fatal(err)
	}
	list := p2.List()
	if len(list) != 1 || list[0].Status != StatusSucceeded || list[0].Preimage != pay.Preimage ||
		list[0].FeeMsat() != 1000 || list[0].Index != pay.Index || list[0].Index == 0 || len(list[0].Attempts) != 1 {
		t.Fatalf("reloaded list %+v", list)
	}
}

// TestPayIsIdempotent pays the same invoice again, after its success and
// while it is in flight: nothing more leaves.
func TestPayIsIdempotent(t *testing.T) {
	t.Run("after success", func(t *testing.T) {
		h := newHarness(t, defaultCaps(), pathViaB)
		inv := h.invoice(20_000_000, false)
		res := h.payAsync(request(inv))
		h.settle(h.nextOffer())
		first := h.wait(res)
		if first.err != nil {
			t.Fatal(first.err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		again, err := h.payer.Pay(ctx, request(inv))
		if err != nil {
			t.Fatalf("paying again: %v", err)
		}
		if again.Status != StatusSucceeded || again.Index != first.pay.Index || again.Preimage != first.pay.Preimage ||
			len(again.Attempts) != 1 {
			t.Fatalf("paying again returned %+v", again)
		}
		h.noOffer(30 * time.Millisecond)
		if n := h.ch.offerCalls(); n != 1 {
			t.Fatalf("%d HTLCs offered", n)
		}
		if n := len(h.rt.requests()); n != 1 {
			t.Fatalf("%d route requests", n)
		}
		if n := len(h.payer.List()); n != 1 {
			t.Fatalf("%d payments", n)
		}
	})
	t.Run("in flight", func(t *testing.T) {
		h := newHarness(t, defaultCaps(), pathViaB, pathViaC)
		inv := h.invoice(20_000_000, false)
		res1 := h.payAsync(request(inv))
		o := h.nextOffer()
		res2 := h.payAsync(request(inv))
		h.noOffer(50 * time.Millisecond)
		select {
		case r := <-res2:
			t.Fatalf("second Pay returned while the first is in flight: %+v, %v", r.pay, r.err)
		default:
		}
		h.settle(o)
		r1, r2 := h.wait(res1), h.wait(res2)
		for i, r := range []payResult{r1, r2} {
			if r.err != nil || r.pay.Status != StatusSucceeded || r.pay.Index != r1.pay.Index {
				t.Fatalf("Pay %d: %+v, %v", i+1, r.pay, r.err)
			}
		}
		if n := h.ch.offerCalls(); n != 1 {
			t.Fatalf("%d HTLCs offered", n)
		}
	})
}

// TestRetryAfterTemporaryChannelFailure has a hop in the middle fail the
// HTLC: the router learns which channel, and the next route succeeds.
func TestRetryAfterTemporaryChannelFailure(t *testing.T) {
	viaC := path{{nodeB, scidSB, 1000, 40}, {nodeC, scidBC, 500, 30}, {nodePayee, scidCP, 0, 0}}
	viaD := path{{nodeB, scidSB, 1000, 40}, {nodeD, scidBD, 700, 20}, {nodePayee, scidDP, 0, 0}}
	h := newHarness(t, defaultCaps(), viaC, viaD)
	h.rt.learn = true
	const amt = 40_000_000
	inv := h.invoice(amt, false)
	res := h.payAsync(request(inv))

	o1 := h.nextOffer()
	if hops := h.mustWalk(o1); len(hops) != 3 || hops[1].node != nodeC {
		t.Fatalf("first route does not go through C")
	}
	h.failAt(o1, 1, tempChanFailure(scidCP)) // C cannot forward to the payee
	o2 := h.nextOffer()
	hops := h.mustWalk(o2)
	if len(hops) != 3 || hops[1].node != nodeD {
		t.Fatalf("second route does not go through D")
	}
	h.settle(o2)
	r := h.wait(res)
	if r.err != nil {
		t.Fatalf("Pay: %v", r.err)
	}
	wantReports(t, "ReportFailure", h.rt.failureReports(), []report{{nodeC.pub, nodePayee.pub, scidCP, amt}})
	if u := h.rt.channelUpdates(); len(u) != 1 || u[0].ShortChannelID != scidCP {
		t.Fatalf("channel updates applied: %v", u)
	}
	p := r.pay
	if p.Status != StatusSucceeded || len(p.Attempts) != 2 || p.FeeMsat() != viaD.fee() {
		t.Fatalf("payment %s, %d attempts, fee %d", p.Status, len(p.Attempts), p.FeeMsat())
	}
	a0, a1 := p.Attempts[0], p.Attempts[1]
	if a0.Status != StatusFailed || a0.FailSource != 1 || !strings.Contains(a0.Failure, "temporary_channel_failure") ||
		a0.Hops[1].ShortChannelID != uint64(scidBC) || a0.Resolved.IsZero() {
		t.Fatalf("first attempt %+v", a0)
	}
	if a1.Status != StatusSucceeded || a1.FailSource != -1 || a1.Hops[1].ShortChannelID != uint64(scidBD) {
		t.Fatalf("second attempt %+v", a1)
	}
	wantReports(t, "ReportSuccess", h.rt.successReports(), []report{
		{nodeSelf.pub, nodeB.pub, scidSB, amt + 1700},
		{nodeB.pub, nodeD.pub, scidBD, amt + 700},
		{nodeD.pub, nodePayee.pub, scidDP, amt},
	})
}

// TestPayeeRefusalIsTerminal has the payee refuse the payment's details:
// no retry can help.
func TestPayeeRefusalIsTerminal(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB, pathViaC)
	const amt = 30_000_000
	inv := h.invoice(amt, false)
	res := h.payAsync(request(inv))
	o := h.nextOffer()
	h.failAt(o, -1, &onion.Failure{Code: onion.CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: amt, Height: testHeight})
	r := h.wait(res)
	if !errors.Is(r.err, ErrFailed) || errors.Is(r.err, ErrNoRoute) || errors.Is(r.err, ErrTimeout) {
		t.Fatalf("Pay: %v, want ErrFailed", r.err)
	}
	p := r.pay
	if p.Status != StatusFailed || p.FailureReason != ReasonIncorrectDetails || p.FailureMessage == "" {
		t.Fatalf("payment %s, %s: %s", p.Status, p.FailureReason, p.FailureMessage)
	}
	if len(p.Attempts) != 1 || p.Attempts[0].FailSource != 1 || p.Attempts[0].Status != StatusFailed {
		t.Fatalf("attempts %+v", p.Attempts)
	}
	h.noOffer(30 * time.Millisecond)
	if n, m := h.ch.offerCalls(), len(h.rt.requests()); n != 1 || m != 1 {
		t.Fatalf("%d HTLCs, %d route requests: retried", n, m)
	}
	if !strings.Contains(r.err.Error(), "incorrect_or_unknown_payment_details") {
		t.Fatalf("error does not say why: %v", r.err)
	}
	// Stored as failed.
	p2, _ := New(Config{Store: h.mem, Net: &chaincfg.RegressionNetParams, Self: nodeSelf.pub,
		Channels: newFakeChannels(defaultCaps()), Router: newFakeRouter()})
	if l := p2.List(); len(l) != 1 || l[0].Status != StatusFailed || l[0].FailureReason != ReasonIncorrectDetails {
		t.Fatalf("stored %+v", l)
	}
}

// TestNoRoute fails the payment when the router finds nothing.
func TestNoRoute(t *testing.T) {
	h := newHarness(t, defaultCaps()) // no path at all
	inv := h.invoice(20_000_000, false)
	r := h.wait(h.payAsync(request(inv)))
	if !errors.Is(r.err, ErrNoRoute) {
		t.Fatalf("Pay: %v, want ErrNoRoute", r.err)
	}
	if r.pay == nil || r.pay.Status != StatusFailed || r.pay.FailureReason != ReasonNoRoute || len(r.pay.Attempts) != 0 {
		t.Fatalf("payment %+v", r.pay)
	}
	if n := h.ch.offerCalls(); n != 0 {
		t.Fatalf("%d HTLCs offered", n)
	}
}

// TestMultiPartPayment splits a payment no route can carry whole.
func TestMultiPartPayment(t *testing.T) {
	const perRoute = 100_000_000
	const amt = 250_000_000
	t.Run("basic_mpp", func(t *testing.T) {
		h := newHarness(t, defaultCaps(), pathViaB, pathViaC)
		h.rt.maxPerRoute = perRoute
		inv := h.invoice(amt, true)
		res := h.payAsync(request(inv))
		var parts []offer
		var got, fees uint64
		for got < amt {
			o := h.nextOffer()
			hops := h.mustWalk(o)
			fin := hops[len(hops)-1].peeled.Payload
			if fin.TotalMsat != amt || fin.PaymentSecret == nil || *fin.PaymentSecret != *inv.PaymentSecret {
				t.Fatalf("part %d: total_msat %d, secret %v", len(parts), fin.TotalMsat, fin.PaymentSecret)
			}
			if fin.AmtToForwardMsat > perRoute || fin.AmtToForwardMsat == 0 {
				t.Fatalf("part %d carries %d msat", len(parts), fin.AmtToForwardMsat)
			}
			got += fin.AmtToForwardMsat
			fees += o.HTLC.AmountMsat - fin.AmtToForwardMsat
			parts = append(parts, o)
		}
		if got != amt || len(parts) < 2 {
			t.Fatalf("%d parts carry %d msat, want %d", len(parts), got, amt)
		}
		h.noOffer(30 * time.Millisecond)
		for _, o := range parts {
			h.settle(o)
		}
		r := h.wait(res)
		if r.err != nil {
			t.Fatalf("Pay: %v", r.err)
		}
		var sum uint64
		for _, a := range r.pay.Attempts {
			if a.Status != StatusSucceeded {
				t.Fatalf("attempt %d: %s", a.ID, a.Status)
			}
			sum += a.AmountMsat
		}
		if r.pay.Status != StatusSucceeded || len(r.pay.Attempts) != len(parts) || sum != amt || r.pay.FeeMsat() != fees {
			t.Fatalf("payment %s, %d attempts carrying %d msat, fee %d (want %d)", r.pay.Status, len(r.pay.Attempts), sum, r.pay.FeeMsat(), fees)
		}
	})
	t.Run("no basic_mpp", func(t *testing.T) {
		h := newHarness(t, defaultCaps(), pathViaB, pathViaC)
		h.rt.maxPerRoute = perRoute
		inv := h.invoice(amt, false)
		r := h.wait(h.payAsync(request(inv)))
		if !errors.Is(r.err, ErrNoRoute) || r.pay.FailureReason != ReasonNoRoute {
			t.Fatalf("Pay: %v (%+v), want ErrNoRoute", r.err, r.pay)
		}
		if n := h.ch.offerCalls(); n != 0 {
			t.Fatalf("%d HTLCs offered", n)
		}
		for _, rq := range h.rt.requests() {
			if rq.AmountMsat != amt {
				t.Fatalf("asked for a route of %d msat: split an invoice without basic_mpp", rq.AmountMsat)
			}
		}
	})
}

// TestInsufficientBalance refuses a payment our channels cannot send,
// before writing or sending anything.
func TestInsufficientBalance(t *testing.T) {
	caps := map[lnwire.ShortChannelID]uint64{scidSB: 30_000_000, scidSC: 20_000_000}
	h := newHarness(t, caps, pathViaB, pathViaC)
	inv := h.invoice(60_000_000, true)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	p, err := h.payer.Pay(ctx, request(inv))
	if !errors.Is(err, ErrInsufficientBalance) || p != nil {
		t.Fatalf("Pay: %v, %+v; want ErrInsufficientBalance", err, p)
	}
	if n := h.st.updates.Load(); n != 0 {
		t.Fatalf("%d store writes", n)
	}
	if n := storedPayments(t, h.mem); n != 0 {
		t.Fatalf("%d payments stored", n)
	}
	if n, m := h.ch.offerCalls(), len(h.rt.requests()); n != 0 || m != 0 {
		t.Fatalf("%d HTLCs, %d route requests", n, m)
	}
	if l := h.payer.List(); len(l) != 0 {
		t.Fatalf("listed %+v", l)
	}
	if _, ok := h.payer.Get(inv.PaymentHash); ok {
		t.Fatal("Get finds the refused payment")
	}
}

// TestInvoiceChecks refuses requests that cannot be paid, before writing
// or sending anything, and pays an amountless invoice the amount given.
func TestInvoiceChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*Request)
		want error
	}{
		{"expired", func(r *Request) { r.Invoice.Timestamp = time.Now().Add(-2 * time.Hour) }, ErrInvoiceExpired},
		{"no amount", func(r *Request) { r.Invoice.AmountMsat = 0 }, ErrAmount},
		{"below the invoice", func(r *Request) { r.AmountMsat = r.Invoice.AmountMsat - 1 }, ErrAmount},
		{"no invoice", func(r *Request) { r.Invoice = nil }, ErrAmount},
		{"self", func(r *Request) { r.Invoice.Payee = nodeSelf.priv.PubKey() }, ErrSelfPayment},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, defaultCaps(), pathViaB)
			req := request(h.invoice(20_000_000, false))
			tc.edit(&req)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			defer cancel()
			p, err := h.payer.Pay(ctx, req)
			if !errors.Is(err, tc.want) || p != nil {
				t.Fatalf("Pay: %v, %+v; want %v", err, p, tc.want)
			}
			if n := h.st.updates.Load(); n != 0 {
				t.Fatalf("%d store writes", n)
			}
			if n, m := h.ch.offerCalls(), len(h.rt.requests()); n != 0 || m != 0 {
				t.Fatalf("%d HTLCs, %d route requests", n, m)
			}
		})
	}
	t.Run("expired by the configured clock", func(t *testing.T) {
		h := newHarness(t, defaultCaps(), pathViaB)
		req := request(h.invoice(20_000_000, false))
		p, err := New(Config{Store: h.st, Net: &chaincfg.RegressionNetParams, Self: nodeSelf.pub, Channels: h.ch,
			Router: h.rt, Now: func() time.Time { return time.Now().Add(61 * time.Minute) }})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := p.Pay(context.Background(), req); !errors.Is(err, ErrInvoiceExpired) {
			t.Fatalf("Pay: %v, want ErrInvoiceExpired", err)
		}
	})
	t.Run("amountless with an amount", func(t *testing.T) {
		h := newHarness(t, defaultCaps(), pathViaB)
		req := request(h.invoice(0, false))
		req.AmountMsat = 25_000_000
		res := h.payAsync(req)
		o := h.nextOffer()
		hops := h.mustWalk(o)
		if fin := hops[len(hops)-1].peeled.Payload; fin.AmtToForwardMsat != 25_000_000 || fin.TotalMsat != 25_000_000 {
			t.Fatalf("the payee gets %d msat of %d", fin.AmtToForwardMsat, fin.TotalMsat)
		}
		h.settle(o)
		if r := h.wait(res); r.err != nil || r.pay.AmountMsat != 25_000_000 || r.pay.Status != StatusSucceeded {
			t.Fatalf("Pay: %+v, %v", r.pay, r.err)
		}
	})
}

// TestLocalRefusalExcludesChannel has our first channel refuse the HTLC:
// the next attempt avoids it.
func TestLocalRefusalExcludesChannel(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB, pathViaC)
	h.ch.setRefuse(scidSB, errors.New("peer offline"))
	inv := h.invoice(20_000_000, false)
	res := h.payAsync(request(inv))
	o := h.nextOffer()
	if o.SCID != scidSC {
		t.Fatalf("offered on %s, want %s", o.SCID, scidSC)
	}
	h.settle(o)
	r := h.wait(res)
	if r.err != nil || r.pay.Status != StatusSucceeded {
		t.Fatalf("Pay: %+v, %v", r.pay, r.err)
	}
	reqs := h.rt.requests()
	if len(reqs) != 2 || len(reqs[0].Exclude) != 0 || !reqs[1].Exclude[scidSB] || reqs[1].Exclude[scidSC] {
		t.Fatalf("%d requests; excluded %v then %v", len(reqs), reqs[0].Exclude, reqs[len(reqs)-1].Exclude)
	}
	a := r.pay.Attempts
	if len(a) != 2 || a[0].Status != StatusFailed || !strings.Contains(a[0].Failure, "refused") || a[0].Sent ||
		a[0].Hops[0].ShortChannelID != uint64(scidSB) || a[1].Hops[0].ShortChannelID != uint64(scidSC) ||
		a[1].Status != StatusSucceeded {
		t.Fatalf("attempts %+v", a)
	}
	if n := h.ch.offerCalls(); n != 2 {
		t.Fatalf("%d Offer calls", n)
	}
	if f := h.rt.failureReports(); len(f) != 0 {
		t.Fatalf("a local refusal blamed %s", fmtReports(f))
	}
}

// TestTimeout keeps failing every HTLC at B until the request's timeout:
// the payment then fails with FAILURE_REASON_TIMEOUT, but only once no
// HTLC is out.
func TestTimeout(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	inv := h.invoice(20_000_000, false)
	req := request(inv)
	req.Timeout = 300 * time.Millisecond
	start := time.Now()
	held := make(chan offer, 1)
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() { // B fails whatever comes, but holds the first HTLC after the timeout
		defer close(done)
		holding := false
		for {
			select {
			case <-stop:
				return
			case o := <-h.ch.offered:
				if !holding && time.Since(start) > req.Timeout {
					holding = true
					held <- o
					continue
				}
				time.Sleep(2 * time.Millisecond)
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
				h.ch.resolve(o.Ref, true)
				h.payer.Failed(o.Ref, o.HTLC.PaymentHash, o.HTLC.AmountMsat, reason, 0)
			}
		}
	}()
	defer func() { close(stop); <-done }()
	res := h.payAsync(req)
	var r payResult
	select {
	case r = <-res:
	case o := <-held:
		// Past the timeout with an HTLC out: the payment waits for it.
		time.Sleep(30 * time.Millisecond)
		select {
		case r := <-res:
			t.Fatalf("Pay returned with an HTLC out: %+v, %v", r.pay, r.err)
		default:
		}
		if p := h.get(inv.PaymentHash); p.Status != StatusInFlight {
			t.Fatalf("status %s with an HTLC out", p.Status)
		}
		h.failAt(o, 0, tempChanFailure(scidBP))
		r = h.wait(res)
	case <-time.After(5 * time.Second):
		t.Fatal("the payment never ended")
	}
	elapsed := time.Since(start)
	if !errors.Is(r.err, ErrTimeout) || r.pay.FailureReason != ReasonTimeout || r.pay.Status != StatusFailed {
		t.Fatalf("Pay: %v (%s %s)", r.err, r.pay.Status, r.pay.FailureReason)
	}
	if elapsed < req.Timeout {
		t.Fatalf("failed after %v, before the %v timeout", elapsed, req.Timeout)
	}
	if len(r.pay.Attempts) < 2 {
		t.Fatalf("%d attempts: it did not retry", len(r.pay.Attempts))
	}
	for _, a := range r.pay.Attempts {
		if a.Status != StatusFailed || a.FailSource != 0 {
			t.Fatalf("attempt %d: %s from hop %d", a.ID, a.Status, a.FailSource)
		}
	}
	select {
	case o := <-h.ch.offered:
		t.Fatalf("HTLC %d offered after the payment failed", o.Ref.ID)
	case <-time.After(30 * time.Millisecond):
	}
}

// TestMaxParts never has more parts in flight than the request allows.
func TestMaxParts(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB, pathViaC)
	h.rt.maxPerRoute = 100_000_000
	inv := h.invoice(250_000_000, true)
	req := request(inv)
	req.MaxParts = 2
	req.Timeout = 200 * time.Millisecond
	res := h.payAsync(req)
	parts := []offer{h.nextOffer(), h.nextOffer()}
	h.noOffer(50 * time.Millisecond)
	if p := h.get(inv.PaymentHash); len(p.Attempts) != 2 {
		t.Fatalf("%d attempts with MaxParts 2", len(p.Attempts))
	}
	// The payee gives up waiting for the rest; by then the timeout has
	// passed, so the payment ends.
	time.Sleep(req.Timeout)
	for _, o := range parts {
		h.failAt(o, -1, &onion.Failure{Code: onion.CodeMPPTimeout})
	}
	r := h.wait(res)
	if !errors.Is(r.err, ErrTimeout) || len(r.pay.Attempts) != 2 {
		t.Fatalf("Pay: %v, %d attempts", r.err, len(r.pay.Attempts))
	}
}

// TestPayAgainAfterFailure pays an invoice whose earlier payment failed:
// the same payment runs again and keeps its history.
func TestPayAgainAfterFailure(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	inv := h.invoice(20_000_000, false)
	res := h.payAsync(request(inv))
	h.failAt(h.nextOffer(), -1, &onion.Failure{Code: onion.CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: 20_000_000})
	first := h.wait(res)
	if first.err == nil {
		t.Fatal("the first payment did not fail")
	}
	res = h.payAsync(request(inv))
	h.settle(h.nextOffer())
	r := h.wait(res)
	if r.err != nil || r.pay.Status != StatusSucceeded || r.pay.Index != first.pay.Index || len(r.pay.Attempts) != 2 ||
		r.pay.FailureReason != "" || r.pay.Attempts[0].Status != StatusFailed || r.pay.Attempts[1].ID != 1 {
		t.Fatalf("Pay again: %+v, %v", r.pay, r.err)
	}
	if l := h.payer.List(); len(l) != 1 {
		t.Fatalf("%d payments listed", len(l))
	}
}

// TestRouteHints passes the invoice's route hints to the router as edges
// ending at the payee.
func TestRouteHints(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	inv := h.invoice(20_000_000, false)
	inv.RouteHints = [][]invoice.HopHint{
		{{NodeID: nodeC.priv.PubKey(), ShortChannelID: scidCP, FeeBaseMsat: 10, FeeProportionalMillionths: 100, CLTVExpiryDelta: 40}},
		{
			{NodeID: nodeB.priv.PubKey(), ShortChannelID: scidBD, FeeBaseMsat: 1, CLTVExpiryDelta: 10},
			{NodeID: nodeD.priv.PubKey(), ShortChannelID: scidDP, FeeBaseMsat: 2, CLTVExpiryDelta: 20},
		},
	}
	res := h.payAsync(request(inv))
	h.settle(h.nextOffer())
	if r := h.wait(res); r.err != nil {
		t.Fatal(r.err)
	}
	hints := h.rt.requests()[0].Hints
	if len(hints) != 2 || len(hints[0]) != 1 || len(hints[1]) != 2 {
		t.Fatalf("hints %+v", hints)
	}
	for _, c := range []struct {
		e        graph.Edge
		from, to *testNode
		scid     lnwire.ShortChannelID
		base     uint32
		delta    uint16
	}{
		{hints[0][0], nodeC, nodePayee, scidCP, 10, 40},
		{hints[1][0], nodeB, nodeD, scidBD, 1, 10},
		{hints[1][1], nodeD, nodePayee, scidDP, 2, 20},
	} {
		if c.e.From != c.from.pub || c.e.To != c.to.pub || c.e.SCID != c.scid || c.e.Policy.FeeBaseMsat != c.base ||
			c.e.Policy.CLTVExpiryDelta != c.delta || c.e.Policy.HTLCMaximumMsat == 0 {
			t.Fatalf("hint edge %s: %+v", c.scid, c.e)
		}
	}
	if hints[0][0].Policy.FeeProportionalMillionths != 100 {
		t.Fatalf("proportional fee %d", hints[0][0].Policy.FeeProportionalMillionths)
	}
}

// TestOutcomeNotStored: when the outcome cannot be stored, Pay says so
// (ErrNotStored) instead of reporting a status that a restart, resuming
// from what is stored, could contradict; memory and store both still say
// in flight, and paying the same hash again waits for the same run.
func TestOutcomeNotStored(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB, pathViaC)
	const amt = 30_000_000
	inv := h.invoice(amt, false)
	res := h.payAsync(request(inv))
	o := h.nextOffer()
	h.st.dead.Store(true)
	h.failAt(o, -1, &onion.Failure{Code: onion.CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: amt, Height: testHeight})
	r := h.wait(res)
	if !errors.Is(r.err, ErrNotStored) || errors.Is(r.err, ErrFailed) {
		t.Fatalf("Pay: %v, want ErrNotStored", r.err)
	}
	if r.pay == nil || r.pay.Status != StatusInFlight {
		t.Fatalf("payment in memory %+v, want in flight as stored", r.pay)
	}
	again := h.wait(h.payAsync(request(inv)))
	if !errors.Is(again.err, ErrNotStored) {
		t.Fatalf("paying again: %v, want the same run's ErrNotStored", again.err)
	}
	p2, _ := New(Config{Store: h.mem, Net: &chaincfg.RegressionNetParams, Self: nodeSelf.pub,
		Channels: newFakeChannels(defaultCaps()), Router: newFakeRouter()})
	if l := p2.List(); len(l) != 1 || l[0].Status != StatusInFlight {
		t.Fatalf("stored %+v, want in flight", l)
	}
	if n := h.ch.offerCalls(); n != 1 {
		t.Fatalf("%d HTLCs offered, want 1", n)
	}
}
