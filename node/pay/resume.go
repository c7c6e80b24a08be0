package pay

import (
	"fmt"
	"time"

	"lnwasm/node/invoice"
	"lnwasm/node/lnwire"
)

// Resume continues the payments a reload interrupted. An attempt whose
// HTLC never reached a channel is failed; one that did waits for its
// outcome as before; the rest of the amount is sent again if the invoice
// has not expired. decode reads a stored payment request back.
func (p *Payer) Resume(decode func(string) (*invoice.Invoice, error)) {
	p.mu.Lock()
	var pending []*Payment
	for _, pay := range p.payments {
		if pay.Status == StatusInFlight && p.runs[pay.Hash] == nil {
			pending = append(pending, pay)
		}
	}
	p.mu.Unlock()
	for _, pay := range pending {
		refs := p.cfg.Channels.Outgoing(pay.Hash)
		var fulfilled map[HTLCRef][32]byte
		if f, ok := p.cfg.Channels.(fulfilledLister); ok {
			fulfilled = f.Fulfilled(pay.Hash)
		}
		inv, err := decode(pay.PaymentRequest)
		p.mu.Lock()
		p.reconcile(pay, refs, fulfilled)
		r := &run{pay: pay, wake: make(chan struct{}, 1), done: make(chan struct{}),
			exclude: map[lnwire.ShortChannelID]bool{}}
		if err != nil {
			r.terminal, r.message = ReasonError, fmt.Sprintf("resume: %v", err)
		} else {
			r.req = Request{Invoice: inv, PaymentRequest: pay.PaymentRequest, AmountMsat: pay.AmountMsat, FeeLimitMsat: pay.FeeLimitMsat}
			if inv.Expired(p.cfg.Now()) {
				r.terminal, r.message = ReasonTimeout, "the invoice expired while the payment was interrupted"
			}
		}
		if r.req.Invoice == nil {
			r.req.Invoice = &invoice.Invoice{PaymentHash: pay.Hash}
		}
		p.runs[pay.Hash] = r
		if err := save(p.cfg.Store, pay); err != nil {
			p.cfg.Log.Error("store resumed payment", "err", err)
		}
		p.mu.Unlock()
		go p.loop(r, pay.AmountMsat)
	}
}

// fulfilledLister is the optional part of Channels a host offers to
// recover outcomes a reload interrupted: our HTLCs the peer fulfilled,
// with their preimages, while the channel's log still holds them.
type fulfilledLister interface {
	Fulfilled(hash [32]byte) map[HTLCRef][32]byte
}

// reconcile matches attempts to the HTLCs our channels still carry;
// called with p.mu held. A sent attempt whose HTLC is gone was resolved
// while we were stopping: fulfilled if the log holds the preimage, and
// otherwise failed (a failure moves no money, and its notice is what was
// lost).
func (p *Payer) reconcile(pay *Payment, refs []HTLCRef, fulfilled map[HTLCRef][32]byte) {
	live := map[HTLCRef]bool{}
	for _, r := range refs {
		live[r] = true
	}
	for _, a := range pay.Attempts {
		if a.Status != StatusInFlight || !a.Sent {
			continue
		}
		if pre, ok := fulfilled[a.HTLC]; ok {
			a.Status, a.Preimage, a.Resolved = StatusSucceeded, pre, p.cfg.Now()
			pay.Preimage = pre
		} else if !live[a.HTLC] && fulfilled != nil {
			a.Status, a.Failure, a.Resolved = StatusFailed, "resolved while the node was stopping", p.cfg.Now()
		}
		delete(live, a.HTLC)
	}
	named := map[HTLCRef]bool{}
	for _, a := range pay.Attempts {
		if a.Sent {
			named[a.HTLC] = true
		}
	}
	for _, a := range pay.Attempts {
		if a.Status != StatusInFlight || a.Sent {
			continue
		}
		a.Status, a.Failure, a.Resolved = StatusFailed, "interrupted before the HTLC reached a channel", p.cfg.Now()
		// An HTLC with this hash that no attempt names is this one: one
		// the peer already fulfilled first, then one still in flight.
		for ref, pre := range fulfilled {
			if !named[ref] {
				a.Status, a.Failure, a.Resolved, a.Sent, a.HTLC, a.Preimage = StatusSucceeded, "", p.cfg.Now(), true, ref, pre
				pay.Preimage, named[ref] = pre, true
				break
			}
		}
		if a.Status == StatusSucceeded {
			continue
		}
		for ref := range live {
			a.Status, a.Failure, a.Resolved, a.Sent, a.HTLC = StatusInFlight, "", time.Time{}, true, ref
			delete(live, ref)
			break
		}
	}
}
