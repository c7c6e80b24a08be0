package node

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/channel"
	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/script"
	"lnwasm/node/store"
)

// side is one end of a channel opened in memory for a test.
type side struct {
	m     *channel.Machine
	inbox []lnwire.Message
}

// openInMemory opens a channel from n (funder, at a key index n reserves)
// to a peer of its own and brings it to PhaseNormal, then stores n's side
// as the node would, with the peer's address. It returns the state.
func openInMemory(t *testing.T, n *Node, typ script.CommitmentType, sat int64, tempID byte) *channel.State {
	t.Helper()
	ring, err := n.keyRing()
	if err != nil {
		t.Fatal(err)
	}
	idx, err := n.nextKeyIndex()
	if err != nil {
		t.Fatal(err)
	}
	ka, _ := channel.DeriveLocalKeys(ring, idx)
	peerRing, _ := keys.NewRing(bytes.Repeat([]byte{tempID}, 32), &chaincfg.RegressionNetParams)
	kb, _ := channel.DeriveLocalKeys(peerRing, 0)
	peerID, _ := peerRing.NodeKey()
	chain := *chaincfg.RegressionNetParams.GenesisHash
	ma, out, err := channel.NewOpener(channel.OpenParams{Chain: chain, Peer: lnwire.NewPoint(peerID.PubKey()),
		TempID: lnwire.ChannelID{tempID}, KeyIndex: idx, FundingSat: sat, PushMsat: 100_000_000, FeeratePerKw: 2500,
		Type: typ, CloseScript: script.P2WPKH(ka.Payment.PubKey())}, ka, channel.DefaultPolicy(), nil)
	if err != nil {
		t.Fatal(err)
	}
	a := &side{m: ma}
	mb, outB, err := channel.NewAccepter(out.Msgs[0].(*lnwire.OpenChannel), channel.AcceptParams{Chain: chain,
		Peer: lnwire.NewPoint(ka.Funding.PubKey()), CloseScript: script.P2WPKH(kb.Payment.PubKey())}, kb, channel.DefaultPolicy(), nil)
	if err != nil {
		t.Fatal(err)
	}
	b := &side{m: mb}
	a.inbox = outB.Msgs
	exchange(t, a, b)
	for _, s := range []*side{a, b} {
		feed(t, s, peerOf(s, a, b), channel.FundingConfirmed{Height: 500, TxIndex: 1, Depth: 3})
	}
	exchange(t, a, b)
	if a.m.Phase() != channel.PhaseNormal {
		t.Fatalf("channel not active: %s", a.m.Phase())
	}
	if err := n.saveChannel(a.m, nil); err != nil {
		t.Fatal(err)
	}
	n.rememberPeer(lnwire.NewPoint(peerID.PubKey()).String(), "127.0.0.1:9735")
	return a.m.State()
}

func peerOf(s, a, b *side) *side {
	if s == a {
		return b
	}
	return a
}

// exchange delivers messages both ways until none are left.
func exchange(t *testing.T, a, b *side) {
	t.Helper()
	for len(a.inbox) > 0 || len(b.inbox) > 0 {
		for _, s := range []*side{a, b} {
			msgs := s.inbox
			s.inbox = nil
			for _, msg := range msgs {
				feed(t, s, peerOf(s, a, b), channel.PeerMessage{Msg: msg})
			}
		}
	}
}

// feed hands s an event and plays its host: a funding request gets an
// outpoint at once, messages go to the other side.
func feed(t *testing.T, s, other *side, ev channel.Event) {
	t.Helper()
	out, err := s.m.Handle(ev)
	if err != nil {
		t.Fatalf("%T: %v", ev, err)
	}
	other.inbox = append(other.inbox, out.Msgs...)
	for _, eff := range out.Effects {
		if f, ok := eff.(channel.NeedFunding); ok {
			op := wire.OutPoint{Hash: chainhash.Hash(sha256.Sum256(f.PkScript))}
			feed(t, s, other, channel.FundingReady{LeaseID: "lease", Outpoint: op})
		}
	}
}

// failingStore fails every Put into one bucket, to show a restore that
// fails halfway keeps nothing.
type failingStore struct {
	store.Store
	bucket string
}

func (f failingStore) Update(fn func(store.Tx) error) error {
	return f.Store.Update(func(tx store.Tx) error { return fn(failingTx{tx, f.bucket}) })
}

type failingTx struct {
	store.Tx
	bucket string
}

func (f failingTx) Put(bucket, key, value []byte) error {
	if string(bucket) == f.bucket {
		return errDiskFull
	}
	return f.Tx.Put(bucket, key, value)
}
