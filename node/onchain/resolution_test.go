package onchain

import (
	"bytes"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// TestEncodeDecode round-trips a resolution with every kind of field set,
// checks that the decoded copy derives the same keys (it builds the very
// same sweep), and that Decode refuses another version and garbage.
func TestEncodeDecode(t *testing.T) {
	e := newEnv(t)
	htlc := e.remoteSuccess(2, 40_000, 101)
	htlc.Preimage, htlc.HasPreimage, htlc.WatchOnly = e.preimage, true, false
	rev := e.revokedHTLC(3, 30_000, 100)
	rev.SecondLevel, rev.PeerSig = []byte{1, 2, 3}, []byte{4, 5}
	rev.SweepTxid = chainhash.HashH([]byte("sweep"))
	rev.SpentBy, rev.SpentHeight, rev.Done = chainhash.HashH([]byte("spender")), 105, true
	r := resolution(KindBreach, true, e.toLocal(0, 50_000, 244), e.toRemote(1, 60_000, 101), htlc, rev)
	r.Unknown = true
	var inFlight bytes.Buffer
	e.must(peerSpend(rev.OutPoint, nil).Serialize(&inFlight))
	r.Txs = map[string][]byte{rev.SweepTxid.String(): inFlight.Bytes()}
	r.Funded = map[string]int64{rev.SweepTxid.String(): 1234}
	r.Released = []string{"released"}
	r.SweptSat, r.WalletFeeSat = 5, 6

	b, err := r.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b, e.keys.Delayed.Serialize()) {
		t.Error("a private key in the encoding")
	}
	got, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("round trip differs:\n got %+v\nwant %+v", got, r)
	}

	// Both sweep the same claims into the same signed transaction.
	a, b2 := e.step(r, 300, e.host()), e.step(got, 300, e.host())
	txid := func(txs []*wire.MsgTx) []chainhash.Hash {
		var ids []chainhash.Hash
		for _, tx := range txs {
			ids = append(ids, tx.TxHash())
		}
		slices.SortFunc(ids, func(x, y chainhash.Hash) int { return bytes.Compare(x[:], y[:]) })
		return ids
	}
	if len(a) != 2 || !slices.Equal(txid(a), txid(b2)) {
		t.Errorf("original steps %v, decoded %v", txid(a), txid(b2))
	}

	for name, bad := range map[string][]byte{
		"garbage":       []byte("not json"),
		"empty":         nil,
		"no version":    []byte(`{"Kind":"BREACH_CLOSE"}`),
		"version 1":     bytes.Replace(b, []byte(`"Version":2`), []byte(`"Version":1`), 1),
		"future":        bytes.Replace(b, []byte(`"Version":2`), []byte(`"Version":3`), 1),
		"wrong type":    []byte(`{"Version":2,"Claims":"x"}`),
		"truncated":     b[:len(b)/2],
		"array of them": []byte(`[` + string(b) + `]`),
	} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("%s: decoded", name)
		}
	}
	if !bytes.Contains(b, []byte(`"Version":2`)) {
		t.Errorf("encoding has no version 2: %s", b)
	}
}

// TestEncodeOmitsEmpty keeps a plain resolution's encoding free of the
// optional fields, so older readers see what they expect.
func TestEncodeOmitsEmpty(t *testing.T) {
	e := newEnv(t)
	b, err := resolution(KindLocalForce, false, e.toLocal(0, 50_000, 244)).Encode()
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"Txs", "Funded", "Released", "WalletFeeSat", "Unknown", "Anchors"} {
		if _, ok := m[k]; ok {
			t.Errorf("%s encoded: %s", k, b)
		}
	}
	if strings.Contains(string(b), "SecondLevel") || strings.Contains(string(b), "Next") {
		t.Errorf("empty claim fields encoded: %s", b)
	}
}

