package pay

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/invoice"
	"lnwasm/node/lnwire"
)

// decoder is a Resume decode function that knows one invoice, and
// records what it was asked.
type decoder struct {
	mu  sync.Mutex
	inv *invoice.Invoice
	req string
	got []string
}

func (d *decoder) decode(s string) (*invoice.Invoice, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.got = append(d.got, s)
	if s != d.req {
		return nil, errors.New("unknown payment request")
	}
	return d.inv, nil
}

func (d *decoder) asked() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.got...)
}

// reloadedList is what yet another payer on the store lists.
func reloadedList(t *testing.T, h *harness) []*Payment {
	t.Helper()
	p, err := New(Config{Store: h.mem, Net: &chaincfg.RegressionNetParams, Self: nodeSelf.pub,
		Channels: newFakeChannels(defaultCaps()), Router: newFakeRouter()})
	if err != nil {
		t.Fatal(err)
	}
	return p.List()
}

// TestResumeSentAttempt reloads while an HTLC is out: the new payer
// finds the attempt, waits for it without sending again, and completes
// the payment when the HTLC settles.
func TestResumeSentAttempt(t *testing.T) {
	t.Run("channels without a fulfilled list", func(t *testing.T) { testResumeSentAttempt(t, nil) })
	t.Run("channels with a fulfilled list", func(t *testing.T) { testResumeSentAttempt(t, map[HTLCRef][32]byte{}) })
}

func testResumeSentAttempt(t *testing.T, fulfilled map[HTLCRef][32]byte) {
	h := newHarness(t, defaultCaps(), pathViaB)
	const amt = 35_000_000
	inv := h.invoice(amt, false)
	req := request(inv)
	h.payAsync(req)
	o := h.nextOffer()
	waitFor(t, 2*time.Second, "the attempt to be recorded as sent", func() bool {
		p := h.get(inv.PaymentHash)
		return len(p.Attempts) == 1 && p.Attempts[0].Sent
	})

	h2 := h.reloadWith([]offer{o}, fulfilled, pathViaB)
	p := h2.get(inv.PaymentHash)
	if p.Status != StatusInFlight || len(p.Attempts) != 1 || !p.Attempts[0].Sent || p.Attempts[0].HTLC != o.Ref ||
		p.Attempts[0].Circuit == nil || p.PaymentRequest != req.PaymentRequest {
		t.Fatalf("reloaded %+v", p)
	}
	// Before Resume the payment is not running: paying again refuses
	// rather than sending a second HTLC.
	if _, err := h2.payer.Pay(context.Background(), req); !errors.Is(err, ErrFailed) {
		t.Fatalf("Pay before Resume: %v, want ErrFailed", err)
	}

	d := &decoder{inv: inv, req: req.PaymentRequest}
	h2.payer.Resume(d.decode)
	if got := d.asked(); len(got) != 1 || got[0] != req.PaymentRequest {
		t.Fatalf("decode asked %q", got)
	}
	h2.noOffer(30 * time.Millisecond)
	if p := h2.get(inv.PaymentHash); p.Status != StatusInFlight || p.Attempts[0].Status != StatusInFlight {
		t.Fatalf("after Resume: %s, attempt %s", p.Status, p.Attempts[0].Status)
	}

	h2.settle(o)
	waitFor(t, 2*time.Second, "the payment to succeed", func() bool {
		return h2.get(inv.PaymentHash).Status == StatusSucceeded
	})
	p = h2.get(inv.PaymentHash)
	if p.Preimage != h.preimage(inv.PaymentHash) || len(p.Attempts) != 1 || p.Attempts[0].Status != StatusSucceeded ||
		p.FeeMsat() != 1000 {
		t.Fatalf("payment %+v", p)
	}
	if n := h2.ch.offerCalls(); n != 0 {
		t.Fatalf("the reloaded payer offered %d HTLCs", n)
	}
	wantReports(t, "ReportSuccess", h2.rt.successReports(), []report{
		{nodeSelf.pub, nodeB.pub, scidSB, amt + 1000},
		{nodeB.pub, nodePayee.pub, scidBP, amt},
	})
	if l := reloadedList(t, h2); len(l) != 1 || l[0].Status != StatusSucceeded || l[0].Preimage != p.Preimage {
		t.Fatalf("stored %+v", l)
	}
	// Paying it again now returns it.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if again, err := h2.payer.Pay(ctx, req); err != nil || again.Status != StatusSucceeded {
		t.Fatalf("Pay after success: %+v, %v", again, err)
	}
}

