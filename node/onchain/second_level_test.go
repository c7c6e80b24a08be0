package onchain

import (
	"bytes"
	"errors"
	"slices"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/script"
)

// ourHTLC is an HTLC output of our own commitment (offered: timed out by
// our HTLC-timeout transaction; else received: claimed by HTLC-success),
// with its unsigned second-level transaction signed by the peer, and the
// claim on that transaction's output behind our to_self_delay.
func (e *env) ourHTLC(typ script.CommitmentType, offered bool, index uint32, value int64) *Claim {
	e.t.Helper()
	rev := testKey("peer's revocation").PubKey()
	local, peer := e.pub(e.keys.HTLC, e.ourPoint), testKey("peer htlc on our commitment")
	delayed := e.pub(e.keys.Delayed, e.ourPoint)
	var ws []byte
	var err error
	if offered {
		ws, err = script.OfferedHTLCScript(typ, rev, local, peer.PubKey(), e.hash)
	} else {
		ws, err = script.ReceivedHTLCScript(typ, rev, local, peer.PubKey(), e.hash, testCLTV)
	}
	e.must(err)
	out := script.HTLCOutput{HTLC: script.HTLC{Offered: offered, AmountMsat: uint64(value) * 1000, PaymentHash: e.hash,
		CltvExpiry: testCLTV, ID: 5 << 1}, Index: index, WitnessScript: ws}
	tx, err := script.SecondLevelTx(typ, commitTxid, out, testCSV, testFeerate, &script.CommitKeys{Revocation: rev,
		LocalDelayed: delayed, LocalHTLC: local, RemoteHTLC: peer.PubKey(), ToRemote: testKey("to_remote").PubKey()})
	e.must(err)
	hashType := script.RemoteHTLCSigHash(typ)
	sig, err := script.SignHTLCInput(tx, ws, value, hashType, peer)
	e.must(err)
	var buf bytes.Buffer
	e.must(tx.Serialize(&buf))
	next, err := script.ToLocalScript(rev, delayed, testCSV)
	e.must(err)
	point := e.ourPoint.SerializeCompressed()
	c := &Claim{What: "htlc", WitnessScript: ws, Key: KeyRef{Base: "htlc", Point: point},
		Anchors: typ == script.Anchors, MatureHeight: 100, PaymentHash: e.hash, Offered: offered, HTLCID: 5,
		AmountMsat: out.AmountMsat, SecondLevel: buf.Bytes(), PeerSig: script.WitnessSig(sig, hashType),
		Next: &Claim{What: "second_level", Sweep: script.SweepDelayed, WitnessScript: next,
			Key: KeyRef{Base: "delayed", Point: point}, CSV: testCSV}}
	if offered {
		c.MatureHeight = testCLTV + 1
	} else {
		c.WatchOnly = true
	}
	return e.claim(c, index, value)
}

// funder is a wallet adding one coin and change to a transaction, paying
// fee, and signing its coin; it records what it was asked.
type funder struct {
	e     *env
	fee   int64
	err   error
	calls int
	// The last request.
	tx     *wire.MsgTx
	prev   []*wire.TxOut
	weight int64
	rate   uint32
	extra  int64
}

const walletCoinSat = 100_000

func (f *funder) fund(tx *wire.MsgTx, prevOuts []*wire.TxOut, witnessWeight int64, feerate uint32, extraFeeSat int64) (*wire.MsgTx, int64, error) {
	f.calls++
	f.tx, f.prev, f.weight, f.rate, f.extra = tx.Copy(), prevOuts, witnessWeight, feerate, extraFeeSat
	if f.err != nil {
		return nil, 0, f.err
	}
	key := testKey("wallet coin")
	pk := script.P2WPKH(key.PubKey())
	coin := wire.OutPoint{Hash: chainhash.HashH([]byte("wallet coin")), Index: uint32(f.calls)}
	f.e.prev.AddPrevOut(coin, wire.NewTxOut(walletCoinSat, pk))
	done := tx.Copy()
	done.AddTxIn(&wire.TxIn{PreviousOutPoint: coin, Sequence: wire.MaxTxInSequenceNum - 2})
	done.AddTxOut(wire.NewTxOut(walletCoinSat-f.fee, script.P2WPKH(testKey("wallet change").PubKey())))
	w, err := txscript.WitnessSignature(done, txscript.NewTxSigHashes(done, f.e.prev), 1, walletCoinSat, pk,
		txscript.SigHashAll, key, true)
	if err != nil {
		return nil, 0, err
	}
	done.TxIn[1].Witness = w
	return done, f.fee, nil
}