// TestStepMaturity: Step(height) builds what may be in block height+1,
// so a claim maturing at block M is swept at Step(M-1), not Step(M-2);
// nothing maturing means no sweep address is asked for.
func TestStepMaturity(t *testing.T) {
	const mature = 244
	for _, tc := range []struct {
		height uint32
		built  bool
	}{
		{100, false},
		{mature - 2, false},
		{mature - 1, true},
		{mature, true},
		{mature + 1000, true},
	} {
		e := newEnv(t)
		c := e.toLocal(0, 50_000, mature)
		r := resolution(KindLocalForce, false, c)
		txs := e.step(r, tc.height, e.host())
		if built := len(txs) == 1; built != tc.built || len(txs) > 1 {
			t.Errorf("Step(%d) with claim maturing at %d: %d txs, want built %v", tc.height, mature, len(txs), tc.built)
			continue
		}
		if !tc.built {
			if e.dests != 0 || len(r.Txs) != 0 || c.SweepTxid != (chainhash.Hash{}) {
				t.Errorf("Step(%d): nothing to sweep, yet %d Dest calls, %d txs in flight", tc.height, e.dests, len(r.Txs))
			}
			continue
		}
		tx := txs[0]
		e.verify(tx)
		if c.SweepTxid != tx.TxHash() || r.Txs[tx.TxHash().String()] == nil || e.dests != 1 {
			t.Errorf("Step(%d): claim sweep %v, tx %v, Dest calls %d", tc.height, c.SweepTxid, tx.TxHash(), e.dests)
		}
		if tx.TxIn[0].Sequence != testCSV || !bytes.Equal(tx.TxOut[0].PkScript, e.dest) {
			t.Errorf("sequence %d, output to %x", tx.TxIn[0].Sequence, tx.TxOut[0].PkScript)
		}
	}
}

// TestStepBatchesMatureClaims sweeps every mature claim, of every kind a
// sweep takes, in one transaction whose inputs all verify, leaves the
// immature and watched ones alone, and rebroadcasts it without building
// another at the next step.
func TestStepBatchesMatureClaims(t *testing.T) {
	e := newEnv(t)
	known := e.remoteSuccess(3, 45_000, 101)
	known.WatchOnly, known.Preimage, known.HasPreimage = false, e.preimage, true
	mature := []*Claim{
		e.toLocal(0, 50_000, 244),
		e.toRemote(1, 60_000, 101),
		e.remoteTimeout(2, 40_000),
		known,
		e.revokedToLocal(4, 70_000, 100),
		e.revokedHTLC(5, 30_000, 100),
	}
	later := e.toLocal(6, 80_000, testCLTV+10)
	watched := e.remoteSuccess(7, 20_000, 101)
	r := resolution(KindRemoteForce, true, append(slices.Clone(mature), later, watched)...)

	txs := e.step(r, testCLTV, e.host())
	if len(txs) != 1 {
		t.Fatalf("%d txs, want one sweep", len(txs))
	}
	tx := txs[0]
	e.verify(tx)
	var want []wire.OutPoint
	var total int64
	for _, c := range mature {
		want = append(want, c.OutPoint)
		total += c.ValueSat
		if c.SweepTxid != tx.TxHash() {
			t.Errorf("%s %v: SweepTxid %v, want %v", c.What, c.OutPoint, c.SweepTxid, tx.TxHash())
		}
	}
	if got := spends(tx); !slices.Equal(got, want) {
		t.Errorf("sweep spends %v, want %v", got, want)
	}
	if len(tx.TxOut) != 1 || tx.TxOut[0].Value >= total || tx.TxOut[0].Value < total-20_000 {
		t.Errorf("outputs %v for %d sat of inputs", tx.TxOut, total)
	}
	if later.SweepTxid != (chainhash.Hash{}) || watched.SweepTxid != (chainhash.Hash{}) {
		t.Error("an immature or watched claim was swept")
	}

	again := e.step(r, testCLTV+1, e.host())
	if len(again) != 1 || again[0].TxHash() != tx.TxHash() || len(r.Txs) != 1 || e.dests != 1 {
		t.Errorf("next step: %d txs, %d in flight, %d Dest calls; want the same sweep again", len(again), len(r.Txs), e.dests)
	}
}