// TestResumeFailureDecrypts reloads while an HTLC is out, then a hop in
// the middle fails it: the stored circuit decrypts the failure, the
// router learns it, and the payment retries on another route.
func TestResumeFailureDecrypts(t *testing.T) {
	viaC := path{{nodeB, scidSB, 1000, 40}, {nodeC, scidBC, 500, 30}, {nodePayee, scidCP, 0, 0}}
	viaD := path{{nodeB, scidSB, 1000, 40}, {nodeD, scidBD, 700, 20}, {nodePayee, scidDP, 0, 0}}
	h := newHarness(t, defaultCaps(), viaC)
	const amt = 35_000_000
	inv := h.invoice(amt, false)
	req := request(inv)
	h.payAsync(req)
	o := h.nextOffer()
	waitFor(t, 2*time.Second, "the attempt to be recorded as sent", func() bool {
		p := h.get(inv.PaymentHash)
		return len(p.Attempts) == 1 && p.Attempts[0].Sent
	})

	h2 := h.reload([]offer{o}, viaC, viaD)
	h2.rt.learn = true
	h2.payer.Resume((&decoder{inv: inv, req: req.PaymentRequest}).decode)
	h2.failAt(o, 1, tempChanFailure(scidCP))
	o2 := h2.nextOffer()
	if hops := h2.mustWalk(o2); hops[1].node != nodeD {
		t.Fatalf("the retry goes through %s", hops[1].node.name)
	}
	h2.settle(o2)
	waitFor(t, 2*time.Second, "the payment to succeed", func() bool {
		return h2.get(inv.PaymentHash).Status == StatusSucceeded
	})
	p := h2.get(inv.PaymentHash)
	if len(p.Attempts) != 2 || p.Attempts[0].Status != StatusFailed || p.Attempts[0].FailSource != 1 ||
		!strings.Contains(p.Attempts[0].Failure, "temporary_channel_failure") {
		t.Fatalf("attempts %+v", p.Attempts)
	}
	wantReports(t, "ReportFailure", h2.rt.failureReports(), []report{{nodeC.pub, nodePayee.pub, scidCP, amt}})
}

// TestResumeUnsentAttempt reloads while the attempt is stored but its
// HTLC never reached a channel: Resume fails the attempt and sends the
// amount again.
func TestResumeUnsentAttempt(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	entered, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	h.ch.beforeOffer = func(lnwire.ShortChannelID, HTLC) error {
		once.Do(func() { close(entered) })
		<-release
		return errors.New("the process is gone")
	}
	defer close(release)
	inv := h.invoice(35_000_000, false)
	req := request(inv)
	h.payAsync(req)
	select {
	case <-entered:
	case <-time.After(3 * time.Second):
		t.Fatal("no Offer")
	}
	if p := h.get(inv.PaymentHash); len(p.Attempts) != 1 || p.Attempts[0].Sent || p.Attempts[0].Status != StatusInFlight {
		t.Fatalf("before the reload: %+v", p.Attempts)
	}

	h2 := h.reload(nil, pathViaC)
	if p := h2.get(inv.PaymentHash); len(p.Attempts) != 1 || p.Attempts[0].Sent {
		t.Fatalf("the attempt was not stored before Offer: %+v", p.Attempts)
	}
	h2.payer.Resume((&decoder{inv: inv, req: req.PaymentRequest}).decode)
	o := h2.nextOffer()
	if o.SCID != scidSC {
		t.Fatalf("resent on %s", o.SCID)
	}
	p := h2.get(inv.PaymentHash)
	if len(p.Attempts) != 2 || p.Attempts[0].Status != StatusFailed || !strings.Contains(p.Attempts[0].Failure, "interrupted") {
		t.Fatalf("attempts after Resume %+v", p.Attempts)
	}
	h2.settle(o)
	waitFor(t, 2*time.Second, "the payment to succeed", func() bool {
		return h2.get(inv.PaymentHash).Status == StatusSucceeded
	})
	if l := reloadedList(t, h2); len(l) != 1 || l[0].Status != StatusSucceeded || len(l[0].Attempts) != 2 ||
		l[0].Attempts[0].Status != StatusFailed {
		t.Fatalf("stored %+v", l)
	}
}

// TestResumeAdoptsUnrecordedHTLC reloads after the channel took the HTLC
// but before the attempt recorded it: the HTLC the channel still carries
// is the attempt's, and nothing is sent again.
func TestResumeAdoptsUnrecordedHTLC(t *testing.T) {
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

	h2 := h.reload([]offer{o}, pathViaB)
	h2.payer.Resume((&decoder{inv: inv, req: req.PaymentRequest}).decode)
	p := h2.get(inv.PaymentHash)
	if a := p.Attempts[0]; len(p.Attempts) != 1 || a.Status != StatusInFlight || !a.Sent || a.HTLC != o.Ref {
		t.Fatalf("after Resume: %+v", p.Attempts)
	}
	h2.noOffer(30 * time.Millisecond)
	h2.settle(o)
	waitFor(t, 2*time.Second, "the payment to succeed", func() bool {
		return h2.get(inv.PaymentHash).Status == StatusSucceeded
	})
	if n := h2.ch.offerCalls(); n != 0 {
		t.Fatalf("the reloaded payer offered %d HTLCs", n)
	}
}

