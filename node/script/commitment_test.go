package script

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"math/rand"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/wire"
)

// testKey derives a fixed key from a label so tests are reproducible.
func testKey(label string) *btcec.PrivateKey {
	h := sha256.Sum256([]byte(label))
	priv, _ := btcec.PrivKeyFromBytes(h[:])
	return priv
}

// testParams is a valid two-balance commitment of 1,000,000 sat.
func testParams(typ CommitmentType) *CommitmentParams {
	return &CommitmentParams{
		Type:             typ,
		FundingOutpoint:  wire.OutPoint{Index: 1},
		FundingSat:       1_000_000,
		LocalFundingKey:  testKey("local funding").PubKey(),
		RemoteFundingKey: testKey("remote funding").PubKey(),
		CommitNumber:     7,
		Obscurer:         ObscuringFactor(testKey("a").PubKey(), testKey("b").PubKey()),
		LocalIsOpener:    true,
		ToSelfDelay:      144,
		DustLimitSat:     546,
		FeeratePerKw:     2500,
		ToLocalMsat:      600_000_000,
		ToRemoteMsat:     400_000_000,
		Keys: &CommitKeys{
			Revocation:   testKey("revocation").PubKey(),
			LocalDelayed: testKey("delayed").PubKey(),
			LocalHTLC:    testKey("local htlc").PubKey(),
			RemoteHTLC:   testKey("remote htlc").PubKey(),
			ToRemote:     testKey("to_remote").PubKey(),
		},
	}
}

// TestBuildCommitmentOpenerCannotPay checks that a fee (or, with anchors,
// the anchors) the opener cannot cover is refused with ErrOpenerCannotPay,
// whichever side opened, so the channel can reject the update.
func TestBuildCommitmentOpenerCannotPay(t *testing.T) {
	for _, typ := range []CommitmentType{StaticRemoteKey, Anchors} {
		for _, localOpener := range []bool{true, false} {
			p := testParams(typ)
			p.LocalIsOpener = localOpener
			fee := CommitFee(typ, p.FeeratePerKw, 0)
			charge := uint64(fee) * 1000
			if typ == Anchors {
				charge += 2 * AnchorSat * 1000
			}
			// The opener holds one msat less than it must pay.
			opener := charge - 1
			if localOpener {
				p.ToLocalMsat, p.ToRemoteMsat = opener, 1_000_000_000-opener
			} else {
				p.ToRemoteMsat, p.ToLocalMsat = opener, 1_000_000_000-opener
			}
			if _, err := BuildCommitment(p); !errors.Is(err, ErrOpenerCannotPay) {
				t.Errorf("%s local opener=%v: got %v, want ErrOpenerCannotPay", typ, localOpener, err)
			}
			// Exactly enough is fine: the opener's output is then dust.
			if localOpener {
				p.ToLocalMsat, p.ToRemoteMsat = charge, 1_000_000_000-charge
			} else {
				p.ToRemoteMsat, p.ToLocalMsat = charge, 1_000_000_000-charge
			}
			c, err := BuildCommitment(p)
			if err != nil {
				t.Fatalf("%s local opener=%v, exact fee: %v", typ, localOpener, err)
			}
			if (localOpener && c.ToLocal != nil) || (!localOpener && c.ToRemote != nil) {
				t.Errorf("%s: opener output should be gone", typ)
			}
		}
	}
}

