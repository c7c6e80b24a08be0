package onchain

import (
	"slices"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// TestSpentByPeerDropsSharedSweep: the peer takes one input of our
// batched sweep (an HTLC we offered, with the preimage): the sweep can
// never confirm, so it leaves Txs, its other claims are swept again
// without the lost input, and the payment is fulfilled.
func TestSpentByPeerDropsSharedSweep(t *testing.T) {
	e := newEnv(t)
	toLocal, toRemote, htlc := e.toLocal(0, 50_000, 101), e.toRemote(1, 60_000, 101), e.remoteTimeout(2, 40_000)
	r := resolution(KindRemoteForce, true, toLocal, toRemote, htlc)
	first := e.step(r, testCLTV, e.host())
	if len(first) != 1 || len(first[0].TxIn) != 3 {
		t.Fatalf("first sweep: %v", first)
	}
	sweep := first[0].TxHash()

	theirs := peerSpend(htlc.OutPoint, wire.TxWitness{nil, {0x30}, {0x30}, e.preimage[:], htlc.WitnessScript})
	out := r.Spent(htlc.OutPoint, theirs, 0, testCLTV+1)
	want := Outcome{HTLCID: 7, AmountMsat: 40_000_000, PaymentHash: e.hash, Preimage: e.preimage, Fulfilled: true}
	if len(out) != 1 || out[0] != want {
		t.Errorf("outcomes %+v, want %+v", out, want)
	}
	if !htlc.Done || htlc.SpentBy != theirs.TxHash() || htlc.SpentHeight != testCLTV+1 {
		t.Errorf("HTLC claim after the peer's spend: %+v", htlc)
	}
	if _, ok := r.Txs[sweep.String()]; ok || len(r.Txs) != 0 {
		t.Errorf("lost sweep still in flight: %v", r.Txs)
	}
	if toLocal.SweepTxid != (chainhash.Hash{}) || toRemote.SweepTxid != (chainhash.Hash{}) {
		t.Error("claims of the lost sweep still point at it")
	}
	if r.SweptSat != 0 || r.Done || len(r.TakeReleased()) != 0 {
		t.Errorf("swept %d, done %v after the peer's spend", r.SweptSat, r.Done)
	}

	again := e.step(r, testCLTV+1, e.host())
	if len(again) != 1 {
		t.Fatalf("resweep: %d txs", len(again))
	}
	if got := spends(again[0]); !slices.Equal(got, []wire.OutPoint{toLocal.OutPoint, toRemote.OutPoint}) {
		t.Errorf("resweep spends %v", got)
	}
	e.verify(again[0])
	if toLocal.SweepTxid != again[0].TxHash() || len(r.Txs) != 1 {
		t.Errorf("resweep not recorded: %v, %d in flight", toLocal.SweepTxid, len(r.Txs))
	}
}

// TestSpentOutcomes: an HTLC we offered ends fulfilled only when the
// peer's spend reveals its preimage; our own spend, the peer's timeout
// branch or a wrong preimage fail it; other claims have no outcome, and
// an unknown or already settled outpoint changes nothing.
func TestSpentOutcomes(t *testing.T) {
	wrong := [32]byte{1}
	for _, tc := range []struct {
		name      string
		ours      bool
		witness   func(e *env, c *Claim) wire.TxWitness
		fulfilled bool
	}{
		{name: "peer reveals the preimage", fulfilled: true,
			witness: func(e *env, c *Claim) wire.TxWitness { return wire.TxWitness{{0x30}, e.preimage[:], c.WitnessScript} }},
		{name: "peer with another 32-byte item",
			witness: func(e *env, c *Claim) wire.TxWitness { return wire.TxWitness{{0x30}, wrong[:], c.WitnessScript} }},
		{name: "peer with the revocation key",
			witness: func(e *env, c *Claim) wire.TxWitness {
				return wire.TxWitness{{0x30}, make([]byte, 33), c.WitnessScript}
			}},
		{name: "our sweep", ours: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			htlc := e.remoteTimeout(2, 40_000)
			r := resolution(KindRemoteForce, true, htlc)
			var tx *wire.MsgTx
			if tc.ours {
				txs := e.step(r, testCLTV, e.host())
				if len(txs) != 1 {
					t.Fatalf("%d txs", len(txs))
				}
				tx = txs[0]
			} else {
				tx = peerSpend(htlc.OutPoint, tc.witness(e, htlc))
			}
			out := r.Spent(htlc.OutPoint, tx, 0, testCLTV+1)
			want := Outcome{HTLCID: 7, AmountMsat: 40_000_000, PaymentHash: e.hash, Fulfilled: tc.fulfilled}
			if tc.fulfilled {
				want.Preimage = e.preimage
			}
			if len(out) != 1 || out[0] != want {
				t.Errorf("outcomes %+v, want %+v", out, want)
			}
			if again := r.Spent(htlc.OutPoint, tx, 0, testCLTV+2); again != nil || htlc.SpentHeight != testCLTV+1 {
				t.Errorf("second report: %+v, spent height %d", again, htlc.SpentHeight)
			}
		})
	}

	e := newEnv(t)
	toRemote, received := e.toRemote(1, 60_000, 101), e.remoteSuccess(3, 20_000, 101)
	r := resolution(KindRemoteForce, true, toRemote, received)
	if out := r.Spent(received.OutPoint, peerSpend(received.OutPoint, wire.TxWitness{e.preimage[:]}), 0, 200); out != nil {
		t.Errorf("received HTLC: outcomes %+v", out)
	}
	if out := r.Spent(toRemote.OutPoint, peerSpend(toRemote.OutPoint, nil), 0, 200); out != nil {
		t.Errorf("to_remote: outcomes %+v", out)
	}
	unknown := wire.OutPoint{Hash: chainhash.HashH([]byte("elsewhere"))}
	before := len(r.Claims)
	if out := r.Spent(unknown, peerSpend(unknown, nil), 0, 200); out != nil || len(r.Claims) != before {
		t.Errorf("unknown outpoint: %+v", out)
	}
}

