package node

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"lnwasm/node/channel"
	"lnwasm/node/graph"
	"lnwasm/node/invoice"
	"lnwasm/node/lnwire"
	"lnwasm/node/pay"
)

// Payment errors a caller can act on.
var (
	ErrLocked = errors.New("wallet locked")
)

// payments is what the node keeps for paying and being paid.
type payments struct {
	payer    *pay.Payer
	invoices *invoice.Registry
	router   *router
	recv     *receiver
}

// router serializes the graph and mission control between gossip and
// payments.
type router struct {
	mu      sync.Mutex
	g       *graph.Graph
	mission *graph.Mission
	now     func() time.Time
	syncers map[string]*graph.Syncer // by peer
	dirty   int                      // gossip messages since the last flush
}

func (r *router) FindRoute(req graph.RouteRequest) (*graph.Route, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.g.FindRoute(req, r.mission, r.now())
}

func (r *router) ApplyChannelUpdate(u *lnwire.ChannelUpdate) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.g.ApplyFailureUpdate(u)
}

func (r *router) ReportFailure(from, to [33]byte, scid lnwire.ShortChannelID, amt uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mission.ReportFailure(from, to, scid, amt, r.now())
}

func (r *router) ReportNodeFailure(node [33]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mission.ReportNodeFailure(node, r.now())
}

func (r *router) ReportSuccess(from, to [33]byte, scid lnwire.ShortChannelID, amt uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.mission.ReportSuccess(from, to, scid, amt, r.now())
}

// startPayments opens the graph, the invoice registry and the payer once
// the wallet is unlocked, and resumes interrupted payments.
func (n *Node) startPayments() error {
	g, err := graph.New(n.cfg.Store, *n.cfg.Network.GenesisHash)
	if err != nil {
		return fmt.Errorf("open graph: %w", err)
	}
	rt := &router{g: g, mission: graph.NewMission(), now: time.Now}
	self := [33]byte(n.identity.PubKey().SerializeCompressed())
	payer, err := pay.New(pay.Config{
		Store: n.cfg.Store, Net: n.cfg.Network, Self: self, Channels: (*payChannels)(n), Router: rt,
		Events: n.emitPayment, Log: n.log,
	})
	if err != nil {
		return err
	}
	n.mu.Lock()
	n.pay = &payments{payer: payer, invoices: invoice.NewRegistry(n.cfg.Store), router: rt, recv: newReceiver()}
	n.mu.Unlock()
	return nil
}

// resumePayments continues what a reload interrupted, once channels are
// loaded: payments in flight, and incoming HTLCs not yet settled or
// failed (an invoice already marked paid settles its HTLC at once).
func (n *Node) resumePayments() {
	n.pay.payer.Resume(n.DecodePayReq)
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	for _, e := range n.chans.byID {
		for _, u := range e.m.Incoming() {
			rec, err := n.pay.invoices.Get(u.PaymentHash)
			if err == nil && rec.State == invoice.StateSettled {
				n.stepLog(e, channel.SettleHTLC{ID: u.HTLCID, Preimage: rec.Preimage})
				continue
			}
			n.onIncoming(e, u)
		}
	}
}

// DecodePayReq decodes a BOLT 11 invoice for this node's network.
func (n *Node) DecodePayReq(s string) (*invoice.Invoice, error) {
	return invoice.Decode(s, n.cfg.Network)
}

// SendPaymentRequest is lncli sendpayment's arguments.
type SendPaymentRequest struct {
	PaymentRequest string
	AmountMsat     uint64
	FeeLimitMsat   uint64
	Timeout        time.Duration
}

// SendPayment pays an invoice and waits for the outcome (or ctx).
func (n *Node) SendPayment(ctx context.Context, req SendPaymentRequest) (*pay.Payment, error) {
	ps, err := n.payments()
	if err != nil {
		return nil, err
	}
	inv, err := n.DecodePayReq(req.PaymentRequest)
	if err != nil {
		return nil, err
	}
	return ps.payer.Pay(ctx, pay.Request{Invoice: inv, PaymentRequest: req.PaymentRequest,
		AmountMsat: req.AmountMsat, FeeLimitMsat: req.FeeLimitMsat, Timeout: req.Timeout})
}

