package pay

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/graph"
	"lnwasm/node/invoice"
	"lnwasm/node/lnwire"
	"lnwasm/node/onion"
	"lnwasm/node/store"
)

// testHeight is the chain tip of every test.
const testHeight = 800_000

// testFinalCLTV is the invoices' min_final_cltv_expiry_delta.
const testFinalCLTV = 18

// testNode is a node with a real key, so onions can be built to it and
// peeled by it.
type testNode struct {
	name string
	priv *btcec.PrivateKey
	pub  [33]byte
}

func newTestNode(name string, seed byte) *testNode {
	k, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{seed}, 32))
	return &testNode{name: name, priv: k, pub: [33]byte(k.PubKey().SerializeCompressed())}
}

// The nodes and channels of the test network:
//
//	self ─SB─ B ─BP─ payee
//	self ─SC─ C ─CP─ payee
//	          B ─BC─ C
//	          B ─BD─ D ─DP─ payee
var (
	nodeSelf  = newTestNode("self", 0x01)
	nodeB     = newTestNode("B", 0x0b)
	nodeC     = newTestNode("C", 0x0c)
	nodeD     = newTestNode("D", 0x0d)
	nodePayee = newTestNode("payee", 0x0f)
)

const (
	scidSB = lnwire.ShortChannelID(700_001<<40 | 1<<16)
	scidSC = lnwire.ShortChannelID(700_002<<40 | 1<<16)
	scidBP = lnwire.ShortChannelID(700_003<<40 | 1<<16)
	scidCP = lnwire.ShortChannelID(700_004<<40 | 1<<16)
	scidBC = lnwire.ShortChannelID(700_005<<40 | 1<<16)
	scidBD = lnwire.ShortChannelID(700_006<<40 | 1<<16)
	scidDP = lnwire.ShortChannelID(700_007<<40 | 1<<16)
)

// farEnd is the node each channel leads to in the direction of payment.
var farEnd = map[lnwire.ShortChannelID]*testNode{
	scidSB: nodeB, scidSC: nodeC, scidBP: nodePayee, scidCP: nodePayee,
	scidBC: nodeC, scidBD: nodeD, scidDP: nodePayee,
}

// chanID is the channel id the fake channels give a short channel id.
func chanID(scid lnwire.ShortChannelID) lnwire.ChannelID {
	var id lnwire.ChannelID
	binary.BigEndian.PutUint64(id[:], uint64(scid))
	id[31] = 0xcc
	return id
}

// ---------------------------------------------------------------------
// Channels

// offer is one HTLC a fake channel took.
type offer struct {
	SCID lnwire.ShortChannelID
	Ref  HTLCRef
	HTLC HTLC
}

// fakeChannels is the host's channels: local edges whose capacity
// shrinks while HTLCs are out, and a log of the HTLCs offered.
type fakeChannels struct {
	mu       sync.Mutex
	edges    []graph.Edge
	nextID   uint64
	refuse   map[lnwire.ShortChannelID]error
	calls    int // Offer calls, refused ones included
	offers   []offer
	open     map[HTLCRef]offer
	resolved map[HTLCRef]bool
	// offered hears every accepted HTLC, inside Offer.
	offered chan offer
	// beforeOffer, if set, runs first in Offer (on the payment's
	// goroutine, no lock held); an error refuses the HTLC.
	beforeOffer func(scid lnwire.ShortChannelID, h HTLC) error
	// afterOffer, if set, runs once the HTLC is recorded, before Offer
	// returns (on the payment's goroutine, no lock held).
	afterOffer func(o offer)
}

func newFakeChannels(caps map[lnwire.ShortChannelID]uint64) *fakeChannels {
	c := &fakeChannels{refuse: map[lnwire.ShortChannelID]error{}, open: map[HTLCRef]offer{},
		resolved: map[HTLCRef]bool{}, offered: make(chan offer, 1024), nextID: 1}
	scids := make([]lnwire.ShortChannelID, 0, len(caps))
	for s := range caps {
		scids = append(scids, s)
	}
	sort.Slice(scids, func(i, j int) bool { return scids[i] < scids[j] })
	for _, s := range scids {
		c.edges = append(c.edges, graph.Edge{From: nodeSelf.pub, To: farEnd[s].pub, SCID: s,
			CapacityMsat: caps[s], Policy: graph.Policy{HTLCMaximumMsat: ^uint64(0)}})
	}
	return c
}