// TestSecondLevelSigned builds our HTLC-timeout and HTLC-success
// transactions when they mature: without anchors as pre-signed, with
// anchors through the wallet's inputs, and checks every input in the
// script interpreter (our SIGHASH_ALL signature and the peer's).
func TestSecondLevelSigned(t *testing.T) {
	for _, tc := range []struct {
		name    string
		typ     script.CommitmentType
		offered bool
		height  uint32 // when it matures (Step's height)
	}{
		{"timeout static_remotekey", script.StaticRemoteKey, true, testCLTV},
		{"success static_remotekey", script.StaticRemoteKey, false, 100},
		{"timeout anchors", script.Anchors, true, testCLTV},
		{"success anchors", script.Anchors, false, 100},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t)
			c := e.ourHTLC(tc.typ, tc.offered, 2, 40_000)
			anchors := tc.typ == script.Anchors
			r := resolution(KindLocalForce, anchors, c)
			f := &funder{e: e, fee: 1_500}
			h := e.host(e.preimage)
			h.Fund = f.fund

			if txs := e.step(r, tc.height-1, h); tc.offered && (len(txs) != 0 || f.calls != 0) {
				t.Fatalf("HTLC-timeout built a block early: %d txs, %d Fund calls", len(txs), f.calls)
			}
			txs := e.step(r, tc.height, h)
			if len(txs) != 1 {
				t.Fatalf("%d txs", len(txs))
			}
			tx := txs[0]
			e.verify(tx)
			if c.SweepTxid != tx.TxHash() || r.Txs[tx.TxHash().String()] == nil || e.dests != 0 {
				t.Errorf("not recorded in flight (sweep %v), or a sweep address asked (%d)", c.SweepTxid, e.dests)
			}
			var unsigned wire.MsgTx
			e.must(unsigned.Deserialize(bytes.NewReader(c.SecondLevel)))
			if tx.TxIn[0].PreviousOutPoint != c.OutPoint || tx.TxIn[0].Sequence != unsigned.TxIn[0].Sequence ||
				tx.LockTime != unsigned.LockTime || tx.TxOut[0].Value != unsigned.TxOut[0].Value ||
				!bytes.Equal(tx.TxOut[0].PkScript, unsigned.TxOut[0].PkScript) {
				t.Errorf("input 0 / output 0 / locktime differ from the peer-signed transaction")
			}
			w := tx.TxIn[0].Witness
			if !bytes.Equal(w[1], c.PeerSig) || txscript.SigHashType(w[2][len(w[2])-1]) != txscript.SigHashAll {
				t.Errorf("witness %x", w)
			}
			if !tc.offered && !bytes.Equal(w[3], e.preimage[:]) {
				t.Errorf("HTLC-success without the preimage: %x", w)
			}

			if !anchors {
				if f.calls != 0 || len(tx.TxIn) != 1 || len(r.Funded) != 0 {
					t.Errorf("non-anchors: %d Fund calls, %d inputs, funded %v", f.calls, len(tx.TxIn), r.Funded)
				}
				return
			}
			if f.calls != 1 || len(tx.TxIn) != 2 || len(tx.TxOut) != 2 {
				t.Fatalf("%d Fund calls; %d inputs, %d outputs", f.calls, len(tx.TxIn), len(tx.TxOut))
			}
			if len(f.prev) != 1 || f.prev[0].Value != c.ValueSat || !bytes.Equal(f.prev[0].PkScript, c.PkScript) {
				t.Errorf("Fund prevOuts %v", f.prev)
			}
			if f.weight < int64(w.SerializeSize()) || f.rate != testFeerate || f.extra != 0 {
				t.Errorf("Fund witness weight %d (real %d), rate %d, extra %d", f.weight, w.SerializeSize(), f.rate, f.extra)
			}
			if len(f.tx.TxIn) != 1 || f.tx.TxIn[0].PreviousOutPoint != c.OutPoint || f.tx.TxOut[0].Value != c.ValueSat {
				t.Errorf("Fund got %d inputs, output %d sat", len(f.tx.TxIn), f.tx.TxOut[0].Value)
			}
			if got, ok := r.Funded[tx.TxHash().String()]; !ok || got != f.fee {
				t.Errorf("funded %v, want %s: %d", r.Funded, tx.TxHash(), f.fee)
			}
		})
	}
}

