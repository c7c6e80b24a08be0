package pay

import (
	"encoding/hex"
	"fmt"
	"math/bits"

	"github.com/btcsuite/btcd/btcec/v2"

	"lnwasm/node/graph"
	"lnwasm/node/invoice"
	"lnwasm/node/lnwire"
	"lnwasm/node/onion"
)

// cltvPadding is added to the invoice's final CLTV delta so that blocks
// found while the HTLC travels do not make the payee refuse it (lnd pads
// by the same 3 blocks).
const cltvPadding = 3

// routeRequest is the pathfinding question for one part of amt msat.
func (p *Payer) routeRequest(r *run, amt uint64) graph.RouteRequest {
	inv := r.req.Invoice
	budget, exclude := p.feeBudget(r, amt)
	// Channels are read without p.mu: the host calls us with its channel
	// lock held, so we never wait for it while holding ours.
	return graph.RouteRequest{
		Source: p.cfg.Self, Target: [33]byte(inv.Payee.SerializeCompressed()), AmountMsat: amt,
		FinalCLTVDelta: uint32(inv.MinFinalCLTVExpiryDelta) + cltvPadding, Height: p.cfg.Channels.Height(),
		LocalEdges: p.cfg.Channels.LocalEdges(), Hints: hintEdges(inv), MaxFeeMsat: budget,
		Exclude: exclude,
	}
}

// feeBudget is what a part of amt msat may pay in fees: the payment's
// limit less what parts in flight or done spend, shared in proportion to
// amount; and a copy of the channels to avoid.
func (p *Payer) feeBudget(r *run, amt uint64) (uint64, map[lnwire.ShortChannelID]bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay := r.pay
	_, inflight := pay.inFlight()
	var spent uint64
	for _, a := range pay.Attempts {
		if a.Status != StatusFailed {
			spent += a.TotalMsat - a.AmountMsat
		}
	}
	budget := pay.FeeLimitMsat - min(spent, pay.FeeLimitMsat)
	if rest := pay.AmountMsat - min(inflight, pay.AmountMsat); rest > 0 && amt < rest {
		// budget × amt can pass 2^64 from about 0.27 BTC on: 128-bit.
		hi, lo := bits.Mul64(budget, amt)
		budget, _ = bits.Div64(hi, lo, rest)
	}
	exclude := make(map[lnwire.ShortChannelID]bool, len(r.exclude))
	for k, v := range r.exclude {
		exclude[k] = v
	}
	return budget, exclude
}

// hintEdges turns the invoice's route hints into edges ending at the payee.
func hintEdges(inv *invoice.Invoice) [][]graph.Edge {
	payee := [33]byte(inv.Payee.SerializeCompressed())
	var out [][]graph.Edge
	for _, hint := range inv.RouteHints {
		edges := make([]graph.Edge, len(hint))
		for i, h := range hint {
			to := payee
			if i+1 < len(hint) {
				to = [33]byte(hint[i+1].NodeID.SerializeCompressed())
			}
			edges[i] = graph.Edge{
				From: [33]byte(h.NodeID.SerializeCompressed()), To: to, SCID: h.ShortChannelID,
				Policy: graph.Policy{FeeBaseMsat: h.FeeBaseMsat, FeeProportionalMillionths: h.FeeProportionalMillionths,
					CLTVExpiryDelta: h.CLTVExpiryDelta, HTLCMaximumMsat: ^uint64(0)},
			}
		}
		out = append(out, edges)
	}
	return out
}

