package onchain

import (
	"crypto/sha256"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/channel"
	"lnwasm/node/script"
)

// Test constants: the sweep feerate, our to_self_delay and an HTLC's
// cltv_expiry.
const (
	testFeerate = 2500
	testCSV     = 144
	testCLTV    = 800_123
)

// testKey derives a fixed key from a label.
func testKey(label string) *btcec.PrivateKey {
	h := sha256.Sum256([]byte(label))
	priv, _ := btcec.PrivKeyFromBytes(h[:])
	return priv
}

// commitTxid is the closing commitment of the test claims.
var commitTxid = chainhash.HashH([]byte("commitment"))

// env holds one channel's keys seen from us: our basepoint secrets, the
// per-commitment points of our commitment and of the peer's, the secret
// of a revoked peer commitment, and one payment.
type env struct {
	t         *testing.T
	keys      *channel.LocalKeys
	ourPoint  *btcec.PublicKey // our commitment's per-commitment point
	peerPoint *btcec.PublicKey // the peer's current commitment's
	revSecret *btcec.PrivateKey
	preimage  [32]byte
	hash      [32]byte
	// prev are the outputs the claims spend, for the script engine.
	prev *txscript.MultiPrevOutFetcher
	dest []byte
	// dests counts Host.Dest calls.
	dests int
}

func newEnv(t *testing.T) *env {
	t.Helper()
	e := &env{t: t, keys: &channel.LocalKeys{
		Funding: testKey("funding"), Revocation: testKey("revocation base"), Payment: testKey("payment base"),
		Delayed: testKey("delayed base"), HTLC: testKey("htlc base"),
	}, ourPoint: testKey("our point").PubKey(), peerPoint: testKey("peer point").PubKey(),
		revSecret: testKey("revoked secret"), prev: txscript.NewMultiPrevOutFetcher(nil),
		dest: script.P2WPKH(testKey("wallet").PubKey())}
	e.preimage = sha256.Sum256([]byte("preimage"))
	e.hash = sha256.Sum256(e.preimage[:])
	return e
}

func (e *env) must(err error) {
	e.t.Helper()
	if err != nil {
		e.t.Fatal(err)
	}
}

// host asks for e.dest and knows the preimages of known.
func (e *env) host(known ...[32]byte) Host {
	h := Host{Keys: e.keys, FeeRate: testFeerate, Dest: func() ([]byte, error) {
		e.dests++
		return e.dest, nil
	}}
	if known != nil {
		h.Preimage = func(hash [32]byte) ([32]byte, bool) {
			for _, p := range known {
				if sha256.Sum256(p[:]) == hash {
					return p, true
				}
			}
			return [32]byte{}, false
		}
	}
	return h
}

// pub derives the public key of base (a basepoint) for point, the BOLT 3
// way on public keys, independently of KeyRef.derive.
func (e *env) pub(base *btcec.PrivateKey, point *btcec.PublicKey) *btcec.PublicKey {
	e.t.Helper()
	p, err := script.DeriveLocalPubKey(base.PubKey(), point)
	e.must(err)
	return p
}

// revocationPub is the revocation key of the peer's revoked commitment.
func (e *env) revocationPub() *btcec.PublicKey {
	e.t.Helper()
	p, err := script.DeriveRevocationPubKey(e.keys.Revocation.PubKey(), e.revSecret.PubKey())
	e.must(err)
	return p
}

// claim fills c as an output of the commitment at index, paying value
// to P2WSH(ws) (or P2WPKH of the payment key when ws is nil), and
// records that output for the engine.
func (e *env) claim(c *Claim, index uint32, value int64) *Claim {
	e.t.Helper()
	c.OutPoint = wire.OutPoint{Hash: commitTxid, Index: index}
	c.ValueSat = value
	if c.WitnessScript != nil {
		pk, err := script.P2WSH(c.WitnessScript)
		e.must(err)
		c.PkScript = pk
	} else {
		c.PkScript = script.P2WPKH(e.keys.Payment.PubKey())
	}
	e.prev.AddPrevOut(c.OutPoint, wire.NewTxOut(value, c.PkScript))
	return c
}

// toLocal is our commitment's to_local, ours after testCSV.
func (e *env) toLocal(index uint32, value int64, mature uint32) *Claim {
	e.t.Helper()
	ws, err := script.ToLocalScript(testKey("peer's revocation").PubKey(), e.pub(e.keys.Delayed, e.ourPoint), testCSV)
	e.must(err)
	return e.claim(&Claim{What: "to_local", Sweep: script.SweepDelayed, WitnessScript: ws,
		Key: KeyRef{Base: "delayed", Point: e.ourPoint.SerializeCompressed()}, CSV: testCSV, MatureHeight: mature}, index, value)
}

// toRemote is our anchors to_remote on the peer's commitment.
func (e *env) toRemote(index uint32, value int64, mature uint32) *Claim {
	e.t.Helper()
	ws, err := script.ToRemoteAnchorScript(e.keys.Payment.PubKey())
	e.must(err)
	return e.claim(&Claim{What: "to_remote", Sweep: script.SweepToRemote, WitnessScript: ws,
		Key: KeyRef{Base: "payment"}, Anchors: true, MatureHeight: mature}, index, value)
}

// peerHTLC is the peer's htlc key on its current commitment.
func (e *env) peerHTLC() *btcec.PublicKey { return testKey("peer htlc").PubKey() }