func (c *fakeChannels) LocalEdges() []graph.Edge {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]graph.Edge(nil), c.edges...)
}

func (c *fakeChannels) Offer(scid lnwire.ShortChannelID, h HTLC) (HTLCRef, error) {
	c.mu.Lock()
	c.calls++
	before := c.beforeOffer
	c.mu.Unlock()
	if before != nil {
		if err := before(scid, h); err != nil {
			return HTLCRef{}, err
		}
	}
	c.mu.Lock()
	if err := c.refuse[scid]; err != nil {
		c.mu.Unlock()
		return HTLCRef{}, err
	}
	var edge *graph.Edge
	for i := range c.edges {
		if c.edges[i].SCID == scid {
			edge = &c.edges[i]
		}
	}
	if edge == nil {
		c.mu.Unlock()
		return HTLCRef{}, fmt.Errorf("no channel %s", scid)
	}
	if edge.CapacityMsat < h.AmountMsat {
		c.mu.Unlock()
		return HTLCRef{}, fmt.Errorf("channel %s can send %d msat, not %d", scid, edge.CapacityMsat, h.AmountMsat)
	}
	edge.CapacityMsat -= h.AmountMsat
	o := offer{SCID: scid, Ref: HTLCRef{Channel: chanID(scid), ID: c.nextID}, HTLC: h}
	c.nextID++
	c.offers = append(c.offers, o)
	c.open[o.Ref] = o
	after := c.afterOffer
	c.mu.Unlock()
	select {
	case c.offered <- o:
	default: // nobody listens to that many: a runaway payment
	}
	if after != nil {
		after(o)
	}
	return o.Ref, nil
}

func (c *fakeChannels) Height() uint32 { return testHeight }

func (c *fakeChannels) Outgoing(hash [32]byte) []HTLCRef {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []HTLCRef
	for ref, o := range c.open {
		if o.HTLC.PaymentHash == hash {
			out = append(out, ref)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// adopt makes the channels carry an HTLC offered before a reload.
func (c *fakeChannels) adopt(o offer) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.open[o.Ref] = o
	for i := range c.edges {
		if c.edges[i].SCID == o.SCID {
			c.edges[i].CapacityMsat -= o.HTLC.AmountMsat
		}
	}
	c.nextID = max(c.nextID, o.Ref.ID+1)
}

// resolve removes an HTLC; a failed one gives its amount back.
func (c *fakeChannels) resolve(ref HTLCRef, failed bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	o, ok := c.open[ref]
	if !ok {
		return
	}
	delete(c.open, ref)
	c.resolved[ref] = true
	if failed {
		for i := range c.edges {
			if c.edges[i].SCID == o.SCID {
				c.edges[i].CapacityMsat += o.HTLC.AmountMsat
			}
		}
	}
}

func (c *fakeChannels) isOpen(ref HTLCRef) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	_, ok := c.open[ref]
	return ok
}

func (c *fakeChannels) openOffers() []offer {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make([]offer, 0, len(c.open))
	for _, o := range c.open {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Ref.ID < out[j].Ref.ID })
	return out
}

func (c *fakeChannels) allOffers() []offer {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]offer(nil), c.offers...)
}

func (c *fakeChannels) offerCalls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

func (c *fakeChannels) setRefuse(scid lnwire.ShortChannelID, err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.refuse[scid] = err
}

// ---------------------------------------------------------------------
// Router

// pathHop is one node of a scripted path: the channel reaching it, and
// what it charges to forward (unused for the last node).
type pathHop struct {
	node  *testNode
	scid  lnwire.ShortChannelID
	fee   uint64
	delta uint32
}

type path []pathHop