// ListPayments lists our payments, oldest first.
func (n *Node) ListPayments() ([]*pay.Payment, error) {
	ps, err := n.payments()
	if err != nil {
		return nil, err
	}
	return ps.payer.List(), nil
}

func (n *Node) payments() (*payments, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.pay == nil {
		return nil, ErrLocked
	}
	return n.pay, nil
}

func (n *Node) emitPayment(p *pay.Payment) {
	n.emit(Event{Type: "payment", PaymentHash: fmt.Sprintf("%x", p.Hash), State: string(p.Status)})
}

// payChannels is the Node as pay.Channels.
type payChannels Node

// LocalEdges lists our active channels with a connected peer, each with
// what it can send now.
func (pc *payChannels) LocalEdges() []graph.Edge {
	n := (*Node)(pc)
	self := [33]byte(n.identity.PubKey().SerializeCompressed())
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	var out []graph.Edge
	for _, e := range n.chans.byID {
		if e.m.Phase() != channel.PhaseNormal || e.m.SCID() == 0 || n.connectedPeer(e.peer) == nil {
			continue
		}
		peer, ok := pubkeyBytes(e.peer)
		if !ok {
			continue
		}
		out = append(out, graph.Edge{From: self, To: peer, SCID: e.m.SCID(),
			CapacityMsat: e.m.Sendable(), Policy: graph.Policy{HTLCMaximumMsat: ^uint64(0)}})
	}
	return out
}

// Offer adds an HTLC on the channel with scid.
func (pc *payChannels) Offer(scid lnwire.ShortChannelID, h pay.HTLC) (pay.HTLCRef, error) {
	n := (*Node)(pc)
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	for id, e := range n.chans.byID {
		if e.m.SCID() != scid {
			continue
		}
		out, err := e.m.Handle(channel.AddHTLC{AmountMsat: h.AmountMsat, PaymentHash: h.PaymentHash, CltvExpiry: h.CltvExpiry, Onion: h.Onion})
		if out != nil {
			if aerr := n.apply(e, id, out); aerr != nil {
				return pay.HTLCRef{}, aerr
			}
		}
		if err != nil {
			return pay.HTLCRef{}, err
		}
		return pay.HTLCRef{Channel: id, ID: out.Added}, nil
	}
	return pay.HTLCRef{}, fmt.Errorf("%w: short channel id %s", ErrUnknownChannel, scid)
}

// Height is the chain tip the payment's CLTVs count from.
func (pc *payChannels) Height() uint32 {
	return (*Node)(pc).tipHeight()
}

// Outgoing lists our HTLCs with hash that channels still carry.
func (pc *payChannels) Outgoing(hash [32]byte) []pay.HTLCRef {
	n := (*Node)(pc)
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	var out []pay.HTLCRef
	for id, e := range n.chans.byID {
		for _, u := range e.m.Outgoing() {
			if u.PaymentHash == hash {
				out = append(out, pay.HTLCRef{Channel: id, ID: u.HTLCID})
			}
		}
	}
	return out
}

// GraphStats is the size of our view of the network.
type GraphStats struct {
	Nodes, Channels int
	Synced          bool
}

// GraphStats reports our graph's size, and whether an initial sync with
// some peer finished.
func (n *Node) GraphStats() GraphStats {
	ps, err := n.payments()
	if err != nil {
		return GraphStats{}
	}
	ps.router.mu.Lock()
	defer ps.router.mu.Unlock()
	st := GraphStats{Nodes: ps.router.g.NumNodes(), Channels: ps.router.g.NumChannels()}
	for _, s := range ps.router.syncers {
		st.Synced = st.Synced || s.Done()
	}
	return st
}

// Fulfilled lists our HTLCs with hash that the peer fulfilled, with the
// preimage, while the channel's log still holds them.
func (pc *payChannels) Fulfilled(hash [32]byte) map[pay.HTLCRef][32]byte {
	n := (*Node)(pc)
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	out := map[pay.HTLCRef][32]byte{}
	for id, e := range n.chans.byID {
		for _, u := range e.m.Fulfilled() {
			if u.PaymentHash == hash {
				out[pay.HTLCRef{Channel: id, ID: u.HTLCID}] = u.Preimage
			}
		}
	}
	return out
}
