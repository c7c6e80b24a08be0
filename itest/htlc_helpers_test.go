package itest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcwallet/walletdb"
	"lnwasm/chain/kvdb"

	"lnwasm/chain"
	"lnwasm/node"
	"lnwasm/node/invoice"
	"lnwasm/node/keys"
	"lnwasm/node/pay"
	"lnwasm/node/store"
	"lnwasm/server/devnet"
)

// feeKnob is a fee estimate the test turns: the chain backend's estimator.
type feeKnob struct{ v atomic.Uint32 }

func (f *feeKnob) FeeRate(uint32) (chain.SatPerKWeight, error) {
	return chain.SatPerKWeight(f.v.Load()), nil
}

// knobNode is our native node on st with a backend whose fee estimate is
// fees, unlocked and connected to peers (a reload when st holds a wallet).
type knobNode struct {
	t       *testing.T
	d       *devnet.Devnet
	log     *slog.Logger
	st      store.Store
	fees    *feeKnob
	n       *node.Node
	backend *chain.Neutrino
	// db and dir keep the chain backend's headers and filters across
	// reloads, as IndexedDB does in a browser.
	db  walletdb.DB
	dir string
	// dial, when set, opens Lightning connections (the fault tests put the
	// bridge and a fault proxy there); ping and pong tune liveness.
	dial       func(ctx context.Context, addr string) (net.Conn, error)
	ping, pong time.Duration
	chainPeer  string // the chain peer's address when not btcd's own
}

// newKnobNode starts a node with a new wallet on a memory store, its fee
// estimate at the 253 sat/kw floor.
func newKnobNode(t *testing.T, d *devnet.Devnet, log *slog.Logger) *knobNode {
	k := &knobNode{t: t, d: d, log: log, st: store.NewMemory(), fees: &feeKnob{}}
	k.fees.v.Store(253)
	k.start()
	return k
}

func (k *knobNode) start(peers ...*devnet.Lnd) {
	t := k.t
	t.Helper()
	if k.db == nil {
		k.db, _ = kvdb.Open(kvdb.NewMemJournal())
		k.dir = t.TempDir()
	}
	var dialer net.Dialer
	peer := k.chainPeer
	if peer == "" {
		peer = k.d.ChainPeer()
	}
	backend, err := chain.NewNeutrino(chain.NeutrinoConfig{Params: &chaincfg.RegressionNetParams,
		DataDir: k.dir, DB: k.db, Peers: []string{peer}, Dial: dialer.DialContext, Logger: k.log, Fees: k.fees})
	if err != nil {
		t.Fatal(err)
	}
	if err := backend.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = backend.Stop() })
	dial := k.dial
	if dial == nil {
		dial = func(ctx context.Context, addr string) (net.Conn, error) { return dialer.DialContext(ctx, "tcp", addr) }
	}
	n, err := node.New(node.Config{Network: &chaincfg.RegressionNetParams, Store: k.st, Logger: k.log, Chain: backend,
		Scrypt: keys.ScryptParams{LogN: 10, R: 8, P: 1}, Dial: dial, PingInterval: k.ping, PongTimeout: k.pong})
	if err != nil {
		t.Fatal(err)
	}
	if has, _ := n.HasWallet(); has {
		err = n.UnlockWallet("correct horse")
	} else {
		_, err = n.CreateWallet("correct horse", "")
	}
	if err != nil {
		t.Fatal(err)
	}
	k.n, k.backend = n, backend
	for _, p := range peers {
		k.connect(p)
	}
}

// connect connects to p, retrying while lnd drops the connection our
// node's own reconnection to its channel peer races with.
func (k *knobNode) connect(p *devnet.Lnd) {
	k.t.Helper()
	var err error
	for try := 0; try < 5; try++ {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		err = k.n.Connect(ctx, p.Pubkey, p.P2PAddr)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(time.Second)
	}
	k.t.Fatalf("connect to %s: %v", p.Alias, err)
}

// fund has the faucet pay sat to a new address of ours and waits until
// the wallet holds it confirmed.
func (k *knobNode) fund(sat int64) {
	k.t.Helper()
	addr, err := k.n.NewAddress("p2wkh")
	if err != nil {
		k.t.Fatal(err)
	}
	before, _ := k.n.WalletBalance()
	if _, err := k.d.Faucet(addr.String(), sat); err != nil {
		k.t.Fatal(err)
	}
	mineWait(k.t, k.d, k.backend, 1)
	waitFor(k.t, 60*time.Second, "our wallet sees the faucet", func() (bool, string) {
		b, err := k.n.WalletBalance()
		return err == nil && b.ConfirmedSat == before.ConfirmedSat+sat, fmt.Sprintf("%+v %v", b, err)
	})
}