// route is the path carrying amt msat to its last node.
func (p path) route(amt uint64, height, finalDelta uint32) *graph.Route {
	hops := make([]graph.Hop, len(p))
	out, cltv := amt, height+finalDelta
	for i := len(p) - 1; i >= 0; i-- {
		hops[i] = graph.Hop{NodeID: p[i].node.pub, SCID: p[i].scid, AmountMsat: out, OutgoingCLTV: cltv}
		if i < len(p)-1 {
			out += p[i].fee
			cltv += p[i].delta
		}
	}
	return &graph.Route{Hops: hops, TotalAmountMsat: out, TotalCLTV: cltv, FeeMsat: out - amt}
}

// fee is what the path charges.
func (p path) fee() uint64 {
	var f uint64
	for i := 0; i+1 < len(p); i++ {
		f += p[i].fee
	}
	return f
}

// report is one ReportFailure or ReportSuccess call.
type report struct {
	from, to [33]byte
	scid     lnwire.ShortChannelID
	amt      uint64
}

// fakeRouter returns the first scripted path that fits the request.
type fakeRouter struct {
	mu sync.Mutex
	// paths are tried in order; one is skipped when it does not reach the
	// target, uses an excluded channel, starts on a local edge that is
	// missing or cannot carry the amount, costs more than MaxFeeMsat
	// (0: no bound, as graph.RouteRequest says), or (with learn) uses a
	// channel reported failed.
	paths []path
	// maxPerRoute, when set, is the most a route can carry: more is
	// graph.ErrNoRoute.
	maxPerRoute uint64
	learn       bool
	noRoute     bool // every request is graph.ErrNoRoute
	failedChans map[lnwire.ShortChannelID]bool
	// hook, if set, runs on the payment's goroutine at each request (its
	// 1-based number), without the router's lock.
	hook func(n int, req graph.RouteRequest)

	reqs         []graph.RouteRequest
	routes       []*graph.Route
	failures     []report
	successes    []report
	nodeFailures [][33]byte
	updates      []*lnwire.ChannelUpdate
}

func newFakeRouter(paths ...path) *fakeRouter {
	return &fakeRouter{paths: paths, failedChans: map[lnwire.ShortChannelID]bool{}}
}

func (r *fakeRouter) FindRoute(req graph.RouteRequest) (*graph.Route, error) {
	// Keep a copy: Exclude is the payment's own map.
	cp := req
	cp.Exclude = map[lnwire.ShortChannelID]bool{}
	for k, v := range req.Exclude {
		cp.Exclude[k] = v
	}
	cp.LocalEdges = append([]graph.Edge(nil), req.LocalEdges...)
	r.mu.Lock()
	r.reqs = append(r.reqs, cp)
	n, hook := len(r.reqs), r.hook
	r.mu.Unlock()
	if hook != nil {
		hook(n, cp)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.noRoute {
		return nil, fmt.Errorf("%w: the router was told to find none", graph.ErrNoRoute)
	}
	if r.maxPerRoute > 0 && req.AmountMsat > r.maxPerRoute {
		return nil, fmt.Errorf("%w: %d msat is more than any route carries", graph.ErrNoRoute, req.AmountMsat)
	}
next:
	for _, p := range r.paths {
		if p[len(p)-1].node.pub != req.Target {
			continue
		}
		for _, h := range p {
			if req.Exclude[h.scid] || (r.learn && r.failedChans[h.scid]) {
				continue next
			}
		}
		rt := p.route(req.AmountMsat, req.Height, req.FinalCLTVDelta)
		if req.MaxFeeMsat > 0 && rt.FeeMsat > req.MaxFeeMsat {
			continue
		}
		if len(req.LocalEdges) > 0 {
			fits := false
			for _, e := range req.LocalEdges {
				if e.SCID == p[0].scid && e.From == req.Source && e.CapacityMsat >= rt.TotalAmountMsat {
					fits = true
				}
			}
			if !fits {
				continue
			}
		}
		r.routes = append(r.routes, rt)
		return rt, nil
	}
	return nil, fmt.Errorf("%w: no scripted path fits %d msat", graph.ErrNoRoute, req.AmountMsat)
}

func (r *fakeRouter) ApplyChannelUpdate(u *lnwire.ChannelUpdate) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.updates = append(r.updates, u)
	return nil
}

