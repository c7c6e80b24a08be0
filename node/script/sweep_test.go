package script

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// sweepFeerate is the feerate of the test sweeps, in sat per 1000 weight.
const sweepFeerate = 2500

// Fixed heights and delays of the test outputs.
const (
	testToSelfDelay = 144
	testCLTV        = 800_123
)

// sweepKeys are the keys of one channel seen from us, derived the BOLT 3
// way from fixed basepoint secrets and per-commitment secrets: our own
// commitment, a revoked commitment of the peer (whose secret it gave us),
// and the peer's current commitment.
type sweepKeys struct {
	// Our commitment.
	ourDelayed   *btcec.PrivateKey // local_delayedpubkey's secret
	ourRevocable *btcec.PublicKey  // its revocationpubkey, the peer's to use

	// The peer's revoked commitment.
	revocation  *btcec.PrivateKey // revocationprivkey, now known to us
	peerDelayed *btcec.PublicKey
	revPeerHTLC *btcec.PublicKey
	revOurHTLC  *btcec.PublicKey

	// The peer's current commitment.
	curRevocation *btcec.PublicKey
	curPeerHTLC   *btcec.PublicKey
	curOurHTLC    *btcec.PrivateKey

	payment *btcec.PrivateKey // our payment_basepoint secret (to_remote)
	funding *btcec.PrivateKey

	preimage    [32]byte
	paymentHash [32]byte
}

// newSweepKeys derives the test keys, checking on the way that each
// private key derivation matches its public one.
func newSweepKeys(t *testing.T) *sweepKeys {
	t.Helper()
	ourRevBase, ourDelayedBase, ourHTLCBase := testKey("our revocation base"), testKey("our delayed base"), testKey("our htlc base")
	peerRevBase, peerDelayedBase, peerHTLCBase := testKey("peer revocation base"), testKey("peer delayed base"), testKey("peer htlc base")
	ourPoint := testKey("our per-commitment secret").PubKey()
	revokedSecret := testKey("peer revoked per-commitment secret")
	revokedPoint := revokedSecret.PubKey()
	curPoint := testKey("peer current per-commitment secret").PubKey()

	k := &sweepKeys{payment: testKey("our payment base"), funding: testKey("our funding")}
	var err error
	must := func(what string, e error) {
		t.Helper()
		if e != nil {
			t.Fatalf("%s: %v", what, e)
		}
	}
	k.ourDelayed, err = DeriveLocalPrivKey(ourDelayedBase, ourPoint)
	must("our delayed", err)
	mustSamePub(t, "our delayed", k.ourDelayed, ourDelayedBase.PubKey(), ourPoint)
	k.ourRevocable, err = DeriveRevocationPubKey(peerRevBase.PubKey(), ourPoint)
	must("our revocation", err)

	k.revocation, err = DeriveRevocationPrivKey(ourRevBase, revokedSecret)
	must("revocation privkey", err)
	revPub, err := DeriveRevocationPubKey(ourRevBase.PubKey(), revokedPoint)
	must("revocation pubkey", err)
	if !revPub.IsEqual(k.revocation.PubKey()) {
		t.Fatal("revocation privkey does not match revocationpubkey")
	}
	k.peerDelayed, err = DeriveLocalPubKey(peerDelayedBase.PubKey(), revokedPoint)
	must("peer delayed", err)
	k.revPeerHTLC, err = DeriveLocalPubKey(peerHTLCBase.PubKey(), revokedPoint)
	must("revoked peer htlc", err)
	k.revOurHTLC, err = DeriveLocalPubKey(ourHTLCBase.PubKey(), revokedPoint)
	must("revoked our htlc", err)

	k.curRevocation, err = DeriveRevocationPubKey(ourRevBase.PubKey(), curPoint)
	must("current revocation", err)
	k.curPeerHTLC, err = DeriveLocalPubKey(peerHTLCBase.PubKey(), curPoint)
	must("current peer htlc", err)
	k.curOurHTLC, err = DeriveLocalPrivKey(ourHTLCBase, curPoint)
	must("current our htlc", err)
	mustSamePub(t, "current our htlc", k.curOurHTLC, ourHTLCBase.PubKey(), curPoint)

	k.preimage = sha256.Sum256([]byte("sweep preimage"))
	k.paymentHash = sha256.Sum256(k.preimage[:])
	return k
}