// TestStepDust gives up a claim worth less than its fee: watched, marked
// dust, never retried (no Dest call at later steps), and learning its
// preimage does not revive it.
func TestStepDust(t *testing.T) {
	e := newEnv(t)
	small := e.toLocal(0, 400, 101)
	r := resolution(KindLocalForce, false, small)
	if txs := e.step(r, 200, e.host()); len(txs) != 0 {
		t.Fatalf("dust swept: %v", txs)
	}
	if !small.WatchOnly || !small.Dust || small.SweepTxid != (chainhash.Hash{}) || len(r.Txs) != 0 {
		t.Fatalf("dust claim: %+v", small)
	}
	// Dust only we could spend is given up: the resolution ends.
	if !r.Done || r.DoneHeight != 200 {
		t.Errorf("resolution of dust only: done %v at %d, want done at 200", r.Done, r.DoneHeight)
	}
	e.dests = 0
	if txs := e.step(r, 201, e.host()); len(txs) != 0 || e.dests != 0 {
		t.Errorf("dust retried: %d txs, %d Dest calls", len(txs), e.dests)
	}

	// A received HTLC given up as dust (its preimage unknown then) stays
	// given up when the preimage turns up.
	htlc := e.remoteSuccess(1, 50_000, 101)
	htlc.Dust = true
	r = resolution(KindRemoteForce, true, htlc)
	if txs := e.step(r, 200, e.host(e.preimage)); len(txs) != 0 || e.dests != 0 {
		t.Errorf("dust HTLC swept: %d txs, %d Dest calls", len(txs), e.dests)
	}
	if !htlc.WatchOnly || htlc.HasPreimage {
		t.Errorf("dust HTLC learned its preimage: %+v", htlc)
	}
}

// TestStepNoClaims: a close that left us nothing ends at the first step.
func TestStepNoClaims(t *testing.T) {
	e := newEnv(t)
	r := resolution(KindRemoteForce, true)
	if txs := e.step(r, 150, e.host()); len(txs) != 0 || e.dests != 0 {
		t.Fatalf("%d txs, %d Dest calls for no claims", len(txs), e.dests)
	}
	if !r.Done || r.DoneHeight != 150 {
		t.Errorf("done %v at %d, want done at 150", r.Done, r.DoneHeight)
	}
}

// TestStepDustBatch: claims that are dust only together are all given
// up, and one worth sweeping alone is not held back by them at the same
// step when it matures later.
func TestStepDustBatch(t *testing.T) {
	e := newEnv(t)
	a, b := e.toLocal(0, 500, 101), e.toRemote(1, 500, 101)
	big := e.toLocal(2, 50_000, 300)
	r := resolution(KindLocalForce, false, a, b, big)
	if txs := e.step(r, 200, e.host()); len(txs) != 0 || !a.Dust || !b.Dust || big.Dust {
		t.Fatalf("%d txs; dust %v %v %v", len(txs), a.Dust, b.Dust, big.Dust)
	}
	txs := e.step(r, 299, e.host())
	if len(txs) != 1 || !slices.Equal(spends(txs[0]), []wire.OutPoint{big.OutPoint}) {
		t.Fatalf("sweep after the dust: %v", txs)
	}
	e.verify(txs[0])
}

// TestWatches lists the open claims only.
func TestWatches(t *testing.T) {
	e := newEnv(t)
	a, b, c := e.toLocal(0, 50_000, 244), e.toRemote(1, 60_000, 101), e.remoteSuccess(2, 20_000, 101)
	b.Done = true
	r := resolution(KindRemoteForce, true, a, b, c)
	var got []wire.OutPoint
	for _, w := range r.Watches() {
		got = append(got, w.OutPoint)
		if (w.OutPoint == a.OutPoint && !bytes.Equal(w.PkScript, a.PkScript)) ||
			(w.OutPoint == c.OutPoint && !bytes.Equal(w.PkScript, c.PkScript)) {
			t.Errorf("%v: pk script %x", w.OutPoint, w.PkScript)
		}
	}
	if !slices.Equal(got, []wire.OutPoint{a.OutPoint, c.OutPoint}) {
		t.Errorf("watches %v, want %v and %v", got, a.OutPoint, c.OutPoint)
	}
}