func (r *fakeRouter) ReportFailure(from, to [33]byte, scid lnwire.ShortChannelID, amt uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failures = append(r.failures, report{from, to, scid, amt})
	r.failedChans[scid] = true
}

func (r *fakeRouter) ReportNodeFailure(node [33]byte) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nodeFailures = append(r.nodeFailures, node)
}

func (r *fakeRouter) ReportSuccess(from, to [33]byte, scid lnwire.ShortChannelID, amt uint64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.successes = append(r.successes, report{from, to, scid, amt})
}

func (r *fakeRouter) requests() []graph.RouteRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]graph.RouteRequest(nil), r.reqs...)
}

func (r *fakeRouter) failureReports() []report {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]report(nil), r.failures...)
}

func (r *fakeRouter) successReports() []report {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]report(nil), r.successes...)
}

func (r *fakeRouter) channelUpdates() []*lnwire.ChannelUpdate {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]*lnwire.ChannelUpdate(nil), r.updates...)
}

func (r *fakeRouter) setNoRoute(v bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.noRoute = v
}

// ---------------------------------------------------------------------
// Store

// testStore wraps the shared memory store: it counts writes, can fail a
// chosen one, and can "crash" (refuse every later write) to stand for a
// payer that is gone after a reload.
type testStore struct {
	store.Store
	updates atomic.Int64
	dead    atomic.Bool
	// failUpdate, if set, fails the n-th Update (1-based) when it says so.
	failUpdate func(n int64) bool
}

var errCrashed = errors.New("test store: the process is gone")

func (s *testStore) Update(fn func(store.Tx) error) error {
	n := s.updates.Add(1)
	if s.dead.Load() {
		return errCrashed
	}
	if s.failUpdate != nil && s.failUpdate(n) {
		return fmt.Errorf("test store: write %d fails", n)
	}
	return s.Store.Update(fn)
}

// storedPayments counts the payments a store holds.
func storedPayments(t *testing.T, st store.Store) int {
	t.Helper()
	n := 0
	if err := st.View(func(tx store.Tx) error {
		return tx.ForEach(bucketPayments, func(_, _ []byte) error { n++; return nil })
	}); err != nil {
		t.Fatalf("read store: %v", err)
	}
	return n
}

// ---------------------------------------------------------------------
// Harness

// harness is one payer with its fake channels and router on a store.
type harness struct {
	t     *testing.T
	mem   *store.Memory
	st    *testStore
	ch    *fakeChannels
	rt    *fakeRouter
	payer *Payer

	mu        sync.Mutex
	preimages map[[32]byte][32]byte
	events    []*Payment
}

// defaultCaps are the local channels' balances.
func defaultCaps() map[lnwire.ShortChannelID]uint64 {
	return map[lnwire.ShortChannelID]uint64{scidSB: 1_000_000_000, scidSC: 1_000_000_000}
}

// pathViaB is self → B → payee, B charging 1000 msat and 40 blocks.
var pathViaB = path{{nodeB, scidSB, 1000, 40}, {nodePayee, scidBP, 0, 0}}

// pathViaC is self → C → payee, C charging 2000 msat and 30 blocks.
var pathViaC = path{{nodeC, scidSC, 2000, 30}, {nodePayee, scidCP, 0, 0}}

func newHarness(t *testing.T, caps map[lnwire.ShortChannelID]uint64, paths ...path) *harness {
	t.Helper()
	mem := store.NewMemory()
	h := &harness{t: t, mem: mem, preimages: map[[32]byte][32]byte{}}
	h.open(&testStore{Store: mem}, newFakeChannels(caps), newFakeRouter(paths...))
	t.Cleanup(h.shutdown)
	return h
}

// open makes the harness's payer over st.
func (h *harness) open(st *testStore, ch *fakeChannels, rt *fakeRouter) {
	h.openWith(st, ch, ch, rt)
}