// mustSamePub checks DeriveLocalPrivKey against DeriveLocalPubKey.
func mustSamePub(t *testing.T, what string, priv *btcec.PrivateKey, base, point *btcec.PublicKey) {
	t.Helper()
	pub, err := DeriveLocalPubKey(base, point)
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
	if !pub.IsEqual(priv.PubKey()) {
		t.Fatalf("%s: private and public derivations differ", what)
	}
}

// sweepCase is one spendable output: the input to sweep it, the output
// it spends (built independently of SweepPkScript) and the sequence the
// sweep must give it.
type sweepCase struct {
	name     string
	in       SweepInput
	prevOut  *wire.TxOut
	sequence uint32
}

// sweepCases builds one output of every kind, for both commitment types
// where the scripts differ, each funded by its own fake previous tx.
func sweepCases(t *testing.T, k *sweepKeys) []sweepCase {
	t.Helper()
	const rbf = wire.MaxTxInSequenceNum - 2
	var cases []sweepCase
	add := func(name string, ws []byte, err error, in SweepInput, sequence uint32) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		in.WitnessScript = ws
		in.ValueSat = 50_000 + int64(len(cases))*1_000
		var pkScript []byte
		if ws == nil {
			pkScript = P2WPKH(in.Key.PubKey())
		} else {
			pkScript = testP2WSH(t, ws)
		}
		in.OutPoint = fund(name, pkScript, in.ValueSat)
		cases = append(cases, sweepCase{name, in, wire.NewTxOut(in.ValueSat, pkScript), sequence})
	}

	ws, err := ToLocalScript(k.ourRevocable, k.ourDelayed.PubKey(), testToSelfDelay)
	add("delayed to_local", ws, err, SweepInput{Kind: SweepDelayed, Key: k.ourDelayed, CSV: testToSelfDelay}, testToSelfDelay)
	ws, err = ToLocalScript(k.revocation.PubKey(), k.peerDelayed, testToSelfDelay)
	add("revoked to_local", ws, err, SweepInput{Kind: SweepRevokedToLocal, Key: k.revocation}, rbf)
	add("to_remote static_remotekey", nil, nil, SweepInput{Kind: SweepToRemote, Key: k.payment}, rbf)
	ws, err = ToRemoteAnchorScript(k.payment.PubKey())
	add("to_remote anchors", ws, err, SweepInput{Kind: SweepToRemote, Key: k.payment, Anchors: true}, 1)
	ws, err = AnchorScript(k.funding.PubKey())
	add("anchor", ws, err, SweepInput{Kind: SweepAnchor, Key: k.funding}, rbf)

	for _, typ := range []CommitmentType{StaticRemoteKey, Anchors} {
		anchors := typ == Anchors
		csv1 := uint32(rbf)
		if anchors {
			csv1 = 1
		}
		// The peer's revoked commitment: the peer is the holder.
		ws, err = OfferedHTLCScript(typ, k.revocation.PubKey(), k.revPeerHTLC, k.revOurHTLC, k.paymentHash)
		add("revoked offered htlc "+typ.String(), ws, err, SweepInput{Kind: SweepRevokedHTLC, Key: k.revocation, Anchors: anchors}, rbf)
		ws, err = ReceivedHTLCScript(typ, k.revocation.PubKey(), k.revPeerHTLC, k.revOurHTLC, k.paymentHash, testCLTV)
		add("revoked received htlc "+typ.String(), ws, err, SweepInput{Kind: SweepRevokedHTLC, Key: k.revocation, Anchors: anchors}, rbf)
		// The peer's current commitment: it offered us one HTLC, we
		// offered it another.
		ws, err = OfferedHTLCScript(typ, k.curRevocation, k.curPeerHTLC, k.curOurHTLC.PubKey(), k.paymentHash)
		add("remote htlc success "+typ.String(), ws, err,
			SweepInput{Kind: SweepRemoteHTLCSuccess, Key: k.curOurHTLC, Preimage: k.preimage, Anchors: anchors}, csv1)
		ws, err = ReceivedHTLCScript(typ, k.curRevocation, k.curPeerHTLC, k.curOurHTLC.PubKey(), k.paymentHash, testCLTV)
		add("remote htlc timeout "+typ.String(), ws, err,
			SweepInput{Kind: SweepRemoteHTLCTimeout, Key: k.curOurHTLC, CLTV: testCLTV, Anchors: anchors}, csv1)
	}
	return cases
}

