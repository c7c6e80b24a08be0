package pay

import (
	"crypto/rand"
	"strings"
	"testing"

	"lnwasm/node/onion"
)

// TestFailureInterpretation fails the first HTLC in each way an HTLC can
// come back and checks what the attempt records, what the router learns,
// and whether the payment retries.
func TestFailureInterpretation(t *testing.T) {
	const amt = 30_000_000
	self, b, payee := nodeSelf.pub, nodeB.pub, nodePayee.pub
	firstPair := report{self, b, scidSB, amt + 1000}
	for _, tc := range []struct {
		name       string
		fail       func(h *harness, o offer)
		source     int
		failure    string
		failures   []report
		nodeFails  int
		terminal   string // the payment's failure reason when it must not retry
		wantUpdate bool
	}{
		{name: "malformed at our peer", source: 0, failure: "could not read the onion", failures: []report{firstPair},
			fail: func(h *harness, o offer) {
				h.ch.resolve(o.Ref, true)
				h.payer.Failed(o.Ref, o.HTLC.PaymentHash, o.HTLC.AmountMsat, nil, uint16(onion.CodeInvalidOnionHMAC))
			}},
		{name: "dropped", source: -1, failure: "never left",
			fail: func(h *harness, o offer) {
				h.ch.resolve(o.Ref, true)
				h.payer.Failed(o.Ref, o.HTLC.PaymentHash, o.HTLC.AmountMsat, nil, 0)
			}},
		{name: "unreadable", source: -1, failure: "unreadable failure",
			failures: []report{firstPair, {b, payee, scidBP, amt}},
			fail: func(h *harness, o offer) {
				junk := make([]byte, 292)
				if _, err := rand.Read(junk); err != nil {
					h.t.Fatal(err)
				}
				h.ch.resolve(o.Ref, true)
				h.payer.Failed(o.Ref, o.HTLC.PaymentHash, o.HTLC.AmountMsat, junk, 0)
			}},
		{name: "temporary_node_failure at B", source: 0, failure: "temporary_node_failure", nodeFails: 1,
			fail: func(h *harness, o offer) { h.failAt(o, 0, &onion.Failure{Code: onion.CodeTemporaryNodeFailure}) }},
		{name: "temporary_channel_failure at B", source: 0, failure: "temporary_channel_failure",
			failures: []report{{b, payee, scidBP, amt}}, wantUpdate: true,
			fail: func(h *harness, o offer) { h.failAt(o, 0, tempChanFailure(scidBP)) }},
		{name: "mpp_timeout at the payee", source: 1, failure: "mpp_timeout",
			fail: func(h *harness, o offer) { h.failAt(o, -1, &onion.Failure{Code: onion.CodeMPPTimeout}) }},
		{name: "final_incorrect_htlc_amount at the payee", source: 1, failure: "final_incorrect_htlc_amount",
			terminal: ReasonIncorrectDetails,
			fail: func(h *harness, o offer) {
				h.failAt(o, -1, &onion.Failure{Code: onion.CodeFinalIncorrectHTLCAmount, HTLCMsat: amt})
			}},
		{name: "temporary_node_failure at the payee", source: 1, failure: "temporary_node_failure",
			terminal: ReasonError,
			fail:     func(h *harness, o offer) { h.failAt(o, -1, &onion.Failure{Code: onion.CodeTemporaryNodeFailure}) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, defaultCaps(), pathViaB)
			inv := h.invoice(amt, true)
			res := h.payAsync(request(inv))
			tc.fail(h, h.nextOffer())
			if tc.terminal == "" {
				h.settle(h.nextOffer())
			}
			r := h.wait(res)
			if tc.terminal != "" {
				if r.err == nil || r.pay.Status != StatusFailed || r.pay.FailureReason != tc.terminal {
					t.Fatalf("Pay: %v (%s %s), want %s", r.err, r.pay.Status, r.pay.FailureReason, tc.terminal)
				}
				if n := h.ch.offerCalls(); n != 1 {
					t.Fatalf("%d HTLCs offered: retried", n)
				}
			} else if r.err != nil || r.pay.Status != StatusSucceeded || len(r.pay.Attempts) != 2 {
				t.Fatalf("Pay: %v (%s, %d attempts), want a retry that succeeds", r.err, r.pay.Status, len(r.pay.Attempts))
			}
			a := r.pay.Attempts[0]
			if a.Status != StatusFailed || a.FailSource != tc.source || !strings.Contains(a.Failure, tc.failure) {
				t.Fatalf("first attempt: %s from hop %d: %q; want hop %d, %q", a.Status, a.FailSource, a.Failure, tc.source, tc.failure)
			}
			wantReports(t, "ReportFailure", h.rt.failureReports(), tc.failures)
			h.rt.mu.Lock()
			nodeFails := h.rt.nodeFailures
			h.rt.mu.Unlock()
			if len(nodeFails) != tc.nodeFails || (tc.nodeFails == 1 && nodeFails[0] != b) {
				t.Fatalf("node failures %x", nodeFails)
			}
			if u := h.rt.channelUpdates(); (len(u) == 1) != tc.wantUpdate {
				t.Fatalf("%d channel updates applied", len(u))
			}
		})
	}
}
