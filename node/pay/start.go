package pay

import (
	"encoding/hex"
	"fmt"
	"time"

	"lnwasm/node/graph"
	"lnwasm/node/lnwire"
)

// Defaults of a Request.
const (
	DefaultTimeout  = 60 * time.Second
	DefaultMaxParts = 16
	// minPartMsat is the smallest part a payment is split into.
	minPartMsat = 10_000_000
)

// amountOf checks the request against its invoice and returns what the
// payee must receive.
func (p *Payer) amountOf(req Request) (uint64, error) {
	inv := req.Invoice
	if inv == nil {
		return 0, fmt.Errorf("%w: no invoice", ErrAmount)
	}
	if inv.Expired(p.cfg.Now()) {
		return 0, fmt.Errorf("%w at %s", ErrInvoiceExpired, inv.ExpiresAt().UTC().Format(time.RFC3339))
	}
	if inv.Payee == nil {
		return 0, fmt.Errorf("%w: the invoice names no payee", ErrAmount)
	}
	if [33]byte(inv.Payee.SerializeCompressed()) == p.cfg.Self {
		return 0, ErrSelfPayment
	}
	switch {
	case inv.AmountMsat == 0 && req.AmountMsat == 0:
		return 0, fmt.Errorf("%w: the invoice has no amount; say how much to pay", ErrAmount)
	case inv.AmountMsat == 0:
		return req.AmountMsat, nil
	case req.AmountMsat != 0 && req.AmountMsat < inv.AmountMsat:
		return 0, fmt.Errorf("%w: %d msat is less than the invoice's %d msat", ErrAmount, req.AmountMsat, inv.AmountMsat)
	case req.AmountMsat != 0:
		return req.AmountMsat, nil
	}
	return inv.AmountMsat, nil
}

// feeLimit is the request's limit or lncli's default: 5 % of the amount,
// all of it for amounts under 1,000 sat.
func feeLimit(req Request, amt uint64) uint64 {
	if req.FeeLimitMsat > 0 {
		return req.FeeLimitMsat
	}
	if amt < 1_000_000 {
		return amt
	}
	return amt / 20
}

// sendable is what all our channels can send now.
func sendable(edges []graph.Edge) uint64 {
	var total uint64
	for _, e := range edges {
		total += e.CapacityMsat
	}
	return total
}

// start finds or creates the payment for the request's hash and starts
// working on it unless it is already done or running.
func (p *Payer) start(req Request) (*run, error) {
	amt, err := p.amountOf(req)
	if err != nil {
		return nil, err
	}
	hash := req.Invoice.PaymentHash
	// Read before p.mu: the host holds its channel lock when it reports
	// HTLC outcomes to us, so we never wait for it while holding ours.
	have := sendable(p.cfg.Channels.LocalEdges())
	p.mu.Lock()
	defer p.mu.Unlock()
	if r, ok := p.runs[hash]; ok {
		return r, nil // in flight: wait for it
	}
	pay, ok := p.payments[hash]
	if ok && pay.Status == StatusSucceeded {
		r := &run{pay: pay, done: make(chan struct{})}
		close(r.done)
		return r, nil
	}
	if ok && pay.Status == StatusInFlight {
		return nil, fmt.Errorf("%w: an earlier attempt is still being resolved", ErrFailed)
	}
	if have < amt {
		return nil, fmt.Errorf("%w: channels can send %d msat, the payment needs %d msat plus fees", ErrInsufficientBalance, have, amt)
	}
	if !ok {
		pay = &Payment{Hash: hash, Created: p.cfg.Now()}
	}
	pay.PaymentRequest, pay.AmountMsat, pay.FeeLimitMsat = req.PaymentRequest, amt, feeLimit(req, amt)
	pay.Destination = hex.EncodeToString(req.Invoice.Payee.SerializeCompressed())
	pay.Status, pay.FailureReason, pay.FailureMessage = StatusInFlight, "", ""
	if err := save(p.cfg.Store, pay); err != nil {
		return nil, fmt.Errorf("store payment: %w", err)
	}
	p.payments[hash] = pay
	r := &run{pay: pay, req: req, wake: make(chan struct{}, 1), done: make(chan struct{}),
		exclude: map[lnwire.ShortChannelID]bool{}}
	p.runs[hash] = r
	p.emit(pay)
	go p.loop(r, amt)
	return r, nil
}

// emit reports a change; called with p.mu held.
func (p *Payer) emit(pay *Payment) {
	if p.cfg.Events != nil {
		p.cfg.Events(pay.clone())
	}
}

// poke wakes a run's loop without blocking.
func (r *run) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}