// testP2WSH builds the P2WSH output script through btcutil's address
// type, not this package, so the test does not check the code with
// itself.
func testP2WSH(t *testing.T, witnessScript []byte) []byte {
	t.Helper()
	h := sha256.Sum256(witnessScript)
	addr, err := btcutil.NewAddressWitnessScriptHash(h[:], &chaincfg.RegressionNetParams)
	if err != nil {
		t.Fatal(err)
	}
	s, err := txscript.PayToAddrScript(addr)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fund makes a fake previous tx paying valueSat to pkScript as its second
// output and returns that output's outpoint.
func fund(label string, pkScript []byte, valueSat int64) wire.OutPoint {
	prev := wire.NewMsgTx(2)
	prev.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Hash: chainhash.HashH([]byte(label))}})
	prev.AddTxOut(wire.NewTxOut(1_000, P2WPKH(testKey("someone else").PubKey())))
	prev.AddTxOut(wire.NewTxOut(valueSat, pkScript))
	return wire.OutPoint{Hash: prev.TxHash(), Index: 1}
}

// sweepDest is where the test sweeps pay: our wallet's P2WPKH.
func sweepDest() []byte {
	return P2WPKH(testKey("our wallet").PubKey())
}

// prevOutsOf is the fetcher the script engine uses: the real outputs.
func prevOutsOf(cases ...sweepCase) *txscript.MultiPrevOutFetcher {
	f := txscript.NewMultiPrevOutFetcher(nil)
	for _, c := range cases {
		f.AddPrevOut(c.in.OutPoint, c.prevOut)
	}
	return f
}

// runEngine runs btcd's script interpreter with the standard (policy)
// flags on every input of tx, returning the first failure and its input.
func runEngine(tx *wire.MsgTx, prevOuts *txscript.MultiPrevOutFetcher) (int, error) {
	hashes := txscript.NewTxSigHashes(tx, prevOuts)
	for i, txIn := range tx.TxIn {
		prev := prevOuts.FetchPrevOutput(txIn.PreviousOutPoint)
		vm, err := txscript.NewEngine(prev.PkScript, tx, i, txscript.StandardVerifyFlags,
			nil, hashes, prev.Value, prevOuts)
		if err != nil {
			return i, err
		}
		if err := vm.Execute(); err != nil {
			return i, err
		}
	}
	return -1, nil
}

// checkSweepWeight checks SweepWeight against the serialized tx: an upper
// bound (signatures may be shorter than 73 bytes) but never by more than
// 8 weight units per input.
func checkSweepWeight(t *testing.T, tx *wire.MsgTx, inputs []SweepInput, dest []byte) {
	t.Helper()
	got := blockchain.GetTransactionWeight(btcutil.NewTx(tx))
	est := SweepWeight(inputs, dest)
	if got > est || est-got > 8*int64(len(inputs)) {
		t.Errorf("real weight %d, SweepWeight %d for %d inputs", got, est, len(inputs))
	}
}