// reload stops the node as a closed tab does (locked, its chain backend
// gone: nothing more is written) and starts a new one on the same store.
func (k *knobNode) reload(why string, peers ...*devnet.Lnd) {
	k.t.Helper()
	k.t.Logf("reload: %s", why)
	if err := k.n.LockWallet(); err != nil {
		k.t.Fatal(err)
	}
	if err := k.backend.Stop(); err != nil {
		k.t.Fatal(err)
	}
	k.start(peers...)
	want, _ := k.d.Btcd.Height()
	waitFor(k.t, 60*time.Second, "reloaded backend synced", func() (bool, string) {
		b, err := k.backend.BestBlock()
		return err == nil && int64(b.Height) == want, fmt.Sprintf("%d", b.Height)
	})
}

// heldInvoice has l issue a hold invoice for sat and returns it with the
// preimage that settles it.
func heldInvoice(t testing.TB, l *devnet.Lnd, sat int64) (req string, preimage, hash [32]byte) {
	t.Helper()
	_, _ = rand.Read(preimage[:])
	hash = sha256.Sum256(preimage[:])
	var inv struct {
		Req string `json:"payment_request"`
	}
	if err := l.CLI(context.Background(), &inv, "addholdinvoice", fmt.Sprintf("%x", hash), "--amt", strconv.FormatInt(sat, 10)); err != nil {
		t.Fatal(err)
	}
	return inv.Req, preimage, hash
}

// lndSendsPart has l send one part of a multi-part payment of our invoice
// rec over its channel scid: sat of the invoice's total. The part stays
// with us until the parts add up. It returns once the attempt is sent;
// lncli's result arrives on the channel.
func lndSendsPart(t testing.TB, l *devnet.Lnd, us string, scid uint64, rec *invoice.Record, sat int64) <-chan string {
	t.Helper()
	ctx := context.Background()
	var out []byte
	waitFor(t, 40*time.Second, "lnd builds a route over its new channel", func() (bool, string) {
		var err error
		out, err = l.CLIOut(ctx, "buildroute", "--amt", strconv.FormatInt(sat, 10), "--hops", us,
			"--outgoing_chan_id", strconv.FormatUint(scid, 10), "--final_cltv_delta", strconv.FormatUint(rec.MinFinalCLTVExpiryDelta, 10))
		return err == nil, fmt.Sprintf("%v: %s", err, out)
	})
	var route map[string]any
	if err := json.Unmarshal(out, &route); err != nil {
		t.Fatalf("buildroute output: %v", err)
	}
	hops := route["route"].(map[string]any)["hops"].([]any)
	last := hops[len(hops)-1].(map[string]any)
	// lnd's buildroute refuses a payment address for a node it has no
	// announcement of (we are private), so the MPP record is added here.
	last["mpp_record"] = map[string]any{"payment_addr": fmt.Sprintf("%x", rec.PaymentSecret),
		"total_amt_msat": strconv.FormatUint(rec.AmountMsat, 10)}
	routes, _ := json.Marshal(route)
	res := make(chan string, 1)
	go func() {
		b, err := l.CLIOut(ctx, "sendtoroute", "--payment_hash", fmt.Sprintf("%x", rec.PaymentHash), "--routes", string(routes))
		res <- fmt.Sprintf("%s %v", b, err)
	}()
	return res
}

// paymentStatus is our node's record of the payment of hash.
func paymentStatus(n *node.Node, hash [32]byte) (*pay.Payment, bool) {
	ps, _ := n.ListPayments()
	for _, p := range ps {
		if p.Hash == hash {
			return p, true
		}
	}
	return nil, false
}

// invoiceOf is our node's invoice of hash.
func invoiceOf(n *node.Node, hash [32]byte) *invoice.Record {
	recs, _ := n.ListInvoices()
	for _, r := range recs {
		if r.PaymentHash == hash {
			return r
		}
	}
	return nil
}

// packageRate is the fee rate (sat/kw) btcd's mempool sees for the
// transactions txids together.
func packageRate(t testing.TB, d *devnet.Devnet, txids ...string) (float64, int64) {
	t.Helper()
	pool, err := d.Btcd.RPC().GetRawMempoolVerbose()
	if err != nil {
		t.Fatal(err)
	}
	var fee float64
	var weight int64
	for _, id := range txids {
		e, ok := pool[id]
		if !ok {
			t.Fatalf("%s not in btcd's mempool", id)
		}
		fee += e.Fee * 1e8
		weight += int64(e.Weight)
	}
	return fee * 1000 / float64(weight), weight
}