// TestBuildCommitmentRefusesBadParams checks each validation: a missing
// key, an unknown type, balances that do not add up, and out-of-range
// numbers are errors naming ErrCommitParams, never a panic.
func TestBuildCommitmentRefusesBadParams(t *testing.T) {
	cases := map[string]func(p *CommitmentParams){
		"nil keys":            func(p *CommitmentParams) { p.Keys = nil },
		"nil revocation":      func(p *CommitmentParams) { p.Keys.Revocation = nil },
		"nil local delayed":   func(p *CommitmentParams) { p.Keys.LocalDelayed = nil },
		"nil local htlc":      func(p *CommitmentParams) { p.Keys.LocalHTLC = nil },
		"nil remote htlc":     func(p *CommitmentParams) { p.Keys.RemoteHTLC = nil },
		"nil to_remote":       func(p *CommitmentParams) { p.Keys.ToRemote = nil },
		"nil local funding":   func(p *CommitmentParams) { p.LocalFundingKey = nil },
		"nil remote funding":  func(p *CommitmentParams) { p.RemoteFundingKey = nil },
		"unknown type":        func(p *CommitmentParams) { p.Type = 9 },
		"zero funding":        func(p *CommitmentParams) { p.FundingSat = 0 },
		"zero dust limit":     func(p *CommitmentParams) { p.DustLimitSat = 0 },
		"49-bit commit num":   func(p *CommitmentParams) { p.CommitNumber = 1 << 48 },
		"balances too small":  func(p *CommitmentParams) { p.ToLocalMsat-- },
		"balances too large":  func(p *CommitmentParams) { p.ToRemoteMsat++ },
		"htlc not in balance": func(p *CommitmentParams) { p.HTLCs = []HTLC{{AmountMsat: 5_000_000}} },
		"overflowing htlcs": func(p *CommitmentParams) {
			p.HTLCs = []HTLC{{AmountMsat: 1 << 63}, {AmountMsat: 1 << 63}}
		},
	}
	for name, mutate := range cases {
		for _, typ := range []CommitmentType{StaticRemoteKey, Anchors} {
			p := testParams(typ)
			mutate(p)
			if _, err := BuildCommitment(p); !errors.Is(err, ErrCommitParams) {
				t.Errorf("%s (%s): got %v, want ErrCommitParams", name, typ, err)
			}
		}
	}
	if _, err := BuildCommitment(nil); !errors.Is(err, ErrCommitParams) {
		t.Errorf("nil params: got %v", err)
	}
}

// TestBuildCommitmentConservesFunds is a property test: for random
// balances, HTLCs, feerates, dust limits and openers, every satoshi of the
// funding output is accounted for by outputs, the base fee, trimmed HTLCs,
// balances dropped as dust, a missing anchor, and nothing but msat rounding
// is left over. It also checks the output maps and the BIP69 order.
func TestBuildCommitmentConservesFunds(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	for _, typ := range []CommitmentType{StaticRemoteKey, Anchors} {
		built, trimmed, dropped, noAnchor := 0, 0, 0, 0
		for i := 0; i < 400; i++ {
			p := randomParams(rng, typ)
			c, err := BuildCommitment(p)
			if errors.Is(err, ErrOpenerCannotPay) {
				continue
			}
			if err != nil {
				t.Fatalf("%s #%d: %v", typ, i, err)
			}
			built++
			checkConservation(t, p, c)
			checkOutputMaps(t, p, c)
			if len(c.Trimmed) > 0 {
				trimmed++
			}
			if c.ToLocal == nil || c.ToRemote == nil {
				dropped++
			}
			if typ == Anchors && (c.LocalAnchor == nil || c.RemoteAnchor == nil) {
				noAnchor++
			}
		}
		// The draw must reach the interesting cases, or the test proves
		// little.
		if built < 200 || trimmed < 20 || dropped < 20 || (typ == Anchors && noAnchor < 5) {
			t.Fatalf("%s: %d built, %d with trimmed HTLCs, %d with a dropped balance, %d without an anchor",
				typ, built, trimmed, dropped, noAnchor)
		}
		t.Logf("%s: %d built, %d with trimmed HTLCs, %d with a dropped balance, %d without an anchor",
			typ, built, trimmed, dropped, noAnchor)
	}
}

