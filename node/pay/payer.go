package pay

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/graph"
	"lnwasm/node/invoice"
	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// HTLC is what an attempt asks a channel to offer.
type HTLC struct {
	AmountMsat  uint64
	PaymentHash [32]byte
	CltvExpiry  uint32
	Onion       [lnwire.OnionPacketSize]byte
}

// Channels is the host's side: our channels as first hops, and offering
// an HTLC on one of them.
type Channels interface {
	// LocalEdges are our usable channels, CapacityMsat being what each can
	// send now.
	LocalEdges() []graph.Edge
	// Offer adds the HTLC to the channel with scid; when it returns, the
	// HTLC is in the channel's stored log.
	Offer(scid lnwire.ShortChannelID, h HTLC) (HTLCRef, error)
	// Height is the chain tip the CLTVs count from.
	Height() uint32
	// Outgoing lists the HTLCs with this hash our channels still carry,
	// so a reload can tell an attempt that reached a channel from one that
	// did not.
	Outgoing(hash [32]byte) []HTLCRef
}

// Router finds routes and learns from outcomes; the host serializes it
// with gossip.
type Router interface {
	FindRoute(req graph.RouteRequest) (*graph.Route, error)
	ApplyChannelUpdate(u *lnwire.ChannelUpdate) error
	ReportFailure(from, to [33]byte, scid lnwire.ShortChannelID, amountMsat uint64)
	ReportNodeFailure(node [33]byte)
	ReportSuccess(from, to [33]byte, scid lnwire.ShortChannelID, amountMsat uint64)
}

// Config is what a Payer needs.
type Config struct {
	Store    store.Store
	Net      *chaincfg.Params
	Self     [33]byte
	Channels Channels
	Router   Router
	Now      func() time.Time
	Rand     io.Reader
	// Events hears about every change of a payment.
	Events func(*Payment)
	Log    *slog.Logger
}

// Payer runs payments.
type Payer struct {
	cfg Config

	mu       sync.Mutex
	payments map[[32]byte]*Payment
	runs     map[[32]byte]*run
}

// run is one payment being worked on.
type run struct {
	pay      *Payment
	req      Request
	wake     chan struct{}
	done     chan struct{}
	terminal string // lnd's failure_reason once no retry can help
	message  string // why, for a person
	unsaved  error  // the outcome could not be stored (ErrNotStored)
	exclude  map[lnwire.ShortChannelID]bool
}

// New loads the stored payments.
func New(cfg Config) (*Payer, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	all, err := loadAll(cfg.Store)
	if err != nil {
		return nil, fmt.Errorf("load payments: %w", err)
	}
	return &Payer{cfg: cfg, payments: all, runs: map[[32]byte]*run{}}, nil
}

// List returns every payment in creation order.
func (p *Payer) List() []*Payment {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make([]*Payment, 0, len(p.payments))
	for _, pay := range p.payments {
		out = append(out, pay.clone())
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Index < out[j].Index })
	return out
}

// Get returns one payment.
func (p *Payer) Get(hash [32]byte) (*Payment, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, ok := p.payments[hash]
	if !ok {
		return nil, false
	}
	return pay.clone(), true
}

// Request is one payment to make.
type Request struct {
	Invoice        *invoice.Invoice
	PaymentRequest string
	// AmountMsat is required when the invoice has no amount; otherwise it
	// must be zero or at least the invoice's.
	AmountMsat   uint64
	FeeLimitMsat uint64        // 0: 5 % (100 % below 1,000 sat), as lncli
	Timeout      time.Duration // 0: 60 s without a new attempt after it
	MaxParts     int           // 0: 16
}

// Pay pays an invoice and waits for the outcome or ctx. Paying a hash
// that already succeeded returns that payment and sends nothing; paying
// one in flight waits for it.
func (p *Payer) Pay(ctx context.Context, req Request) (*Payment, error) {
	r, err := p.start(req)
	if err != nil {
		return nil, err
	}
	select {
	case <-r.done:
	case <-ctx.Done():
	}
	p.mu.Lock()
	unsaved := r.unsaved
	p.mu.Unlock()
	pay, _ := p.Get(r.pay.Hash)
	if unsaved != nil {
		return pay, unsaved
	}
	if pay.Status == StatusFailed {
		return pay, failureError(pay)
	}
	return pay, nil
}

// failureError is the error a failed payment returns.
func failureError(pay *Payment) error {
	base := ErrFailed
	switch pay.FailureReason {
	case ReasonNoRoute:
		base = ErrNoRoute
	case ReasonInsufficientBalance:
		base = ErrInsufficientBalance
	case ReasonTimeout:
		base = ErrTimeout
	}
	return fmt.Errorf("%w: %s", base, pay.failureMessage())
}