// TestSecondLevelNeedsWallet: an anchors second-level transaction is not
// built without a wallet, or when the wallet fails, and is at the next
// step once the wallet can pay.
func TestSecondLevelNeedsWallet(t *testing.T) {
	e := newEnv(t)
	c := e.ourHTLC(script.Anchors, true, 2, 40_000)
	r := resolution(KindLocalForce, true, c)
	txs, err := r.Step(testCLTV, e.host())
	if err == nil || len(txs) != 0 || c.SweepTxid != (chainhash.Hash{}) || len(r.Funded) != 0 || len(r.Txs) != 0 {
		t.Fatalf("without Fund: %v, %d txs, funded %v", err, len(txs), r.Funded)
	}
	broke := errors.New("no coins")
	f := &funder{e: e, fee: 1_500, err: broke}
	h := e.host()
	h.Fund = f.fund
	if _, err := r.Step(testCLTV+1, h); !errors.Is(err, broke) || len(r.Txs) != 0 || f.calls != 1 {
		t.Fatalf("failing wallet: %v, %d txs in flight", err, len(r.Txs))
	}
	f.err = nil
	txs = e.step(r, testCLTV+2, h)
	if len(txs) != 1 || f.calls != 2 || r.Funded[txs[0].TxHash().String()] != 1_500 {
		t.Fatalf("with a wallet: %d txs, funded %v", len(txs), r.Funded)
	}
	e.verify(txs[0])
}

// TestSecondLevelLosesRace: the peer spends the HTLC output first (with
// the preimage): our funded transaction is released once, forgotten,
// costs nothing, and the payment is fulfilled.
func TestSecondLevelLosesRace(t *testing.T) {
	e := newEnv(t)
	c := e.ourHTLC(script.Anchors, true, 2, 40_000)
	r := resolution(KindLocalForce, true, c)
	h := e.host()
	h.Fund = (&funder{e: e, fee: 1_500}).fund
	txs := e.step(r, testCLTV, h)
	if len(txs) != 1 {
		t.Fatalf("%d txs", len(txs))
	}
	ours := txs[0].TxHash().String()

	theirs := peerSpend(c.OutPoint, wire.TxWitness{{0x30}, e.preimage[:], c.WitnessScript})
	out := r.Spent(c.OutPoint, theirs, 0, testCLTV+1)
	if len(out) != 1 || !out[0].Fulfilled || out[0].Preimage != e.preimage || out[0].HTLCID != 5 {
		t.Errorf("outcomes %+v", out)
	}
	if got := r.TakeReleased(); !slices.Equal(got, []string{ours}) {
		t.Errorf("released %v, want [%s]", got, ours)
	}
	if got := r.TakeReleased(); len(got) != 0 {
		t.Errorf("released twice: %v", got)
	}
	if _, ok := r.Funded[ours]; ok || len(r.Txs) != 0 || r.WalletFeeSat != 0 || len(r.Claims) != 1 {
		t.Errorf("funded %v, %d in flight, wallet fees %d, %d claims", r.Funded, len(r.Txs), r.WalletFeeSat, len(r.Claims))
	}
	if !r.Done || r.DoneHeight != testCLTV+1 || r.NetSat() != 0 {
		t.Errorf("done %v at %d, net %d", r.Done, r.DoneHeight, r.NetSat())
	}
}

