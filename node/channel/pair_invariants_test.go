package channel

import (
	"testing"
)

// checkConservation checks, for both commitments each node holds, that
// the balances and HTLCs add up to the capacity, and that the commitment
// transaction's outputs plus its fee never exceed it.
func checkConservation(t *testing.T, n *node, withTx bool) {
	t.Helper()
	s := n.m.st
	for _, c := range []struct {
		holder Side
		num    uint64
	}{{Local, s.LocalNumber}, {Remote, s.RemoteNumber}} {
		v, err := s.viewOf(c.holder, c.num)
		if err != nil {
			t.Fatalf("%s %s view: %v", n.name, c.holder, err)
		}
		sum := v.ourMsat + v.theirMsat
		for _, h := range v.htlcs {
			sum += int64(h.AmountMsat)
		}
		if sum != s.FundingSat*1000 {
			t.Fatalf("%s %s commitment %d: balances+HTLCs %d msat != capacity %d sat", n.name, c.holder, c.num, sum, s.FundingSat)
		}
		if !withTx {
			continue
		}
		b, err := n.m.build(s, c.holder, c.num, v)
		if err != nil {
			t.Fatalf("%s %s commitment %d: %v", n.name, c.holder, c.num, err)
		}
		var outs int64
		for _, o := range b.commit.Tx.TxOut {
			outs += o.Value
		}
		if outs+b.commit.FeeSat != s.FundingSat {
			t.Fatalf("%s %s commitment %d: outputs %d + fee %d != capacity %d", n.name, c.holder, c.num, outs, b.commit.FeeSat, s.FundingSat)
		}
		// Beyond BOLT 3's base fee, the fee holds only trimmed HTLCs,
		// balances below dust, and msat rounding (under 1 sat each).
		extra := b.commit.FeeSat - b.commit.BaseFeeSat
		allowed := int64(2 + len(v.htlcs))
		for _, h := range b.commit.Trimmed {
			allowed += int64(h.AmountMsat / 1000)
		}
		holderMsat, otherMsat := v.ourMsat, v.theirMsat
		if c.holder == Remote {
			holderMsat, otherMsat = otherMsat, holderMsat
		}
		if b.commit.ToLocal == nil {
			allowed += holderMsat / 1000
		}
		if b.commit.ToRemote == nil {
			allowed += otherMsat / 1000
		}
		if extra < 0 || extra > allowed {
			t.Fatalf("%s %s commitment %d: fee %d exceeds base %d by %d, allowed %d",
				n.name, c.holder, c.num, b.commit.FeeSat, b.commit.BaseFeeSat, extra, allowed)
		}
	}
}

// checkAgree checks that, when nothing is in flight, each node's own
// commitment is exactly the one its peer signed for it.
func checkAgree(t *testing.T, p *pair) {
	t.Helper()
	for _, n := range []*node{p.a, p.b} {
		peer := p.peerOf(n)
		s, ps := n.m.st, peer.m.st
		if s.LocalNumber != ps.RemoteNumber {
			t.Fatalf("%s at local commitment %d, peer signed %d", n.name, s.LocalNumber, ps.RemoteNumber)
		}
		v, err := s.viewOf(Local, s.LocalNumber)
		if err != nil {
			t.Fatal(err)
		}
		mine, err := n.m.build(s, Local, s.LocalNumber, v)
		if err != nil {
			t.Fatal(err)
		}
		pv, err := ps.viewOf(Remote, ps.RemoteNumber)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := peer.m.build(ps, Remote, ps.RemoteNumber, pv)
		if err != nil {
			t.Fatal(err)
		}
		if mine.commit.Tx.TxHash() != theirs.commit.Tx.TxHash() {
			t.Fatalf("%s's commitment %d differs from the one its peer signed", n.name, s.LocalNumber)
		}
		if v.ourMsat != pv.theirMsat || v.theirMsat != pv.ourMsat {
			t.Fatalf("balances disagree: %s says %d/%d, peer says %d/%d", n.name, v.ourMsat, v.theirMsat, pv.theirMsat, pv.ourMsat)
		}
	}
}
