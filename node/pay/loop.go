package pay

import (
	"errors"
	"fmt"
	"time"

	"lnwasm/node/graph"
	"lnwasm/node/lnwire"
)

// next is what the loop does after looking at a payment.
type next int

const (
	nextWait next = iota
	nextSend
	nextDone
)

// loop sends attempts until the payee has the whole amount or no retry
// can help, then waits for every HTLC still out and records the outcome.
// It runs on its own goroutine: a payment's HTLCs outlive the caller's
// context.
func (p *Payer) loop(r *run, amt uint64) {
	defer close(r.done)
	timeout := r.req.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	deadline := time.NewTimer(timeout)
	defer deadline.Stop()
	partMax := amt
	expire := func() {
		p.mu.Lock()
		if r.terminal == "" {
			r.terminal, r.message = ReasonTimeout, fmt.Sprintf("no success within %s", timeout)
		}
		p.mu.Unlock()
	}
	for {
		// The deadline is checked before every step, not only while
		// waiting: failures that come back at once would otherwise retry
		// forever.
		select {
		case <-deadline.C:
			expire()
		default:
		}
		switch step, remaining := p.decide(r, amt); step {
		case nextDone:
			return
		case nextSend:
			if err := p.attempt(r, min(remaining, partMax), amt); err != nil {
				if errors.Is(err, graph.ErrNoRoute) && p.canSplit(r, partMax) {
					partMax /= 2
					continue
				}
				p.giveUp(r, err)
			}
			continue
		}
		select {
		case <-r.wake:
		case <-deadline.C:
			expire()
		}
	}
}

// decide reads the payment: done, send another part of remaining msat,
// or wait for an HTLC's outcome.
func (p *Payer) decide(r *run, amt uint64) (next, uint64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay := r.pay
	n, inflight := pay.inFlight()
	delivered := pay.succeededMsat()
	maxParts := r.req.MaxParts
	if maxParts == 0 {
		maxParts = DefaultMaxParts
	}
	switch {
	case n > 0 && (delivered > 0 || r.terminal != ""):
		return nextWait, 0
	case delivered > 0:
		p.finish(r, StatusSucceeded)
		return nextDone, 0
	case r.terminal != "" && n == 0:
		p.finish(r, StatusFailed)
		return nextDone, 0
	case inflight >= amt || n >= maxParts:
		return nextWait, 0
	}
	return nextSend, amt - inflight
}

// canSplit reports whether a part of partMax may be halved: the invoice
// allows multi-part payments and the halves are not too small.
func (p *Payer) canSplit(r *run, partMax uint64) bool {
	inv := r.req.Invoice
	mpp := inv.Features.Supports(lnwire.FeatureBit(16)) && inv.PaymentSecret != nil
	return mpp && partMax/2 >= minPartMsat
}

// giveUp ends sending: no route or a local refusal nothing else can fix.
func (p *Payer) giveUp(r *run, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if r.terminal != "" {
		return
	}
	r.terminal, r.message = ReasonError, err.Error()
	if errors.Is(err, graph.ErrNoRoute) {
		r.terminal = ReasonNoRoute
	}
}

// finish records the outcome; called with p.mu held.
//
// An outcome that cannot be stored is not reported: what is stored still
// says in flight, a restart resumes the payment from there and may reach
// the other outcome, so the caller gets ErrNotStored instead of a status
// a restart could contradict. The run stays, so paying the same hash
// again waits for it rather than sending anew.
func (p *Payer) finish(r *run, st Status) {
	pay := r.pay
	prev := *pay
	pay.Status, pay.Resolved = st, p.cfg.Now()
	if st == StatusFailed {
		pay.FailureReason, pay.FailureMessage = r.terminal, r.message
	}
	if err := save(p.cfg.Store, pay); err != nil {
		*pay = prev
		r.unsaved = fmt.Errorf("%w: %v", ErrNotStored, err)
		p.cfg.Log.Error("store payment outcome", "hash", fmt.Sprintf("%x", pay.Hash), "err", err)
		return
	}
	delete(p.runs, pay.Hash)
	p.emit(pay)
}