// remoteTimeout is an HTLC we offered, on the peer's commitment: ours
// after cltv_expiry.
func (e *env) remoteTimeout(index uint32, value int64) *Claim {
	e.t.Helper()
	ws, err := script.ReceivedHTLCScript(script.Anchors, testKey("rev of peer commit").PubKey(), e.peerHTLC(),
		e.pub(e.keys.HTLC, e.peerPoint), e.hash, testCLTV)
	e.must(err)
	return e.claim(&Claim{What: "htlc", Sweep: script.SweepRemoteHTLCTimeout, WitnessScript: ws,
		Key: KeyRef{Base: "htlc", Point: e.peerPoint.SerializeCompressed()}, CLTV: testCLTV, Anchors: true,
		MatureHeight: testCLTV + 1, PaymentHash: e.hash, Offered: true, HTLCID: 7, AmountMsat: uint64(value) * 1000},
		index, value)
}

// remoteSuccess is an HTLC the peer offered us, on its commitment,
// watched until we know its preimage.
func (e *env) remoteSuccess(index uint32, value int64, mature uint32) *Claim {
	e.t.Helper()
	ws, err := script.OfferedHTLCScript(script.Anchors, testKey("rev of peer commit").PubKey(), e.peerHTLC(),
		e.pub(e.keys.HTLC, e.peerPoint), e.hash)
	e.must(err)
	return e.claim(&Claim{What: "htlc", Sweep: script.SweepRemoteHTLCSuccess, WitnessScript: ws,
		Key: KeyRef{Base: "htlc", Point: e.peerPoint.SerializeCompressed()}, Anchors: true, MatureHeight: mature,
		PaymentHash: e.hash, HTLCID: 3, AmountMsat: uint64(value) * 1000, WatchOnly: true}, index, value)
}

// revKey is the KeyRef of the revoked commitment's revocation key.
func (e *env) revKey() KeyRef { return KeyRef{Base: "revocation", Secret: e.revSecret.Serialize()} }

// revokedToLocal is the to_local of the peer's revoked commitment.
func (e *env) revokedToLocal(index uint32, value int64, mature uint32) *Claim {
	e.t.Helper()
	return e.claim(&Claim{What: "to_local", Sweep: script.SweepRevokedToLocal, WitnessScript: e.revokedDelayedScript(),
		Key: e.revKey(), MatureHeight: mature}, index, value)
}

// revokedDelayedScript is to_local's script on the peer's revoked
// commitment, and its second-level outputs'.
func (e *env) revokedDelayedScript() []byte {
	e.t.Helper()
	ws, err := script.ToLocalScript(e.revocationPub(), testKey("peer delayed").PubKey(), testCSV)
	e.must(err)
	return ws
}

// revokedHTLC is an HTLC the peer offered on its revoked commitment,
// with the claim on the output of the peer's second-level transaction.
func (e *env) revokedHTLC(index uint32, value int64, mature uint32) *Claim {
	e.t.Helper()
	ws, err := script.OfferedHTLCScript(script.Anchors, e.revocationPub(), testKey("peer revoked htlc").PubKey(),
		testKey("our revoked htlc").PubKey(), e.hash)
	e.must(err)
	return e.claim(&Claim{What: "htlc", Sweep: script.SweepRevokedHTLC, WitnessScript: ws, Key: e.revKey(),
		MatureHeight: mature, PaymentHash: e.hash, Anchors: true,
		Next: &Claim{What: "second_level", Sweep: script.SweepRevokedToLocal, WitnessScript: e.revokedDelayedScript(),
			Key: e.revKey()}}, index, value)
}

// resolution holds claims of a commitment confirmed at height 100.
func resolution(kind string, anchors bool, claims ...*Claim) *Resolution {
	return &Resolution{Version: resolutionVersion, ChannelPoint: "00:0", Kind: kind, Anchors: anchors,
		CommitTxid: commitTxid, CommitHeight: 100, Claims: claims}
}

// verify runs btcd's script interpreter on every input of tx against the
// outputs recorded in e.prev.
func (e *env) verify(tx *wire.MsgTx) {
	e.t.Helper()
	hashes := txscript.NewTxSigHashes(tx, e.prev)
	for i, in := range tx.TxIn {
		prev := e.prev.FetchPrevOutput(in.PreviousOutPoint)
		if prev == nil {
			e.t.Fatalf("input %d spends unknown %v", i, in.PreviousOutPoint)
		}
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags, nil, hashes, prev.Value, e.prev)
		if err == nil {
			err = vm.Execute()
		}
		if err != nil {
			e.t.Fatalf("input %d (%v) does not verify: %v", i, in.PreviousOutPoint, err)
		}
	}
}

// step runs r.Step and wants no error.
func (e *env) step(r *Resolution, height uint32, h Host) []*wire.MsgTx {
	e.t.Helper()
	txs, err := r.Step(height, h)
	if err != nil {
		e.t.Fatalf("step %d: %v", height, err)
	}
	return txs
}

// spends lists the outpoints tx spends.
func spends(tx *wire.MsgTx) []wire.OutPoint {
	var ops []wire.OutPoint
	for _, in := range tx.TxIn {
		ops = append(ops, in.PreviousOutPoint)
	}
	return ops
}

// peerSpend is a peer transaction spending op at input 0 with witness w,
// paying its own key.
func peerSpend(op wire.OutPoint, w wire.TxWitness) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: op, Witness: w})
	tx.AddTxOut(wire.NewTxOut(10_000, script.P2WPKH(testKey("peer wallet").PubKey())))
	return tx
}