// openWith makes the harness's payer over st, the payer seeing ch as
// chans (ch wrapped to offer more).
func (h *harness) openWith(st *testStore, ch *fakeChannels, chans Channels, rt *fakeRouter) {
	h.t.Helper()
	h.st, h.ch, h.rt = st, ch, rt
	p, err := New(Config{Store: st, Net: &chaincfg.RegressionNetParams, Self: nodeSelf.pub,
		Channels: chans, Router: rt, Events: h.event})
	if err != nil {
		h.t.Fatalf("New: %v", err)
	}
	h.payer = p
}

// reload stands for a restart: the old payer's store stops taking writes
// and a new harness opens a payer on the same memory store with new
// channels (carrying the given HTLCs) and a new router.
func (h *harness) reload(carry []offer, paths ...path) *harness {
	h.t.Helper()
	return h.reloadWith(carry, nil, paths...)
}

// reloadWith is reload with channels that also list the HTLCs their log
// holds as fulfilled (the optional fulfilledLister), when fulfilled is
// not nil.
func (h *harness) reloadWith(carry []offer, fulfilled map[HTLCRef][32]byte, paths ...path) *harness {
	h.t.Helper()
	h.st.dead.Store(true)
	n := &harness{t: h.t, mem: h.mem, preimages: map[[32]byte][32]byte{}}
	h.mu.Lock()
	for k, v := range h.preimages {
		n.preimages[k] = v
	}
	h.mu.Unlock()
	ch := newFakeChannels(defaultCaps())
	for _, o := range carry {
		ch.adopt(o)
	}
	var chans Channels = ch
	if fulfilled != nil {
		chans = &loggedChannels{fakeChannels: ch, fulfilled: fulfilled}
	}
	n.openWith(&testStore{Store: h.mem}, ch, chans, newFakeRouter(paths...))
	h.t.Cleanup(n.shutdown)
	return n
}

// loggedChannels are fake channels whose log also holds HTLCs the peer
// fulfilled while the payer was not told.
type loggedChannels struct {
	*fakeChannels
	fulfilled map[HTLCRef][32]byte // preimage by HTLC; never changed
}

var _ fulfilledLister = (*loggedChannels)(nil)

// Fulfilled lists the fulfilled HTLCs of hash: a map even when empty, as
// the node's implementation returns.
func (c *loggedChannels) Fulfilled(hash [32]byte) map[HTLCRef][32]byte {
	out := map[HTLCRef][32]byte{}
	for ref, pre := range c.fulfilled {
		if sha256.Sum256(pre[:]) == hash {
			out[ref] = pre
		}
	}
	return out
}

func (h *harness) event(p *Payment) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.events = append(h.events, p)
}

func (h *harness) eventLog() []*Payment {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*Payment(nil), h.events...)
}

// running reports whether the payer still works on some payment.
func (h *harness) running() bool {
	h.payer.mu.Lock()
	defer h.payer.mu.Unlock()
	return len(h.payer.runs) > 0
}

