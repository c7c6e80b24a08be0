package channel

import (
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/script"
)

// node is one side of an in-memory channel test: a machine plus what its
// host would remember (incoming HTLCs to resolve, what it published).
type node struct {
	name     string
	m        *Machine
	keys     *LocalKeys
	saved    []byte // the last persisted state
	incoming []*Update
	closeTx  *wire.MsgTx
	fulfill  map[uint64][32]byte // our HTLC id → preimage the peer revealed
	failed   map[uint64]bool
}

// pair connects two nodes through message queues the test delivers from.
type pair struct {
	t      testing.TB
	rng    *rand.Rand
	a, b   *node
	toA    []lnwire.Message
	toB    []lnwire.Message
	hashes map[[32]byte][32]byte // payment hash → preimage
}

func testKeys(t testing.TB, seed byte) *LocalKeys {
	t.Helper()
	ring, err := keys.NewRing(bytesOf(seed, 32), &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	k, err := DeriveLocalKeys(ring, 0)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func bytesOf(b byte, n int) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func p2wpkh(k *LocalKeys) []byte { return script.P2WPKH(k.Payment.PubKey()) }

// newPair opens a channel between two fresh nodes and brings it to
// PhaseNormal.
func newPair(t testing.TB, seed uint64, typ script.CommitmentType, fundingSat int64, pushMsat uint64) *pair {
	t.Helper()
	p := &pair{t: t, rng: rand.New(rand.NewPCG(seed, 1)), hashes: map[[32]byte][32]byte{}}
	ka, kb := testKeys(t, 1), testKeys(t, 2)
	chain := *chaincfg.RegressionNetParams.GenesisHash
	ma, out, err := NewOpener(OpenParams{
		Chain: chain, Peer: lnwire.NewPoint(kb.Funding.PubKey()), TempID: lnwire.ChannelID{7},
		FundingSat: fundingSat, PushMsat: pushMsat, FeeratePerKw: 2500, Type: typ, CloseScript: p2wpkh(ka),
	}, ka, DefaultPolicy(), nil)
	if err != nil {
		t.Fatal(err)
	}
	p.a = &node{name: "A", m: ma, keys: ka, fulfill: map[uint64][32]byte{}, failed: map[uint64]bool{}}
	open := out.Msgs[0].(*lnwire.OpenChannel)
	mb, out, err := NewAccepter(open, AcceptParams{Chain: chain, Peer: lnwire.NewPoint(ka.Funding.PubKey()), CloseScript: p2wpkh(kb)}, kb, DefaultPolicy(), nil)
	if err != nil {
		t.Fatal(err)
	}
	p.b = &node{name: "B", m: mb, keys: kb, fulfill: map[uint64][32]byte{}, failed: map[uint64]bool{}}
	p.toA = append(p.toA, out.Msgs...)
	p.drain()
	for _, n := range []*node{p.a, p.b} {
		p.handle(n, FundingConfirmed{Height: 500, TxIndex: 1, Depth: 3})
	}
	p.drain()
	if p.a.m.Phase() != PhaseNormal || p.b.m.Phase() != PhaseNormal {
		t.Fatalf("channel not active: A %s, B %s", p.a.m.Phase(), p.b.m.Phase())
	}
	return p
}

func (p *pair) peerOf(n *node) *node {
	if n == p.a {
		return p.b
	}
	return p.a
}

// handle feeds an event and plays the host: persist, queue messages,
// answer effects. A peer message that errors fails the test: both sides
// are honest here.
func (p *pair) handle(n *node, ev Event) (*Output, error) {
	p.t.Helper()
	out, err := n.m.Handle(ev)
	if out != nil && !out.Persist {
		for _, m := range out.Msgs {
			switch m.(type) {
			case *lnwire.CommitmentSigned, *lnwire.RevokeAndAck, *lnwire.FundingSigned, *lnwire.ClosingSigned, *lnwire.Shutdown:
				p.t.Fatalf("%s sends %s without persisting first", n.name, m.Type())
			}
		}
	}
	if out != nil && out.Persist {
		b, encErr := n.m.State().Encode()
		if encErr != nil {
			p.t.Fatal(encErr)
		}
		n.saved = b
	}
	if err != nil {
		if _, ok := ev.(PeerMessage); ok {
			p.t.Fatalf("%s handling %T: %v", n.name, ev.(PeerMessage).Msg, err)
		}
		return out, err
	}
	if n == p.a {
		p.toB = append(p.toB, out.Msgs...)
	} else {
		p.toA = append(p.toA, out.Msgs...)
	}
	for _, e := range out.Effects {
		p.effect(n, e)
	}
	return out, nil
}

func (p *pair) effect(n *node, e Effect) {
	switch e := e.(type) {
	case NeedFunding:
		op := wire.OutPoint{Hash: chainhash.Hash(sha256.Sum256(e.PkScript)), Index: 1}
		p.handle(n, FundingReady{LeaseID: "lease", Outpoint: op})
	case Notify:
		switch e.Change {
		case ChangeIncoming:
			n.incoming = append(n.incoming, e.HTLC)
		case ChangeFulfilled:
			n.fulfill[e.HTLC.HTLCID] = e.HTLC.Preimage
		case ChangeFailed:
			if e.HTLC != nil {
				n.failed[e.HTLC.HTLCID] = true
			}
		}
	case PublishClose:
		n.closeTx = e.Tx
	}
}

// deliverOne hands the next queued message to its receiver.
func (p *pair) deliverOne(toA bool) bool {
	q, n := &p.toB, p.b
	if toA {
		q, n = &p.toA, p.a
	}
	if len(*q) == 0 {
		return false
	}
	msg := (*q)[0]
	*q = (*q)[1:]
	p.handle(n, PeerMessage{Msg: msg})
	return true
}

func (p *pair) drain() {
	for p.deliverOne(true) || p.deliverOne(false) {
	}
}

// reconnect drops everything in flight, optionally restarts a node from
// its last saved state, and runs the reestablish.
func (p *pair) reconnect(restart bool) {
	p.toA, p.toB = nil, nil
	for _, n := range []*node{p.a, p.b} {
		p.handle(n, Disconnected{})
		if restart && n.saved != nil {
			st, err := DecodeState(n.saved)
			if err != nil {
				p.t.Fatal(err)
			}
			n.m = Restore(st, n.keys, DefaultPolicy(), nil)
		}
	}
	p.handle(p.a, Reconnected{})
	p.handle(p.b, Reconnected{})
}

// addHTLC offers a random HTLC from n; a refusal (balance, limits) is
// fine. It reports whether the HTLC was offered.
func (p *pair) addHTLC(n *node, maxMsat uint64) bool {
	var pre [32]byte
	binary.BigEndian.PutUint64(pre[:], p.rng.Uint64())
	hash := sha256.Sum256(pre[:])
	p.hashes[hash] = pre
	amt := 1 + p.rng.Uint64N(maxMsat)
	_, err := p.handle(n, AddHTLC{AmountMsat: amt, PaymentHash: hash, CltvExpiry: 1000 + uint32(p.rng.IntN(100))})
	return err == nil
}

// resolveOne settles or fails a random incoming HTLC of n and reports
// whether it did.
func (p *pair) resolveOne(n *node) bool {
	if len(n.incoming) == 0 {
		return false
	}
	i := p.rng.IntN(len(n.incoming))
	h := n.incoming[i]
	var err error
	if p.rng.IntN(2) == 0 {
		_, err = p.handle(n, SettleHTLC{ID: h.HTLCID, Preimage: p.hashes[h.PaymentHash]})
	} else {
		_, err = p.handle(n, FailHTLC{ID: h.HTLCID, Reason: []byte("no")})
	}
	if err == nil {
		n.incoming = append(n.incoming[:i], n.incoming[i+1:]...)
	}
	return err == nil
}
