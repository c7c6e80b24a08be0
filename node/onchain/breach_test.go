package onchain

import (
	"bytes"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/script"
)

// peerSecondLevel is the peer's second-level transaction from its
// revoked commitment, batched: its HTLC input at index i (after fee
// inputs of its own) pays output i, to pk.
func peerSecondLevel(htlc wire.OutPoint, i int, pk []byte, value int64) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for j := 0; j <= i; j++ {
		op := wire.OutPoint{Hash: chainhash.HashH([]byte("peer coin")), Index: uint32(j)}
		if j == i {
			op = htlc
		}
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: op, Sequence: 1})
		tx.AddTxOut(wire.NewTxOut(5_000, script.P2WPKH(testKey("peer wallet").PubKey())))
	}
	tx.TxOut[i] = wire.NewTxOut(value, pk)
	return tx
}

// TestBreachFollow: the peer gets its second-level transaction from a
// revoked commitment confirmed first. The penalty sweep holding that
// HTLC is dropped, and the transaction's output (input i pays output i)
// is claimed at once with the revocation key, in a new sweep with the
// rest.
func TestBreachFollow(t *testing.T) {
	for _, i := range []int{0, 2} {
		e := newEnv(t)
		toLocal, htlc := e.revokedToLocal(0, 70_000, 100), e.revokedHTLC(3, 30_000, 100)
		r := resolution(KindBreach, true, toLocal, htlc)
		if txs := e.step(r, 100, e.host()); len(txs) != 1 || len(txs[0].TxIn) != 2 {
			t.Fatalf("penalty sweep: %v", txs)
		}
		pk, err := script.P2WSH(htlc.Next.WitnessScript)
		e.must(err)
		theirs := peerSecondLevel(htlc.OutPoint, i, pk, 29_000)
		const height = 105
		r.Spent(htlc.OutPoint, theirs, uint32(i), height)

		if len(r.Claims) != 3 {
			t.Fatalf("input %d: %d claims, want the second-level output added", i, len(r.Claims))
		}
		n := r.Claims[2]
		want := wire.OutPoint{Hash: theirs.TxHash(), Index: uint32(i)}
		if n.OutPoint != want || n.ValueSat != 29_000 || !bytes.Equal(n.PkScript, pk) || n.MatureHeight != height ||
			n.Sweep != script.SweepRevokedToLocal || n.Key.Base != "revocation" || n.Done || n.Next != nil {
			t.Fatalf("input %d: claim %+v, want %v", i, n, want)
		}
		if htlc.Next == n || r.Done || len(r.Txs) != 0 || toLocal.SweepTxid != (chainhash.Hash{}) {
			t.Fatalf("input %d: done %v, %d in flight, to_local sweep %v", i, r.Done, len(r.Txs), toLocal.SweepTxid)
		}
		e.prev.AddPrevOut(want, theirs.TxOut[i])

		txs := e.step(r, height, e.host())
		if len(txs) != 1 || !slices.Equal(spends(txs[0]), []wire.OutPoint{toLocal.OutPoint, want}) {
			t.Fatalf("input %d: sweep after the peer's: %v", i, txs)
		}
		e.verify(txs[0])
	}
}