// TestSweepEveryKind builds, for every kind of output and both commitment
// types, the real output with this package's scripts and BOLT 3 derived
// keys, sweeps it alone and runs the script interpreter on the sweep. It
// also checks the sequence, locktime, fee and weight.
func TestSweepEveryKind(t *testing.T) {
	k := newSweepKeys(t)
	dest := sweepDest()
	for _, c := range sweepCases(t, k) {
		t.Run(c.name, func(t *testing.T) {
			inputs := []SweepInput{c.in}
			tx, fee, err := BuildSweep(inputs, dest, sweepFeerate)
			if err != nil {
				t.Fatal(err)
			}
			if i, err := runEngine(tx, prevOutsOf(c)); err != nil {
				t.Fatalf("input %d does not validate: %v", i, err)
			}
			wantLock := uint32(0)
			if c.in.Kind == SweepRemoteHTLCTimeout {
				wantLock = testCLTV
			}
			if tx.Version != 2 || tx.LockTime != wantLock || tx.TxIn[0].Sequence != c.sequence {
				t.Errorf("version %d locktime %d sequence %d, want 2, %d, %d",
					tx.Version, tx.LockTime, tx.TxIn[0].Sequence, wantLock, c.sequence)
			}
			if want := int64(sweepFeerate) * SweepWeight(inputs, dest) / 1000; fee != want {
				t.Errorf("fee %d, want %d", fee, want)
			}
			if len(tx.TxOut) != 1 || tx.TxOut[0].Value != c.in.ValueSat-fee || !bytes.Equal(tx.TxOut[0].PkScript, dest) {
				t.Errorf("outputs %v, want %d sat to %x", tx.TxOut, c.in.ValueSat-fee, dest)
			}
			checkSweepWeight(t, tx, inputs, dest)
			again, _, err := BuildSweep(inputs, dest, sweepFeerate)
			if err != nil || serialize(t, again) != serialize(t, tx) {
				t.Errorf("second build differs (RFC6979 signing is deterministic): %v", err)
			}
		})
	}
}