// TestResumeExpiredInvoice reloads a payment whose invoice expired while
// its HTLC was out: nothing is sent again, and the payment fails once
// the HTLC does.
func TestResumeExpiredInvoice(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	inv := h.invoice(35_000_000, false)
	req := request(inv)
	h.payAsync(req)
	o := h.nextOffer()
	waitFor(t, 2*time.Second, "the attempt to be recorded as sent", func() bool {
		return h.get(inv.PaymentHash).Attempts[0].Sent
	})
	h2 := h.reload([]offer{o}, pathViaB)
	expired := *inv
	expired.Timestamp = time.Now().Add(-2 * time.Hour)
	h2.payer.Resume((&decoder{inv: &expired, req: req.PaymentRequest}).decode)
	h2.failAt(o, 0, tempChanFailure(scidBP))
	waitFor(t, 2*time.Second, "the payment to fail", func() bool {
		return h2.get(inv.PaymentHash).Status == StatusFailed
	})
	if p := h2.get(inv.PaymentHash); p.FailureReason != ReasonTimeout || len(p.Attempts) != 1 {
		t.Fatalf("payment %s, %d attempts", p.FailureReason, len(p.Attempts))
	}
	if n := h2.ch.offerCalls(); n != 0 {
		t.Fatalf("offered %d HTLCs for an expired invoice", n)
	}
}

// sentAndReloaded starts paying inv, waits until its HTLC is offered and
// recorded as sent, and returns the offer.
func sentAndReloaded(t *testing.T, h *harness, req Request) offer {
	t.Helper()
	h.payAsync(req)
	o := h.nextOffer()
	waitFor(t, 2*time.Second, "the attempt to be recorded as sent", func() bool {
		p := h.get(req.Invoice.PaymentHash)
		return len(p.Attempts) == 1 && p.Attempts[0].Sent
	})
	return o
}

// TestResumeFulfilledWhileStopping reloads after the peer fulfilled the
// HTLC but before the payer heard: the channel log's preimage completes
// the payment and nothing is sent again.
func TestResumeFulfilledWhileStopping(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	inv := h.invoice(35_000_000, false)
	req := request(inv)
	o := sentAndReloaded(t, h, req)
	pre := h.preimage(inv.PaymentHash)
	h2 := h.reloadWith(nil, map[HTLCRef][32]byte{o.Ref: pre}, pathViaB)
	h2.payer.Resume((&decoder{inv: inv, req: req.PaymentRequest}).decode)
	waitFor(t, 2*time.Second, "the payment to succeed", func() bool {
		return h2.get(inv.PaymentHash).Status == StatusSucceeded
	})
	p := h2.get(inv.PaymentHash)
	if p.Preimage != pre || len(p.Attempts) != 1 || p.Attempts[0].Status != StatusSucceeded || p.Attempts[0].Preimage != pre {
		t.Fatalf("payment %+v", p)
	}
	h2.noOffer(30 * time.Millisecond)
	if n := h2.ch.offerCalls(); n != 0 {
		t.Fatalf("offered %d HTLCs", n)
	}
	if l := reloadedList(t, h2); len(l) != 1 || l[0].Status != StatusSucceeded || l[0].Preimage != pre {
		t.Fatalf("stored %+v", l)
	}
}

// TestResumeResolvedWhileStopping reloads after the HTLC left the
// channel's log without a fulfilment: the attempt failed, and the amount
// is sent again.
func TestResumeResolvedWhileStopping(t *testing.T) {
	h := newHarness(t, defaultCaps(), pathViaB)
	inv := h.invoice(35_000_000, false)
	req := request(inv)
	sentAndReloaded(t, h, req)
	h2 := h.reloadWith(nil, map[HTLCRef][32]byte{}, pathViaC)
	h2.payer.Resume((&decoder{inv: inv, req: req.PaymentRequest}).decode)
	o := h2.nextOffer()
	if o.SCID != scidSC {
		t.Fatalf("resent on %s", o.SCID)
	}
	h2.settle(o)
	waitFor(t, 2*time.Second, "the payment to succeed", func() bool {
		return h2.get(inv.PaymentHash).Status == StatusSucceeded
	})
	p := h2.get(inv.PaymentHash)
	if len(p.Attempts) != 2 || p.Attempts[0].Status != StatusFailed || !strings.Contains(p.Attempts[0].Failure, "stopping") ||
		p.Attempts[1].Status != StatusSucceeded {
		t.Fatalf("attempts %+v", p.Attempts)
	}
}