// TestBreachFollowOnlyItsOutput: no claim is added when the peer's
// transaction does not pay the second-level script at the input's index,
// or when the close is not a breach.
func TestBreachFollowOnlyItsOutput(t *testing.T) {
	e := newEnv(t)
	for _, tc := range []struct {
		name string
		kind string
		tx   func(c *Claim, pk []byte) (*wire.MsgTx, uint32)
	}{
		{"other script", KindBreach, func(c *Claim, pk []byte) (*wire.MsgTx, uint32) {
			return peerSecondLevel(c.OutPoint, 1, script.P2WPKH(testKey("peer").PubKey()), 29_000), 1
		}},
		{"script at another index", KindBreach, func(c *Claim, pk []byte) (*wire.MsgTx, uint32) {
			tx := peerSecondLevel(c.OutPoint, 1, pk, 29_000)
			tx.TxOut[0], tx.TxOut[1] = tx.TxOut[1], tx.TxOut[0]
			return tx, 1
		}},
		{"fewer outputs than inputs", KindBreach, func(c *Claim, pk []byte) (*wire.MsgTx, uint32) {
			tx := peerSecondLevel(c.OutPoint, 1, pk, 29_000)
			tx.TxOut = tx.TxOut[:1]
			return tx, 1
		}},
		{"not a breach", KindRemoteForce, func(c *Claim, pk []byte) (*wire.MsgTx, uint32) {
			return peerSecondLevel(c.OutPoint, 0, pk, 29_000), 0
		}},
	} {
		htlc := e.revokedHTLC(3, 30_000, 100)
		r := resolution(tc.kind, true, htlc)
		pk, err := script.P2WSH(htlc.Next.WitnessScript)
		e.must(err)
		tx, in := tc.tx(htlc, pk)
		r.Spent(htlc.OutPoint, tx, in, 105)
		if len(r.Claims) != 1 || !htlc.Done || !r.Done {
			t.Errorf("%s: %d claims, done %v", tc.name, len(r.Claims), r.Done)
		}
	}
}

// TestAddCPFP records a wallet-funded child of our commitment spending
// our anchor: rebroadcast, not swept again, and its cost counts once it
// confirms; released if someone else spends the anchor first.
func TestAddCPFP(t *testing.T) {
	e := newEnv(t)
	ws, err := script.AnchorScript(e.keys.Funding.PubKey())
	e.must(err)
	anchor := wire.OutPoint{Hash: commitTxid, Index: 4}
	child := wire.NewMsgTx(2)
	child.AddTxIn(&wire.TxIn{PreviousOutPoint: anchor})
	child.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte("wallet coin"))}})
	child.AddTxOut(wire.NewTxOut(40_000, e.dest))
	ours := child.TxHash()

	setup := func() (*Resolution, *Claim) {
		t.Helper()
		r := resolution(KindLocalForce, true, e.toLocal(0, 50_000, 244))
		e.must(r.AddCPFP(anchor, ws, script.AnchorSat, child, 2_000))
		if len(r.Claims) != 2 {
			t.Fatalf("%d claims", len(r.Claims))
		}
		return r, r.Claims[1]
	}
	r, c := setup()
	pk, err := script.P2WSH(ws)
	e.must(err)
	if c.What != "anchor" || c.OutPoint != anchor || c.ValueSat != script.AnchorSat || !bytes.Equal(c.PkScript, pk) ||
		c.SweepTxid != ours || c.Done {
		t.Fatalf("anchor claim %+v", c)
	}
	if r.Txs[ours.String()] == nil || r.Funded[ours.String()] != 2_000 {
		t.Fatalf("child not in flight: %v, %v", r.Txs, r.Funded)
	}
	txs := e.step(r, 150, e.host())
	if len(txs) != 1 || txs[0].TxHash() != ours || e.dests != 0 {
		t.Fatalf("step: %d txs, %d Dest calls; want the child alone", len(txs), e.dests)
	}

	r.Spent(anchor, child, 0, 151)
	if r.WalletFeeSat != 2_000 || r.SweptSat != 0 || r.NetSat() != -2_000 || len(r.Txs) != 0 || len(r.Funded) != 0 {
		t.Errorf("after the child confirms: wallet fees %d, swept %d, %d in flight, funded %v",
			r.WalletFeeSat, r.SweptSat, len(r.Txs), r.Funded)
	}
	if !c.Done || r.Done || len(r.TakeReleased()) != 0 {
		t.Errorf("anchor done %v, resolution done %v", c.Done, r.Done)
	}

	r, c = setup()
	r.Spent(anchor, peerSpend(anchor, wire.TxWitness{ws}), 0, 170)
	if got := r.TakeReleased(); !slices.Equal(got, []string{ours.String()}) {
		t.Errorf("released %v, want the child", got)
	}
	if r.WalletFeeSat != 0 || len(r.Txs) != 0 || len(r.Funded) != 0 || !c.Done {
		t.Errorf("after losing the anchor: wallet fees %d, %d in flight, funded %v", r.WalletFeeSat, len(r.Txs), r.Funded)
	}
}
