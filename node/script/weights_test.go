package script

import (
	"testing"
)

// TestBolt03FeeCalculationExample checks the worked example of BOLT 3
// "Fees / Example": feerate_per_kw 5000, dust limit 546, offered HTLCs of
// 5000 and 1000 sat, received HTLCs of 7000 and 800 sat. "The HTLC-timeout
// transaction weight is 663, and thus the fee is 3315 satoshis. The
// HTLC-success transaction weight is 703, and thus the fee is 3515
// satoshis"; two HTLCs are trimmed, the weight becomes 1068, "The base
// commitment transaction fee is 5340 satoshi; the actual fee (which adds
// the 1000 and 800 satoshi HTLCs that would make dust outputs) is 7140
// satoshi."
func TestBolt03FeeCalculationExample(t *testing.T) {
	const feerate, dust = 5000, 546
	if got := HTLCTimeoutFee(StaticRemoteKey, feerate); got != 3315 {
		t.Errorf("HTLC-timeout fee %d, want 3315", got)
	}
	if got := HTLCSuccessFee(StaticRemoteKey, feerate); got != 3515 {
		t.Errorf("HTLC-success fee %d, want 3515", got)
	}
	htlcs := []HTLC{
		{Offered: true, AmountMsat: 5_000_000, ID: 0},
		{Offered: true, AmountMsat: 1_000_000, ID: 1},
		{Offered: false, AmountMsat: 7_000_000, ID: 2},
		{Offered: false, AmountMsat: 800_000, ID: 3},
	}
	wantTrimmed := []bool{false, true, false, true}
	for i, h := range htlcs {
		if got := IsTrimmed(StaticRemoteKey, h, dust, feerate); got != wantTrimmed[i] {
			t.Errorf("htlc %d trimmed=%v, want %v", i, got, wantTrimmed[i])
		}
	}
	if got := CommitWeight(StaticRemoteKey, 2); got != 1068 {
		t.Errorf("weight %d, want 1068", got)
	}
	if got := CommitFee(StaticRemoteKey, feerate, 2); got != 5340 {
		t.Errorf("base fee %d, want 5340", got)
	}

	p := testParams(StaticRemoteKey)
	p.FeeratePerKw, p.DustLimitSat, p.HTLCs = feerate, dust, htlcs
	p.ToLocalMsat -= 13_800_000
	c, err := BuildCommitment(p)
	if err != nil {
		t.Fatal(err)
	}
	if c.BaseFeeSat != 5340 || c.FeeSat != 7140 {
		t.Errorf("base fee %d, actual fee %d; want 5340 and 7140", c.BaseFeeSat, c.FeeSat)
	}
}

// TestExpectedWeights checks the Appendix A figures and that zero-fee
// HTLC transactions pay nothing and trim only below the dust limit.
func TestExpectedWeights(t *testing.T) {
	for _, c := range []struct {
		typ  CommitmentType
		n    int
		want int64
	}{{StaticRemoteKey, 0, 724}, {StaticRemoteKey, 3, 724 + 3*172}, {Anchors, 0, 1124}, {Anchors, 5, 1124 + 5*172}} {
		if got := CommitWeight(c.typ, c.n); got != c.want {
			t.Errorf("%s with %d HTLCs: weight %d, want %d", c.typ, c.n, got, c.want)
		}
	}
	if HTLCTimeoutFee(Anchors, 100_000) != 0 || HTLCSuccessFee(Anchors, 100_000) != 0 {
		t.Error("anchors second-level fees must be zero")
	}
	h := HTLC{AmountMsat: 546_999}
	if IsTrimmed(Anchors, h, 546, 100_000) {
		t.Error("546 sat HTLC trimmed at dust 546 with zero-fee HTLC txs")
	}
	h.AmountMsat = 545_999
	if !IsTrimmed(Anchors, h, 546, 0) {
		t.Error("545 sat HTLC kept at dust 546")
	}
}