// TestSweepConfirms: our batched sweep confirms; Spent comes once per
// claim, and its output counts once. The resolution is done, at the
// height of the last spend, only when every claim is.
func TestSweepConfirms(t *testing.T) {
	e := newEnv(t)
	a, b, c := e.toLocal(0, 50_000, 101), e.toRemote(1, 60_000, 101), e.revokedToLocal(2, 70_000, 100)
	later := e.toLocal(3, 30_000, 400)
	r := resolution(KindLocalForce, true, a, b, c, later)
	txs := e.step(r, 200, e.host())
	if len(txs) != 1 {
		t.Fatalf("%d txs", len(txs))
	}
	sweep := txs[0]
	for _, cl := range []*Claim{a, b, c} {
		for i, in := range sweep.TxIn {
			if in.PreviousOutPoint == cl.OutPoint {
				if out := r.Spent(cl.OutPoint, sweep, uint32(i), 205); out != nil {
					t.Errorf("outcomes %+v", out)
				}
			}
		}
		if !cl.Done || cl.SpentBy != sweep.TxHash() {
			t.Errorf("%v not settled by our sweep", cl.OutPoint)
		}
	}
	if r.SweptSat != sweep.TxOut[0].Value {
		t.Errorf("swept %d, want the sweep's output %d once", r.SweptSat, sweep.TxOut[0].Value)
	}
	if r.Done || len(r.Txs) != 0 {
		t.Fatalf("done %v with a claim open, %d txs in flight", r.Done, len(r.Txs))
	}

	txs = e.step(r, 399, e.host())
	if len(txs) != 1 || !slices.Equal(spends(txs[0]), []wire.OutPoint{later.OutPoint}) {
		t.Fatalf("second sweep: %v", txs)
	}
	r.Spent(later.OutPoint, txs[0], 0, 401)
	if want := sweep.TxOut[0].Value + txs[0].TxOut[0].Value; r.SweptSat != want {
		t.Errorf("swept %d, want %d", r.SweptSat, want)
	}
	if !r.Done || r.DoneHeight != 401 {
		t.Errorf("done %v at %d, want at 401", r.Done, r.DoneHeight)
	}
	r.WalletFeeSat = 1_000
	if r.NetSat() != r.SweptSat-1_000 {
		t.Errorf("net %d, swept %d, wallet fees 1000", r.NetSat(), r.SweptSat)
	}
	if txs := e.step(r, 402, e.host()); len(txs) != 0 {
		t.Errorf("done resolution still broadcasts %d txs", len(txs))
	}
}