// shutdown ends every payment still running, so no goroutine keeps
// working after its test: routes run out and the HTLCs out fail.
func (h *harness) shutdown() {
	h.rt.setNoRoute(true)
	deadline := time.Now().Add(time.Second)
	for h.running() && time.Now().Before(deadline) {
		for _, o := range h.ch.openOffers() {
			h.ch.resolve(o.Ref, true)
			h.payer.Failed(o.Ref, o.HTLC.PaymentHash, o.HTLC.AmountMsat, nil, 0)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// invoice makes an invoice from the payee for amt msat (0: no amount),
// with basic_mpp when mpp.
func (h *harness) invoice(amt uint64, mpp bool) *invoice.Invoice {
	h.t.Helper()
	var preimage, secret [32]byte
	if _, err := rand.Read(preimage[:]); err != nil {
		h.t.Fatal(err)
	}
	if _, err := rand.Read(secret[:]); err != nil {
		h.t.Fatal(err)
	}
	hash := sha256.Sum256(preimage[:])
	h.mu.Lock()
	h.preimages[hash] = preimage
	h.mu.Unlock()
	features := lnwire.NewFeatureVector(lnwire.PaymentSecretRequired)
	if mpp {
		features = lnwire.NewFeatureVector(lnwire.PaymentSecretRequired, lnwire.BasicMPPOptional)
	}
	return &invoice.Invoice{Net: &chaincfg.RegressionNetParams, AmountMsat: amt, Timestamp: time.Now(),
		PaymentHash: hash, PaymentSecret: &secret, Payee: nodePayee.priv.PubKey(), Features: features,
		Expiry: time.Hour, MinFinalCLTVExpiryDelta: testFinalCLTV}
}

func (h *harness) preimage(hash [32]byte) [32]byte {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.preimages[hash]
}

// request is a request for inv with a payment request string naming it.
func request(inv *invoice.Invoice) Request {
	return Request{Invoice: inv, PaymentRequest: fmt.Sprintf("lnbcrt-test-%x", inv.PaymentHash[:8])}
}

// payResult is what Pay returned.
type payResult struct {
	pay *Payment
	err error
}

// payAsync runs Pay on its own goroutine, bounded by 5 s.
func (h *harness) payAsync(req Request) <-chan payResult {
	return h.payAsyncFor(req, 5*time.Second)
}

// payAsyncFor runs Pay on its own goroutine, bounded by d.
func (h *harness) payAsyncFor(req Request, d time.Duration) <-chan payResult {
	out := make(chan payResult, 1)
	ctx, cancel := context.WithTimeout(context.Background(), d)
	go func() {
		defer cancel()
		p, err := h.payer.Pay(ctx, req)
		out <- payResult{p, err}
	}()
	return out
}

// wait waits for a Pay result.
func (h *harness) wait(c <-chan payResult) payResult {
	h.t.Helper()
	select {
	case r := <-c:
		return r
	case <-time.After(6 * time.Second):
		h.t.Fatal("Pay did not return")
		return payResult{}
	}
}

// nextOffer waits for the next HTLC offered.
func (h *harness) nextOffer() offer {
	h.t.Helper()
	select {
	case o := <-h.ch.offered:
		return o
	case <-time.After(3 * time.Second):
		h.t.Fatal("no HTLC offered")
		return offer{}
	}
}

// noOffer checks no HTLC is offered for a short while.
func (h *harness) noOffer(d time.Duration) {
	h.t.Helper()
	select {
	case o := <-h.ch.offered:
		h.t.Fatalf("unexpected HTLC offered on %s: %d msat", o.SCID, o.HTLC.AmountMsat)
	case <-time.After(d):
	}
}

// peeledHop is what one node of the route read from the onion.
type peeledHop struct {
	node     *testNode
	inMsat   uint64
	inCLTV   uint32
	peeled   *onion.Peeled
	outgoing lnwire.ShortChannelID
}

// walk carries an HTLC along the route its onion describes, each node
// peeling its layer with its own key.
func walk(o offer) ([]peeledHop, error) {
	packet, scid := o.HTLC.Onion, o.SCID
	amt, cltv := o.HTLC.AmountMsat, o.HTLC.CltvExpiry
	var hops []peeledHop
	for i := 0; i < onion.MaxHops; i++ {
		node := farEnd[scid]
		if node == nil {
			return hops, fmt.Errorf("hop %d: no node at the end of %s", i, scid)
		}
		p, err := onion.Peel(node.priv, packet, o.HTLC.PaymentHash, cltv)
		if err != nil {
			return hops, fmt.Errorf("hop %d (%s): peel: %w", i, node.name, err)
		}
		hop := peeledHop{node: node, inMsat: amt, inCLTV: cltv, peeled: p}
		if p.Final {
			return append(hops, hop), nil
		}
		if p.Payload.ShortChannelID == nil {
			return hops, fmt.Errorf("hop %d (%s): no short_channel_id", i, node.name)
		}
		hop.outgoing = *p.Payload.ShortChannelID
		hops = append(hops, hop)
		if p.Payload.AmtToForwardMsat > amt || p.Payload.OutgoingCLTV > cltv {
			return hops, fmt.Errorf("hop %d (%s): forwards %d msat/%d, more than it gets (%d/%d)",
				i, node.name, p.Payload.AmtToForwardMsat, p.Payload.OutgoingCLTV, amt, cltv)
		}
		scid, amt, cltv, packet = hop.outgoing, p.Payload.AmtToForwardMsat, p.Payload.OutgoingCLTV, p.Next
	}
	return hops, errors.New("onion never ends")
}

// mustWalk is walk failing the test on error.
func (h *harness) mustWalk(o offer) []peeledHop {
	h.t.Helper()
	hops, err := walk(o)
	if err != nil {
		h.t.Fatalf("walk HTLC %d: %v", o.Ref.ID, err)
	}
	return hops
}

// failureReason is the encrypted reason of failure f raised by hop idx,
// wrapped by every hop before it on the way back.
func failureReason(hops []peeledHop, idx int, f *onion.Failure) ([]byte, error) {
	reason, err := onion.EncryptFailure(hops[idx].peeled.SharedSecret, f)
	if err != nil {
		return nil, err
	}
	for j := idx - 1; j >= 0; j-- {
		reason = onion.WrapFailure(hops[j].peeled.SharedSecret, reason)
	}
	return reason, nil
}

// settle has the payee fulfil the HTLC.
func (h *harness) settle(o offer) {
	h.t.Helper()
	hops := h.mustWalk(o)
	if last := hops[len(hops)-1]; last.node != nodePayee {
		h.t.Fatalf("HTLC %d ends at %s", o.Ref.ID, last.node.name)
	}
	h.ch.resolve(o.Ref, false)
	h.payer.Settled(o.Ref, o.HTLC.PaymentHash, o.HTLC.AmountMsat, h.preimage(o.HTLC.PaymentHash))
}

// failAt has hop idx (-1: the last) fail the HTLC with f, the reason
// wrapped back to us.
func (h *harness) failAt(o offer, idx int, f *onion.Failure) {
	h.t.Helper()
	hops := h.mustWalk(o)
	if idx < 0 {
		idx = len(hops) - 1
	}
	reason, err := failureReason(hops, idx, f)
	if err != nil {
		h.t.Fatalf("encrypt failure: %v", err)
	}
	h.ch.resolve(o.Ref, true)
	h.payer.Failed(o.Ref, o.HTLC.PaymentHash, o.HTLC.AmountMsat, reason, 0)
}

// tempChanFailure is temporary_channel_failure with its channel_update.
func tempChanFailure(scid lnwire.ShortChannelID) *onion.Failure {
	return &onion.Failure{Code: onion.CodeTemporaryChannelFailure, ChannelUpdate: &lnwire.ChannelUpdate{
		ChainHash: *chaincfg.RegressionNetParams.GenesisHash, ShortChannelID: scid, Timestamp: 1_700_000_000,
		MessageFlags: lnwire.MsgFlagMustBeOne, CLTVExpiryDelta: 40, HTLCMinimumMsat: 1000,
		FeeBaseMsat: 1000, HTLCMaximumMsat: 1_000_000_000,
	}}
}

// waitFor polls cond until it holds or d passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// get is the payer's payment for hash, failing the test when missing.
func (h *harness) get(hash [32]byte) *Payment {
	h.t.Helper()
	p, ok := h.payer.Get(hash)
	if !ok {
		h.t.Fatalf("no payment %x", hash[:4])
	}
	return p
}

// wantReports checks the router heard exactly these reports.
func wantReports(t *testing.T, what string, got, want []report) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d reports %s, want %d %s", what, len(got), fmtReports(got), len(want), fmtReports(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("%s %d: %s, want %s", what, i, fmtReports(got[i:i+1]), fmtReports(want[i:i+1]))
		}
	}
}

func fmtReports(rs []report) string {
	names := map[[33]byte]string{}
	for _, n := range []*testNode{nodeSelf, nodeB, nodeC, nodeD, nodePayee} {
		names[n.pub] = n.name
	}
	var b bytes.Buffer
	for _, r := range rs {
		fmt.Fprintf(&b, "[%s→%s %s %d]", names[r.from], names[r.to], r.scid, r.amt)
	}
	return b.String()
}
