package graph

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"time"

	"lnwasm/node/lnwire"
)

// Defaults of a RouteRequest's zero limits.
const (
	DefaultMaxHops = 20
	// DefaultMaxCLTV is two weeks of blocks, lnd's default bound on the
	// total time lock.
	DefaultMaxCLTV = 2016
)

// Edge is a directed channel that is not (or not only) in the graph: one of
// our own channels, or a hop of an invoice's route hint.
type Edge struct {
	From, To [33]byte
	SCID     lnwire.ShortChannelID
	// Policy is From's forwarding policy over the channel. For our own
	// channels (RouteRequest.LocalEdges) fees and CLTV delta are unused:
	// we pay no fee to ourselves. HTLCMaximumMsat 0 means no maximum.
	Policy Policy
	// CapacityMsat is what the edge can carry, 0 if unknown; for our own
	// channels it is what we can send now.
	CapacityMsat uint64
}

// Hop is one node of a route after the source.
type Hop struct {
	// NodeID is the node this hop reaches, over SCID.
	NodeID [33]byte
	SCID   lnwire.ShortChannelID
	// AmountMsat and OutgoingCLTV are this node's onion payload:
	// amt_to_forward and outgoing_cltv_value, what it passes to the next
	// node, or, for the last hop, what the recipient gets. The HTLC that
	// reaches this node carries the previous hop's values (the Route's
	// totals for the first hop).
	AmountMsat   uint64
	OutgoingCLTV uint32
}

// Route is a path from the source to the target.
type Route struct {
	Hops []Hop
	// TotalAmountMsat is the amount of the HTLC we offer on the first
	// channel, fees included.
	TotalAmountMsat uint64
	// TotalCLTV is that HTLC's cltv_expiry.
	TotalCLTV uint32
	// FeeMsat is TotalAmountMsat less the amount delivered.
	FeeMsat uint64
}

// RouteRequest is what FindRoute is asked for.
type RouteRequest struct {
	Source, Target [33]byte
	AmountMsat     uint64
	// FinalCLTVDelta is the invoice's min_final_cltv_expiry_delta; the
	// last hop's OutgoingCLTV is Height + FinalCLTVDelta.
	FinalCLTVDelta uint32
	Height         uint32
	// LocalEdges are our own channels. When given, they replace the
	// graph's channels out of Source (the graph knows capacities, we know
	// what is spendable now).
	LocalEdges []Edge
	// Hints are the invoice's route hints as edges (the last one of each
	// reaching Target).
	Hints [][]Edge
	// MaxFeeMsat bounds the fee; 0 means no bound.
	MaxFeeMsat uint64
	// MaxHops bounds the channels of the route; 0 means DefaultMaxHops.
	MaxHops int
	// MaxCLTV bounds TotalCLTV - Height; 0 means DefaultMaxCLTV.
	MaxCLTV uint32
	// Exclude lists channels not to use at all.
	Exclude map[lnwire.ShortChannelID]bool
}

// check refuses requests that cannot describe a payment.
func (r *RouteRequest) check() error {
	if r.AmountMsat == 0 {
		return errors.New("graph: route request for 0 msat")
	}
	if r.Source == r.Target {
		return errors.New("graph: route request from a node to itself")
	}
	for _, e := range r.LocalEdges {
		if e.From != r.Source {
			return fmt.Errorf("graph: local edge %s does not start at the source", e.SCID)
		}
	}
	return nil
}

// FindRoute searches the cheapest route for req, weighing fees, the time
// funds may be locked and the success probability mc estimates (nil: a
// priori only). It holds the graph's read lock during the search.
func (g *Graph) FindRoute(req RouteRequest, mc *Mission, now time.Time) (*Route, error) {
	if err := req.check(); err != nil {
		return nil, err
	}
	if req.MaxHops <= 0 {
		req.MaxHops = DefaultMaxHops
	}
	req.MaxHops = min(req.MaxHops, math.MaxUint16-1) // label.hops is 16 bits
	if req.MaxCLTV == 0 {
		req.MaxCLTV = DefaultMaxCLTV
	}
	g.mu.RLock()
	defer g.mu.RUnlock()
	s := g.newSearch(&req, mc, now)
	if err := s.precheck(); err != nil {
		return nil, err
	}
	if !s.run() {
		return nil, s.noRoute()
	}
	return s.route(), nil
}

// precheck names the obvious reasons there can be no route, before
// searching.
func (s *search) precheck() error {
	r := s.req
	if s.dst >= s.n && len(s.extraIn[s.dst]) == 0 {
		return fmt.Errorf("%w: target %x is not in the graph and no route hint reaches it", ErrNoRoute, r.Target)
	}
	if s.src >= s.n && len(r.LocalEdges) == 0 && !s.hintFromSource() {
		return fmt.Errorf("%w: source %x has no channels", ErrNoRoute, r.Source)
	}
	if len(r.LocalEdges) > 0 {
		var best uint64
		for _, e := range r.LocalEdges {
			best = max(best, e.CapacityMsat)
		}
		if best < r.AmountMsat {
			return fmt.Errorf("%w: no local channel can send %d msat (the most is %d msat)", ErrNoRoute, r.AmountMsat, best)
		}
	}
	return nil
}

// hintFromSource reports whether a hint edge leaves the source.
func (s *search) hintFromSource() bool {
	for i := range s.extras {
		if s.extras[i].from == s.src {
			return true
		}
	}
	return false
}

// noRoute explains a search that did not reach the source, by what it had
// to leave out.
func (s *search) noRoute() error {
	k := s.skips
	var why bytes.Buffer
	fmt.Fprintf(&why, "no path from %x to %x for %d msat", s.req.Source, s.req.Target, s.req.AmountMsat)
	for _, x := range []struct {
		n    int
		what string
	}{
		{k.limits, "channels too small or outside htlc limits"},
		{k.fee, "hops over the fee limit"},
		{k.cltv, "hops over the CLTV limit"},
		{k.hops, "hops over the hop limit"},
		{k.prob, "hops unlikely to succeed after recent failures"},
	} {
		if x.n > 0 {
			fmt.Fprintf(&why, "; %d %s", x.n, x.what)
		}
	}
	return fmt.Errorf("%w: %s", ErrNoRoute, why.String())
}

// route reads the path out of the finished labels: following next from
// the source, each hop's payload is the label of the node after it (the
// target's for the last hop).
func (s *search) route() *Route {
	src := &s.labels[s.src]
	r := &Route{
		TotalAmountMsat: src.amt,
		TotalCLTV:       s.req.Height + src.cltv,
		FeeMsat:         src.amt - s.req.AmountMsat,
	}
	for u := s.src; u != s.dst; {
		l := &s.labels[u]
		v := l.nextNode
		after := v
		if v != s.dst {
			after = s.labels[v].nextNode
		}
		r.Hops = append(r.Hops, Hop{
			NodeID:       s.nodeID(v),
			SCID:         s.edgeSCID(l.next),
			AmountMsat:   s.labels[after].amt,
			OutgoingCLTV: s.req.Height + s.labels[after].cltv,
		})
		u = v
	}
	return r
}