// TestSweepEngineRejects checks that the script interpreter refuses
// sweeps with the wrong key, a relative or absolute timelock not yet
// reached, or the wrong preimage, so the passing cases above pass for the
// right reason. Timelock mutations are re-signed with SignSweepInput, so
// only the timelock is wrong. A wrong key on a revoked HTLC is tried both
// ways: its pubkey in the witness (which misses the revocation branch and
// underflows the stack in the next one) and the right revocationpubkey
// with another key's signature.
func TestSweepEngineRejects(t *testing.T) {
	k := newSweepKeys(t)
	byName := map[string]sweepCase{}
	for _, c := range sweepCases(t, k) {
		byName[c.name] = c
	}
	wrongKey := testKey("not the right key")
	for _, tc := range []struct {
		name   string
		output string
		input  func(in *SweepInput)
		mutate func(tx *wire.MsgTx)
		forge  func(tx *wire.MsgTx, c sweepCase)
		want   txscript.ErrorCode
	}{
		{name: "revoked to_local, wrong key", output: "revoked to_local",
			input: func(in *SweepInput) { in.Key = wrongKey }, want: txscript.ErrNullFail},
		{name: "delayed, wrong key", output: "delayed to_local",
			input: func(in *SweepInput) { in.Key = k.revocation }, want: txscript.ErrNullFail},
		{name: "anchor, wrong key", output: "anchor",
			input: func(in *SweepInput) { in.Key = wrongKey }, want: txscript.ErrNullFail},
		{name: "to_remote static, wrong key", output: "to_remote static_remotekey",
			input: func(in *SweepInput) { in.Key = wrongKey }, want: txscript.ErrEqualVerify},
		{name: "remote htlc success, wrong key", output: "remote htlc success anchors_zero_fee_htlc_tx",
			input: func(in *SweepInput) { in.Key = wrongKey }, want: txscript.ErrNullFail},
		{name: "revoked htlc, wrong pubkey", output: "revoked offered htlc static_remotekey",
			input: func(in *SweepInput) { in.Key = wrongKey }, want: txscript.ErrInvalidStackOperation},
		{name: "revoked htlc, revocationpubkey signed by another key", output: "revoked received htlc anchors_zero_fee_htlc_tx",
			forge: func(tx *wire.MsgTx, c sweepCase) {
				hashes := txscript.NewTxSigHashes(tx, prevOutsOf(c))
				sig, err := txscript.RawTxInWitnessSignature(tx, hashes, 0, c.in.ValueSat,
					c.in.WitnessScript, txscript.SigHashAll, wrongKey)
				if err != nil {
					t.Fatal(err)
				}
				tx.TxIn[0].Witness[0] = sig
			}, want: txscript.ErrNullFail},
		{name: "delayed, sequence below to_self_delay", output: "delayed to_local",
			mutate: func(tx *wire.MsgTx) { tx.TxIn[0].Sequence = testToSelfDelay - 1 }, want: txscript.ErrUnsatisfiedLockTime},
		{name: "remote htlc timeout, locktime below cltv_expiry", output: "remote htlc timeout static_remotekey",
			mutate: func(tx *wire.MsgTx) { tx.LockTime = testCLTV - 1 }, want: txscript.ErrUnsatisfiedLockTime},
		{name: "remote htlc timeout anchors, locktime below cltv_expiry", output: "remote htlc timeout anchors_zero_fee_htlc_tx",
			mutate: func(tx *wire.MsgTx) { tx.LockTime = testCLTV - 1 }, want: txscript.ErrUnsatisfiedLockTime},
		{name: "remote htlc timeout, final sequence disables locktime", output: "remote htlc timeout static_remotekey",
			mutate: func(tx *wire.MsgTx) { tx.TxIn[0].Sequence = wire.MaxTxInSequenceNum }, want: txscript.ErrUnsatisfiedLockTime},
		{name: "remote htlc success, wrong preimage", output: "remote htlc success static_remotekey",
			input: func(in *SweepInput) { in.Preimage[0] ^= 1 }, want: txscript.ErrEqualVerify},
		{name: "to_remote anchors, sequence 0", output: "to_remote anchors",
			mutate: func(tx *wire.MsgTx) { tx.TxIn[0].Sequence = 0 }, want: txscript.ErrUnsatisfiedLockTime},
		{name: "remote htlc success anchors, sequence 0", output: "remote htlc success anchors_zero_fee_htlc_tx",
			mutate: func(tx *wire.MsgTx) { tx.TxIn[0].Sequence = 0 }, want: txscript.ErrUnsatisfiedLockTime},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, ok := byName[tc.output]
			if !ok {
				t.Fatalf("no output %q", tc.output)
			}
			in := c.in
			if tc.input != nil {
				tc.input(&in)
			}
			tx, _, err := BuildSweep([]SweepInput{in}, sweepDest(), sweepFeerate)
			if err != nil {
				t.Fatal(err)
			}
			if tc.mutate != nil {
				tc.mutate(tx)
				signer := txscript.NewMultiPrevOutFetcher(nil)
				signer.AddPrevOut(in.OutPoint, wire.NewTxOut(in.ValueSat, SweepPkScript(in)))
				if err := SignSweepInput(tx, 0, in, signer); err != nil {
					t.Fatal(err)
				}
			}
			if tc.forge != nil {
				tc.forge(tx, c)
			}
			_, err = runEngine(tx, prevOutsOf(c))
			var serr txscript.Error
			if !errors.As(err, &serr) || serr.ErrorCode != tc.want {
				t.Errorf("engine: %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSweepJustice sweeps a revoked commitment in one penalty transaction
// (to_local, an offered and a received HTLC of an anchors commitment, and
// the output of a second-level transaction the peer published from it) to
// a P2WSH, BOLT 5's worst-case output, and checks the interpreter and the
// weight.
func TestSweepJustice(t *testing.T) {
	k := newSweepKeys(t)
	byName := map[string]sweepCase{}
	for _, c := range sweepCases(t, k) {
		byName[c.name] = c
	}
	secondLevel, err := ToLocalScript(k.revocation.PubKey(), k.peerDelayed, testToSelfDelay)
	if err != nil {
		t.Fatal(err)
	}
	htlcOut := sweepCase{name: "revoked htlc-success output", sequence: wire.MaxTxInSequenceNum - 2,
		prevOut: wire.NewTxOut(70_000, testP2WSH(t, secondLevel))}
	htlcOut.in = SweepInput{Kind: SweepRevokedToLocal, Key: k.revocation, WitnessScript: secondLevel,
		ValueSat: 70_000, OutPoint: fund(htlcOut.name, htlcOut.prevOut.PkScript, 70_000)}
	cases := []sweepCase{
		byName["revoked to_local"],
		byName["revoked offered htlc anchors_zero_fee_htlc_tx"],
		byName["revoked received htlc anchors_zero_fee_htlc_tx"],
		htlcOut,
	}
	var inputs []SweepInput
	var total int64
	for _, c := range cases {
		inputs = append(inputs, c.in)
		total += c.in.ValueSat
	}
	dest := testP2WSH(t, []byte{txscript.OP_TRUE})
	tx, fee, err := BuildSweep(inputs, dest, sweepFeerate)
	if err != nil {
		t.Fatal(err)
	}
	if i, err := runEngine(tx, prevOutsOf(cases...)); err != nil {
		t.Fatalf("input %d does not validate: %v", i, err)
	}
	checkSweepWeight(t, tx, inputs, dest)
	if tx.LockTime != 0 || tx.TxOut[0].Value != total-fee {
		t.Errorf("locktime %d, output %d sat, want 0 and %d", tx.LockTime, tx.TxOut[0].Value, total-fee)
	}
	for i, c := range cases {
		if tx.TxIn[i].PreviousOutPoint != c.in.OutPoint || tx.TxIn[i].Sequence != c.sequence {
			t.Errorf("input %d: %v sequence %d, want %v %d", i, tx.TxIn[i].PreviousOutPoint,
				tx.TxIn[i].Sequence, c.in.OutPoint, c.sequence)
		}
	}
}

// TestSweepAllKindsAtOnce sweeps one output of every kind in a single
// transaction, so relative and absolute timelocks, P2WPKH and P2WSH
// inputs, and the sighash cache shared by all inputs meet in one tx.
func TestSweepAllKindsAtOnce(t *testing.T) {
	k := newSweepKeys(t)
	cases := sweepCases(t, k)
	var inputs []SweepInput
	for _, c := range cases {
		inputs = append(inputs, c.in)
	}
	dest := sweepDest()
	tx, _, err := BuildSweep(inputs, dest, sweepFeerate)
	if err != nil {
		t.Fatal(err)
	}
	if i, err := runEngine(tx, prevOutsOf(cases...)); err != nil {
		t.Fatalf("input %d (%s) does not validate: %v", i, cases[i].name, err)
	}
	if tx.LockTime != testCLTV {
		t.Errorf("locktime %d, want %d", tx.LockTime, testCLTV)
	}
	checkSweepWeight(t, tx, inputs, dest)
}

// TestSweepPenaltyInputWeights checks SweepInputWeight against BOLT 5's
// penalty input weights for HTLC outputs of a non-anchors commitment.
//
// BOLT 5: "offered_htlc_penalty_input_weight: 407 bytes;
// accepted_htlc_penalty_input_weight: 413 bytes"
func TestSweepPenaltyInputWeights(t *testing.T) {
	k := newSweepKeys(t)
	byName := map[string]sweepCase{}
	for _, c := range sweepCases(t, k) {
		byName[c.name] = c
	}
	for name, want := range map[string]int64{
		"revoked offered htlc static_remotekey":  407,
		"revoked received htlc static_remotekey": 413,
	} {
		if got := SweepInputWeight(byName[name].in); got != want {
			t.Errorf("%s: weight %d, want %d", name, got, want)
		}
	}
}

// TestSweepDust checks that a sweep whose output would fall below 330 sat
// after its fee, or has no inputs, is refused as ErrSweepDust, and that
// 330 sat is allowed.
func TestSweepDust(t *testing.T) {
	k := newSweepKeys(t)
	in := sweepCases(t, k)[0].in
	dest := sweepDest()
	fee := int64(sweepFeerate) * SweepWeight([]SweepInput{in}, dest) / 1000

	in.ValueSat = fee + 329
	if _, _, err := BuildSweep([]SweepInput{in}, dest, sweepFeerate); !errors.Is(err, ErrSweepDust) {
		t.Errorf("329 sat output: %v", err)
	}
	in.ValueSat = fee + 330
	tx, gotFee, err := BuildSweep([]SweepInput{in}, dest, sweepFeerate)
	if err != nil || gotFee != fee || tx.TxOut[0].Value != 330 {
		t.Errorf("330 sat output: %v", err)
	}
	in.ValueSat = fee / 2
	if _, _, err := BuildSweep([]SweepInput{in}, dest, sweepFeerate); !errors.Is(err, ErrSweepDust) {
		t.Errorf("fee above value: %v", err)
	}
	if _, _, err := BuildSweep(nil, dest, sweepFeerate); !errors.Is(err, ErrSweepDust) {
		t.Errorf("no inputs: %v", err)
	}
}

// TestSweepRefusals checks that malformed inputs are ErrCommitParams
// errors rather than panics or unspendable transactions.
func TestSweepRefusals(t *testing.T) {
	k := newSweepKeys(t)
	cases := sweepCases(t, k)
	delayed, toRemote, anchorsToRemote := cases[0].in, cases[2].in, cases[3].in
	timeout := cases[len(cases)-1].in
	dest := sweepDest()
	tooMany := make([]SweepInput, 1000)
	for i := range tooMany {
		tooMany[i] = cases[5].in
		tooMany[i].OutPoint.Index = uint32(i)
	}
	for _, tc := range []struct {
		name   string
		inputs []SweepInput
		dest   []byte
		edit   func(in *SweepInput)
	}{
		{name: "nil key", edit: func(in *SweepInput) { in.Key = nil }},
		{name: "nil witness script", edit: func(in *SweepInput) { in.WitnessScript = nil }},
		{name: "unknown kind", edit: func(in *SweepInput) { in.Kind = SweepAnchor + 1 }},
		{name: "zero value", edit: func(in *SweepInput) { in.ValueSat = 0 }},
		{name: "above 21M BTC", edit: func(in *SweepInput) { in.ValueSat = btcutil.MaxSatoshi + 1 }},
		{name: "anchors to_remote without script", inputs: []SweepInput{anchorsToRemote},
			edit: func(in *SweepInput) { in.WitnessScript = nil }},
		{name: "static to_remote with script", inputs: []SweepInput{toRemote},
			edit: func(in *SweepInput) { in.WitnessScript = delayed.WitnessScript }},
		{name: "cltv_expiry as a time", inputs: []SweepInput{timeout},
			edit: func(in *SweepInput) { in.CLTV = txscript.LockTimeThreshold }},
		{name: "outpoint twice", inputs: []SweepInput{delayed, delayed}},
		{name: "empty destination", dest: []byte{}},
		{name: "above the standard weight", inputs: tooMany},
	} {
		t.Run(tc.name, func(t *testing.T) {
			inputs := append([]SweepInput(nil), tc.inputs...)
			if inputs == nil {
				inputs = []SweepInput{delayed}
			}
			if tc.edit != nil {
				tc.edit(&inputs[0])
			}
			d := dest
			if tc.dest != nil {
				d = tc.dest
			}
			if _, _, err := BuildSweep(inputs, d, sweepFeerate); !errors.Is(err, ErrCommitParams) {
				t.Errorf("got %v, want ErrCommitParams", err)
			}
		})
	}
}

// TestSignSweepInputCPFP attaches our anchor to a transaction of the
// wallet's (a CPFP child also spending a wallet P2WPKH, signed by btcd),
// signs the anchor input with SignSweepInput and runs the interpreter on
// both inputs.
func TestSignSweepInputCPFP(t *testing.T) {
	k := newSweepKeys(t)
	var anchor sweepCase
	for _, c := range sweepCases(t, k) {
		if c.in.Kind == SweepAnchor {
			anchor = c
		}
	}
	anchor.in.ValueSat, anchor.prevOut.Value = AnchorSat, AnchorSat
	wallet := testKey("wallet utxo")
	walletPk := P2WPKH(wallet.PubKey())
	walletOut := fund("wallet utxo", walletPk, 100_000)

	tx := wire.NewMsgTx(2)
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: walletOut, Sequence: wire.MaxTxInSequenceNum - 2})
	tx.AddTxIn(&wire.TxIn{PreviousOutPoint: anchor.in.OutPoint, Sequence: SweepSequence(anchor.in)})
	tx.AddTxOut(wire.NewTxOut(95_000, sweepDest()))
	prevOuts := prevOutsOf(anchor)
	prevOuts.AddPrevOut(walletOut, wire.NewTxOut(100_000, walletPk))

	if err := SignSweepInput(tx, 1, anchor.in, prevOuts); err != nil {
		t.Fatal(err)
	}
	w, err := txscript.WitnessSignature(tx, txscript.NewTxSigHashes(tx, prevOuts), 0, 100_000,
		walletPk, txscript.SigHashAll, wallet, true)
	if err != nil {
		t.Fatal(err)
	}
	tx.TxIn[0].Witness = w
	if i, err := runEngine(tx, prevOuts); err != nil {
		t.Fatalf("input %d does not validate: %v", i, err)
	}

	// The anchor input weighs what SweepInputWeight says, give or take a
	// shorter signature.
	withAnchor := blockchain.GetTransactionWeight(btcutil.NewTx(tx))
	alone := tx.Copy()
	alone.TxIn = alone.TxIn[:1]
	if d := withAnchor - blockchain.GetTransactionWeight(btcutil.NewTx(alone)); d > SweepInputWeight(anchor.in) || d < SweepInputWeight(anchor.in)-8 {
		t.Errorf("anchor input adds %d weight, SweepInputWeight %d", d, SweepInputWeight(anchor.in))
	}
}

// TestSignSweepInputRefusals checks that SignSweepInput refuses, instead
// of signing garbage or panicking in the sighash cache, an input index
// out of range, an input spending another outpoint, a fetcher missing a
// previous output, and a previous output that is not the input's.
func TestSignSweepInputRefusals(t *testing.T) {
	k := newSweepKeys(t)
	cases := sweepCases(t, k)
	c := cases[1]
	tx, _, err := BuildSweep([]SweepInput{c.in}, sweepDest(), sweepFeerate)
	if err != nil {
		t.Fatal(err)
	}
	other := cases[2]
	twoIn := tx.Copy()
	twoIn.AddTxIn(&wire.TxIn{PreviousOutPoint: other.in.OutPoint})
	for _, tc := range []struct {
		name     string
		tx       *wire.MsgTx
		idx      int
		prevOuts txscript.PrevOutputFetcher
	}{
		{"index out of range", tx, 1, prevOutsOf(c)},
		{"negative index", tx, -1, prevOutsOf(c)},
		{"nil tx", nil, 0, prevOutsOf(c)},
		{"other outpoint", twoIn, 1, prevOutsOf(c, other)},
		{"nil fetcher", tx, 0, nil},
		{"missing previous output", twoIn, 0, prevOutsOf(c)},
		{"previous output of another script", tx, 0,
			txscript.NewCannedPrevOutputFetcher(other.prevOut.PkScript, c.in.ValueSat)},
		{"previous output of another value", tx, 0,
			txscript.NewCannedPrevOutputFetcher(c.prevOut.PkScript, c.in.ValueSat+1)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := SignSweepInput(tc.tx, tc.idx, c.in, tc.prevOuts); !errors.Is(err, ErrCommitParams) {
				t.Errorf("got %v, want ErrCommitParams", err)
			}
		})
	}
}