// randomParams draws a commitment state whose balances add up.
func randomParams(rng *rand.Rand, typ CommitmentType) *CommitmentParams {
	p := testParams(typ)
	p.FundingSat = 20_000 + rng.Int63n(5_000_000)
	p.FeeratePerKw = uint32(253 + rng.Intn(20_000))
	p.DustLimitSat = 354 + rng.Int63n(3_000)
	p.LocalIsOpener = rng.Intn(2) == 0
	remaining := uint64(p.FundingSat) * 1000
	p.HTLCs = nil
	for n := rng.Intn(12); n > 0 && remaining > 0; n-- {
		// Log-uniform amounts, so some HTLCs are trimmed and some not.
		amt := 1 + uint64(rng.Int63n(int64(1000)<<uint(rng.Intn(22))))
		if amt > remaining/4 {
			amt = remaining/4 + 1
		}
		h := HTLC{
			Offered:    rng.Intn(2) == 0,
			AmountMsat: amt,
			CltvExpiry: uint32(500_000 + rng.Intn(3)), // collisions exercise the tie-break
			ID:         uint64(n),
		}
		h.PaymentHash[0] = byte(rng.Intn(3))
		p.HTLCs = append(p.HTLCs, h)
		remaining -= amt
	}
	// Often leave one side near the dust limit, so balances get dropped.
	near := uint64(rng.Int63n(3*p.DustLimitSat*1000 + 1))
	if near > remaining {
		near = remaining
	}
	switch rng.Intn(4) {
	case 0:
		p.ToLocalMsat = near
	case 1:
		p.ToLocalMsat = remaining - near
	default:
		p.ToLocalMsat = uint64(rng.Int63n(int64(remaining) + 1))
	}
	p.ToRemoteMsat = remaining - p.ToLocalMsat
	return p
}

// checkConservation accounts for every msat of the funding output.
func checkConservation(t *testing.T, p *CommitmentParams, c *Commitment) {
	t.Helper()
	var outSat int64
	for _, o := range c.Tx.TxOut {
		outSat += o.Value
	}
	if c.FeeSat != p.FundingSat-outSat || c.FeeSat < c.BaseFeeSat {
		t.Fatalf("fee %d (base %d), funding %d, outputs %d", c.FeeSat, c.BaseFeeSat, p.FundingSat, outSat)
	}
	charge := c.BaseFeeSat
	if p.Type == Anchors {
		charge += 2 * AnchorSat
	}
	local, remote := p.ToLocalMsat, p.ToRemoteMsat
	if p.LocalIsOpener {
		local -= uint64(charge) * 1000
	} else {
		remote -= uint64(charge) * 1000
	}
	accounted := uint64(outSat+c.BaseFeeSat) * 1000
	rounded := 0 // amounts that lost their msat to rounding
	for _, b := range []struct {
		msat uint64
		out  *Output
	}{{local, c.ToLocal}, {remote, c.ToRemote}} {
		if b.out == nil {
			accounted += b.msat
		} else {
			rounded++
		}
	}
	for _, h := range c.Trimmed {
		accounted += h.AmountMsat
	}
	rounded += len(c.HTLCs)
	// The charge paid for two anchors; an anchor left out is not an output.
	for _, a := range []*Output{c.LocalAnchor, c.RemoteAnchor} {
		if p.Type == Anchors && a == nil {
			accounted += AnchorSat * 1000
		}
	}
	// What is left can only be the sub-satoshi part of each amount that
	// was rounded down to become an output.
	total := uint64(p.FundingSat) * 1000
	if accounted > total || total-accounted > uint64(rounded)*999 {
		t.Fatalf("funding %d msat, accounted %d msat, %d rounded amounts", total, accounted, rounded)
	}
	if len(c.Trimmed)+len(c.HTLCs) != len(p.HTLCs) {
		t.Fatalf("%d trimmed + %d untrimmed of %d HTLCs", len(c.Trimmed), len(c.HTLCs), len(p.HTLCs))
	}
}

// checkOutputMaps checks that every Output and HTLCOutput points at the
// transaction output it describes and that outputs are in BOLT 3 order.
func checkOutputMaps(t *testing.T, p *CommitmentParams, c *Commitment) {
	t.Helper()
	n := len(c.HTLCs)
	for _, o := range []*Output{c.ToLocal, c.ToRemote, c.LocalAnchor, c.RemoteAnchor} {
		if o == nil {
			continue
		}
		n++
		txo := c.Tx.TxOut[o.Index]
		if txo.Value != o.Value {
			t.Fatalf("output %d value %d, map says %d", o.Index, txo.Value, o.Value)
		}
		if o.WitnessScript != nil && !bytes.Equal(p2wsh(o.WitnessScript), txo.PkScript) {
			t.Fatalf("output %d script does not match its witness script", o.Index)
		}
	}
	if n != len(c.Tx.TxOut) {
		t.Fatalf("%d mapped outputs, tx has %d", n, len(c.Tx.TxOut))
	}
	for i, h := range c.HTLCs {
		txo := c.Tx.TxOut[h.Index]
		if !bytes.Equal(p2wsh(h.WitnessScript), txo.PkScript) || txo.Value != h.amountSat() {
			t.Fatalf("htlc %d does not match output %d", h.ID, h.Index)
		}
		if i > 0 && c.HTLCs[i-1].Index >= h.Index {
			t.Fatal("HTLCs not in output order")
		}
	}
	for i := 1; i < len(c.Tx.TxOut); i++ {
		a, b := c.Tx.TxOut[i-1], c.Tx.TxOut[i]
		if a.Value > b.Value || (a.Value == b.Value && bytes.Compare(a.PkScript, b.PkScript) > 0) {
			t.Fatalf("outputs %d and %d out of BIP69 order", i-1, i)
		}
	}
}

