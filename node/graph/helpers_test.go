package graph

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// testChain is the chain the tests' gossip is for; otherChain is not.
var (
	testChain  = chainhash.DoubleHashH([]byte("graph test chain"))
	otherChain = chainhash.DoubleHashH([]byte("another chain"))
)

// testKey is a deterministic key pair.
type testKey struct {
	priv *btcec.PrivateKey
	pub  lnwire.Point
}

// newKey derives a key from a label, so tests name their nodes.
func newKey(label string) testKey {
	h := sha256.Sum256([]byte(label))
	priv, pub := btcec.PrivKeyFromBytes(h[:])
	return testKey{priv: priv, pub: lnwire.NewPoint(pub)}
}

// id is the key as a node id.
func (k testKey) id() [33]byte { return [33]byte(k.pub) }

// signHash signs m's SignedHash with priv.
func signHash(t testing.TB, m lnwire.Signed, priv *btcec.PrivateKey) lnwire.Sig {
	t.Helper()
	h, err := lnwire.SignedHash(m)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := lnwire.NewSigFromECDSA(ecdsa.Sign(priv, h[:]))
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// orderKeys returns a and b with the lesser node id first.
func orderKeys(a, b testKey) (testKey, testKey) {
	if bytes.Compare(a.pub[:], b.pub[:]) > 0 {
		return b, a
	}
	return a, b
}

// announce is a channel_announcement between a and b, fully signed, with
// bitcoin keys derived from the node keys.
func announce(t testing.TB, scid lnwire.ShortChannelID, a, b testKey) *lnwire.ChannelAnnouncement {
	t.Helper()
	n1, n2 := orderKeys(a, b)
	b1, b2 := newKey("btc"+n1.pub.String()), newKey("btc"+n2.pub.String())
	m := &lnwire.ChannelAnnouncement{
		ChainHash: testChain, ShortChannelID: scid,
		NodeID1: n1.pub, NodeID2: n2.pub, BitcoinKey1: b1.pub, BitcoinKey2: b2.pub,
	}
	m.NodeSignature1 = signHash(t, m, n1.priv)
	m.NodeSignature2 = signHash(t, m, n2.priv)
	m.BitcoinSignature1 = signHash(t, m, b1.priv)
	m.BitcoinSignature2 = signHash(t, m, b2.priv)
	return m
}

// update is from's channel_update for scid, whose other end is to; the
// direction comes from the key order.
func update(t testing.TB, scid lnwire.ShortChannelID, from, to testKey, ts uint32, p Policy) *lnwire.ChannelUpdate {
	t.Helper()
	var flags lnwire.UpdateChanFlags
	if bytes.Compare(from.pub[:], to.pub[:]) > 0 {
		flags |= lnwire.ChanFlagDirection
	}
	if p.Disabled {
		flags |= lnwire.ChanFlagDisable
	}
	m := &lnwire.ChannelUpdate{
		ChainHash: testChain, ShortChannelID: scid, Timestamp: ts,
		MessageFlags: lnwire.MsgFlagMustBeOne, ChannelFlags: flags,
		CLTVExpiryDelta: p.CLTVExpiryDelta, HTLCMinimumMsat: lnwire.MilliSatoshi(p.HTLCMinimumMsat),
		HTLCMaximumMsat: lnwire.MilliSatoshi(p.HTLCMaximumMsat),
		FeeBaseMsat:     p.FeeBaseMsat, FeeProportionalMillionths: p.FeeProportionalMillionths,
	}
	m.Signature = signHash(t, m, from.priv)
	return m
}

// nodeAnn is k's node_announcement.
func nodeAnn(t testing.TB, k testKey, ts uint32, alias string) *lnwire.NodeAnnouncement {
	t.Helper()
	a, err := lnwire.NewNodeAlias(alias)
	if err != nil {
		t.Fatal(err)
	}
	m := &lnwire.NodeAnnouncement{NodeID: k.pub, Timestamp: ts, Alias: a, RGBColor: lnwire.RGBColor{1, 2, 3}}
	m.Signature = signHash(t, m, k.priv)
	return m
}

// basicPolicy is a policy that carries up to 1 BTC.
var basicPolicy = Policy{CLTVExpiryDelta: 40, HTLCMinimumMsat: 1, HTLCMaximumMsat: 100_000_000_000, FeeBaseMsat: 1000, FeeProportionalMillionths: 100}

// scid builds a short channel id or fails the test.
func scid(t testing.TB, block, tx uint32) lnwire.ShortChannelID {
	t.Helper()
	s, err := lnwire.NewShortChannelID(block, tx, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// mustNew opens the graph in st.
func mustNew(t testing.TB, st store.Store) *Graph {
	t.Helper()
	g, err := New(st, testChain)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// nid is a made-up node id for graphs built without signatures; it only
// has to be unique and ordered like the byte.
func nid(n int) [33]byte {
	var id [33]byte
	id[0] = 2
	id[1], id[2] = byte(n>>8), byte(n)
	return id
}

// addTestChannel puts a channel straight into the graph, with the policy
// of each direction (nil: none), skipping signatures: route tests and the
// benchmark build graphs this way.
func (g *Graph) addTestChannel(s lnwire.ShortChannelID, a, b [33]byte, capSat uint64, ab, ba *Policy) {
	if bytes.Compare(a[:], b[:]) > 0 {
		a, b, ab, ba = b, a, ba, ab
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	ci := g.addChannel(s, a, b, capSat, false)
	for d, p := range [2]*Policy{ab, ba} {
		if p != nil {
			ts := p.Timestamp
			if ts == 0 {
				ts = 1
			}
			g.chans[ci].pol[d] = policyRec{ts: ts, disabled: p.Disabled, cltvDelta: p.CLTVExpiryDelta,
				htlcMin: p.HTLCMinimumMsat, htlcMax: p.HTLCMaximumMsat, feeBase: p.FeeBaseMsat, feeProp: p.FeeProportionalMillionths}
		}
	}
	g.dirty.chans[s] = struct{}{}
}