// TestSecondLevelConfirms: our HTLC-timeout confirms (funded by the
// wallet with anchors): the wallet's fee counts, the second-level output
// is not yet a sweep to credit, the payment failed, and that output
// becomes a claim after to_self_delay, swept with our delayed key.
func TestSecondLevelConfirms(t *testing.T) {
	for _, typ := range []script.CommitmentType{script.StaticRemoteKey, script.Anchors} {
		t.Run(typ.String(), func(t *testing.T) {
			e := newEnv(t)
			c := e.ourHTLC(typ, true, 2, 40_000)
			r := resolution(KindLocalForce, typ == script.Anchors, c)
			h := e.host()
			h.Fund = (&funder{e: e, fee: 1_500}).fund
			fee := int64(1_500)
			if typ != script.Anchors {
				fee = 0
			}
			txs := e.step(r, testCLTV, h)
			if len(txs) != 1 {
				t.Fatalf("%d txs", len(txs))
			}
			tx := txs[0]
			const height = testCLTV + 3

			out := r.Spent(c.OutPoint, tx, 0, height)
			if len(out) != 1 || out[0].Fulfilled || out[0].HTLCID != 5 || out[0].AmountMsat != 40_000_000 {
				t.Errorf("outcomes %+v", out)
			}
			if r.WalletFeeSat != fee || len(r.Funded) != 0 || len(r.Txs) != 0 || r.SweptSat != 0 {
				t.Errorf("wallet fees %d, funded %v, %d in flight, swept %d", r.WalletFeeSat, r.Funded, len(r.Txs), r.SweptSat)
			}
			if len(r.Claims) != 2 || r.Done {
				t.Fatalf("%d claims, done %v", len(r.Claims), r.Done)
			}
			next := r.Claims[1]
			if next.What != "second_level" || next.OutPoint != (wire.OutPoint{Hash: tx.TxHash(), Index: 0}) ||
				next.ValueSat != tx.TxOut[0].Value || !bytes.Equal(next.PkScript, tx.TxOut[0].PkScript) ||
				next.MatureHeight != height+testCSV || next.Done {
				t.Fatalf("next claim %+v", next)
			}
			e.prev.AddPrevOut(next.OutPoint, tx.TxOut[0])

			if txs := e.step(r, height+testCSV-2, h); len(txs) != 0 {
				t.Fatalf("swept before to_self_delay: %v", txs)
			}
			txs = e.step(r, height+testCSV-1, h)
			if len(txs) != 1 || !slices.Equal(spends(txs[0]), []wire.OutPoint{next.OutPoint}) {
				t.Fatalf("sweep of the second-level output: %v", txs)
			}
			e.verify(txs[0])
			r.Spent(next.OutPoint, txs[0], 0, height+testCSV)
			if !r.Done || r.SweptSat != txs[0].TxOut[0].Value || r.NetSat() != txs[0].TxOut[0].Value-fee {
				t.Errorf("done %v, swept %d, net %d", r.Done, r.SweptSat, r.NetSat())
			}
		})
	}
}

// TestLearnPreimage: a received HTLC watched for want of its preimage is
// claimed once Host.Preimage knows it, with the preimage in the witness;
// without a Preimage func or for another hash it stays watched.
func TestLearnPreimage(t *testing.T) {
	e := newEnv(t)
	c := e.remoteSuccess(3, 45_000, 101)
	r := resolution(KindRemoteForce, true, c)
	for _, h := range []Host{e.host(), e.host([32]byte{7})} {
		if txs := e.step(r, 200, h); len(txs) != 0 || !c.WatchOnly || c.HasPreimage || e.dests != 0 {
			t.Fatalf("claimed without its preimage: %d txs, %+v", len(txs), c)
		}
	}
	txs := e.step(r, 201, e.host([32]byte{7}, e.preimage))
	if len(txs) != 1 || c.WatchOnly || !c.HasPreimage || c.Preimage != e.preimage {
		t.Fatalf("after learning: %d txs, %+v", len(txs), c)
	}
	e.verify(txs[0])
	if w := txs[0].TxIn[0].Witness; len(w) != 3 || !bytes.Equal(w[1], e.preimage[:]) {
		t.Errorf("witness %x", w)
	}

	// Only received HTLCs learn: not one we offered (on either
	// commitment), nor a to_remote.
	for _, c := range []*Claim{e.remoteTimeout(2, 40_000), e.ourHTLC(script.Anchors, true, 4, 40_000),
		e.toRemote(1, 60_000, 101)} {
		c.WatchOnly = true
		c.learn(e.host(e.preimage).Preimage)
		if !c.WatchOnly || c.HasPreimage {
			t.Errorf("%s (offered %v) learned a preimage", c.What, c.Offered)
		}
	}
}