// TestOutputOrderCLTVTieBreak checks BOLT 3's tie-break: two offered HTLCs
// with the same hash and amount have identical outputs, and are ordered by
// cltv_expiry whatever order the caller lists them in.
func TestOutputOrderCLTVTieBreak(t *testing.T) {
	p := testParams(StaticRemoteKey)
	hash := sha256.Sum256([]byte("preimage"))
	p.HTLCs = []HTLC{
		{Offered: true, AmountMsat: 5_000_000, PaymentHash: hash, CltvExpiry: 900, ID: 1},
		{Offered: true, AmountMsat: 5_000_000, PaymentHash: hash, CltvExpiry: 800, ID: 2},
		{Offered: true, AmountMsat: 5_000_999, PaymentHash: hash, CltvExpiry: 700, ID: 3},
	}
	p.ToLocalMsat -= 15_000_999
	c, err := BuildCommitment(p)
	if err != nil {
		t.Fatal(err)
	}
	var got []uint32
	for _, h := range c.HTLCs {
		got = append(got, h.CltvExpiry)
	}
	// All three round to 5000 sat with the same script: cltv decides.
	if len(got) != 3 || got[0] != 700 || got[1] != 800 || got[2] != 900 {
		t.Fatalf("cltv order %v, want [700 800 900]", got)
	}
}

// TestCommitNumberFromTx checks that the commitment number written into
// sequence and locktime is recovered, including from the BOLT 3 vectors'
// sequence 0x802bb038 and locktime 0x2052193e (commitment 42).
func TestCommitNumberFromTx(t *testing.T) {
	const obscurer = 0x2bb038521914
	if n, ok := CommitNumberFromTx(0x802bb038, 0x2052193e, obscurer); !ok || n != 42 {
		t.Fatalf("vector: got %d, %v", n, ok)
	}
	for _, n := range []uint64{0, 1, 42, 1<<24 - 1, 1 << 24, 1<<48 - 1} {
		seq, lock := obscuredSequenceLocktime(n, obscurer)
		if got, ok := CommitNumberFromTx(seq, lock, obscurer); !ok || got != n {
			t.Errorf("%d: got %d, %v", n, got, ok)
		}
	}
	if _, ok := CommitNumberFromTx(0xffffffff, 0, obscurer); ok {
		t.Error("a non-commitment sequence was accepted")
	}
}

// TestDeriveCommitKeysRefusesNil checks that a missing basepoint is an
// error, not a panic.
func TestDeriveCommitKeysRefusesNil(t *testing.T) {
	pt := testKey("point").PubKey()
	full := Basepoints{
		Revocation: pt, Payment: pt, DelayedPayment: pt, HTLC: pt,
	}
	if _, err := DeriveCommitKeys(Anchors, pt, full, full); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]func() (*CommitKeys, error){
		"nil point":         func() (*CommitKeys, error) { return DeriveCommitKeys(Anchors, nil, full, full) },
		"nil local delayed": func() (*CommitKeys, error) { return DeriveCommitKeys(Anchors, pt, Basepoints{HTLC: pt}, full) },
		"nil remote revoc": func() (*CommitKeys, error) {
			return DeriveCommitKeys(Anchors, pt, full, Basepoints{HTLC: pt, Payment: pt})
		},
		"unknown type": func() (*CommitKeys, error) { return DeriveCommitKeys(7, pt, full, full) },
	} {
		if _, err := f(); !errors.Is(err, ErrCommitParams) {
			t.Errorf("%s: got %v", name, err)
		}
	}
}
