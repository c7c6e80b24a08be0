package channel

import (
	"bytes"
	"testing"

	"lnwasm/node/script"
)

// TestRandomUpdates runs two machines through 1,000 randomly interleaved
// adds, fulfills and fails in both directions (fee changes besides), with
// deliveries interleaved at random and disconnects (some with a restart
// from the saved state) in between, checking after every step that no
// satoshi appears or vanishes, then settles and closes cooperatively.
func TestRandomUpdates(t *testing.T) {
	for _, typ := range []script.CommitmentType{script.Anchors, script.StaticRemoteKey} {
		t.Run(typ.String(), func(t *testing.T) {
			t.Parallel()
			runRandom(t, typ, 1000)
		})
	}
}

func runRandom(t *testing.T, typ script.CommitmentType, updates int) {
	p := newPair(t, 42, typ, 1_000_000, 300_000_000)
	reconnects, made, i := 0, 0, 0
	for ; made < updates; i++ {
		if i > 20*updates {
			t.Fatalf("only %d updates in %d steps", made, i)
		}
		n := p.a
		if p.rng.IntN(2) == 0 {
			n = p.b
		}
		switch r := p.rng.IntN(100); {
		case r < 30:
			if p.addHTLC(n, 20_000_000) {
				made++
			}
		case r < 55:
			if p.resolveOne(n) {
				made++
			}
		case r < 58:
			p.handle(p.a, SetFeerate{FeeratePerKw: 253 + uint32(p.rng.IntN(5000))})
		case r < 60:
			p.reconnect(p.rng.IntN(2) == 0)
			reconnects++
		default:
			for k := p.rng.IntN(4); k >= 0; k-- {
				p.deliverOne(p.rng.IntN(2) == 0)
			}
		}
		// Balances are checked at every step; the transactions (slower
		// to build) every tenth.
		checkConservation(t, p.a, i%10 == 0)
		checkConservation(t, p.b, i%10 == 0)
	}
	settleAll(t, p)
	checkAgree(t, p)
	t.Logf("%s: %d updates in %d steps, %d reconnects, commitments A %d B %d, A fulfilled %d failed %d, B fulfilled %d failed %d",
		typ, made, i, reconnects, p.a.m.st.LocalNumber, p.b.m.st.LocalNumber,
		len(p.a.fulfill), len(p.a.failed), len(p.b.fulfill), len(p.b.failed))
	closeCoop(t, p)
}

// settleAll resolves every HTLC and delivers everything.
func settleAll(t *testing.T, p *pair) {
	for round := 0; round < 50; round++ {
		p.drain()
		if len(p.a.incoming) == 0 && len(p.b.incoming) == 0 {
			break
		}
		for len(p.a.incoming) > 0 {
			p.resolveOne(p.a)
		}
		for len(p.b.incoming) > 0 {
			p.resolveOne(p.b)
		}
	}
	p.drain()
	for _, n := range []*node{p.a, p.b} {
		if len(n.m.st.Updates) != 0 {
			t.Fatalf("%s: %d updates left in the log after settling", n.name, len(n.m.st.Updates))
		}
	}
}

// closeCoop closes cooperatively and checks both publish the same
// transaction paying each its balance, the opener paying the fee.
func closeCoop(t *testing.T, p *pair) {
	t.Helper()
	ourMsat, theirMsat := p.a.m.st.BaseLocalMsat, p.a.m.st.BaseRemoteMsat
	if _, err := p.handle(p.a, Close{FeeratePerKw: 1000}); err != nil {
		t.Fatal(err)
	}
	p.drain()
	if p.a.closeTx == nil || p.b.closeTx == nil {
		t.Fatalf("no closing tx: A %s, B %s", p.a.m.Phase(), p.b.m.Phase())
	}
	if p.a.closeTx.TxHash() != p.b.closeTx.TxHash() {
		t.Fatal("the two sides published different closing transactions")
	}
	var outs int64
	for _, o := range p.a.closeTx.TxOut {
		outs += o.Value
		if bytes.Equal(o.PkScript, p.b.m.st.Close.LocalScript) && o.Value != int64(theirMsat/1000) {
			t.Fatalf("B gets %d sat, its balance is %d msat", o.Value, theirMsat)
		}
	}
	// The fee is what the outputs lack, less the msat both balances lose
	// rounding down to satoshis; the opener pays it.
	fee := p.a.m.st.FundingSat - outs - (p.a.m.st.FundingSat - int64(ourMsat/1000) - int64(theirMsat/1000))
	if p.a.m.st.Close.LocalSat != int64(ourMsat/1000)-fee {
		t.Fatalf("A gets %d sat, balance %d msat minus fee %d", p.a.m.st.Close.LocalSat, ourMsat, fee)
	}
	if len(p.a.closeTx.TxIn[0].Witness) != 4 {
		t.Fatal("closing tx not fully signed")
	}
}