// attempt finds a route for amt msat, stores the attempt, and offers its
// HTLC. A first hop that refuses is excluded and the error is not
// returned: the loop simply tries again.
func (p *Payer) attempt(r *run, amt, total uint64) error {
	req := p.routeRequest(r, amt)
	if req.MaxFeeMsat == 0 {
		// The router reads 0 as "no limit"; ours is spent.
		return fmt.Errorf("%w: the fee limit is spent", graph.ErrNoRoute)
	}
	route, err := p.cfg.Router.FindRoute(req)
	if err != nil {
		return err
	}
	if route.FeeMsat > req.MaxFeeMsat {
		return fmt.Errorf("%w: the best route costs %d msat, over the %d msat left of the fee limit", graph.ErrNoRoute, route.FeeMsat, req.MaxFeeMsat)
	}
	a, htlc, err := p.build(r, route, amt, total)
	if err != nil {
		return err
	}
	p.mu.Lock()
	a.ID = uint64(len(r.pay.Attempts))
	r.pay.Attempts = append(r.pay.Attempts, a)
	err = save(p.cfg.Store, r.pay)
	if err != nil {
		// Never offered: it must not be waited for.
		r.pay.Attempts = r.pay.Attempts[:len(r.pay.Attempts)-1]
	}
	p.mu.Unlock()
	if err != nil {
		return fmt.Errorf("store attempt: %w", err)
	}
	ref, err := p.cfg.Channels.Offer(lnwire.ShortChannelID(a.Hops[0].ShortChannelID), htlc)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err != nil {
		a.Status, a.Failure, a.Resolved = StatusFailed, "our channel refused: "+err.Error(), p.cfg.Now()
		r.exclude[lnwire.ShortChannelID(a.Hops[0].ShortChannelID)] = true
		if serr := save(p.cfg.Store, r.pay); serr != nil {
			return fmt.Errorf("store attempt: %w", serr)
		}
		return nil
	}
	if a.Status == StatusInFlight && !a.Sent {
		a.Sent, a.HTLC = true, ref
		if err := save(p.cfg.Store, r.pay); err != nil {
			p.cfg.Log.Warn("store attempt's HTLC id", "err", err)
		}
	}
	p.emit(r.pay)
	return nil
}

// build makes the attempt's onion for route, carrying amt of total msat.
func (p *Payer) build(r *run, route *graph.Route, amt, total uint64) (*Attempt, HTLC, error) {
	hops := routeHops(route)
	var sk [32]byte
	if _, err := p.cfg.Rand.Read(sk[:]); err != nil {
		return nil, HTLC{}, fmt.Errorf("session key: %w", err)
	}
	session, _ := btcec.PrivKeyFromBytes(sk[:])
	ohops, err := onionHops(hops, r.req.Invoice, total)
	if err != nil {
		return nil, HTLC{}, err
	}
	packet, circuit, err := onion.New(session, ohops, r.pay.Hash)
	if err != nil {
		return nil, HTLC{}, fmt.Errorf("build onion: %w", err)
	}
	a := &Attempt{AmountMsat: amt, TotalMsat: hops[0].AmountMsat, CltvExpiry: hops[0].ExpiryHeight,
		Hops: hops, Circuit: circuit, Status: StatusInFlight, FailSource: -1, Started: p.cfg.Now()}
	return a, HTLC{AmountMsat: a.TotalMsat, PaymentHash: r.pay.Hash, CltvExpiry: a.CltvExpiry, Onion: packet}, nil
}

// onionHops writes each hop's payload: where to forward what, and for
// the payee the payment secret and the total of all parts.
func onionHops(hops []RouteHop, inv *invoice.Invoice, total uint64) ([]onion.Hop, error) {
	out := make([]onion.Hop, len(hops))
	for i, h := range hops {
		raw, err := hex.DecodeString(h.Pubkey)
		if err != nil {
			return nil, err
		}
		pub, err := btcec.ParsePubKey(raw)
		if err != nil {
			return nil, fmt.Errorf("hop %d key: %w", i, err)
		}
		pl := onion.Payload{AmtToForwardMsat: h.AmountMsat, OutgoingCLTV: h.ExpiryHeight}
		if i+1 < len(hops) {
			nxt := hops[i+1]
			scid := lnwire.ShortChannelID(nxt.ShortChannelID)
			pl = onion.Payload{AmtToForwardMsat: nxt.AmountMsat, OutgoingCLTV: nxt.ExpiryHeight, ShortChannelID: &scid}
		} else {
			pl.PaymentSecret, pl.TotalMsat, pl.Metadata = inv.PaymentSecret, total, inv.Metadata
		}
		out[i] = onion.Hop{PubKey: pub, Payload: pl}
	}
	return out, nil
}

// routeHops converts a found route to what each hop receives: the HTLC
// reaching hop i carries the amount and expiry hop i-1's payload names
// (the route's totals for the first hop).
func routeHops(route *graph.Route) []RouteHop {
	out := make([]RouteHop, len(route.Hops))
	amt, cltv := route.TotalAmountMsat, route.TotalCLTV
	for i, h := range route.Hops {
		out[i] = RouteHop{Pubkey: hex.EncodeToString(h.NodeID[:]), ShortChannelID: uint64(h.SCID),
			AmountMsat: amt, ExpiryHeight: cltv, FeeMsat: amt - min(h.AmountMsat, amt)}
		amt, cltv = h.AmountMsat, h.OutgoingCLTV
	}
	return out
}
