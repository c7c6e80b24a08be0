package script

import (
	"fmt"
	"testing"
)

// anchorVectors mirrors testdata/bolt03_commitment_anchors.json.
type anchorVectors struct {
	vectorParams
	Cases []anchorCase `json:"cases"`
}

// anchorCase is one object of the appendix's JSON, plus the HTLC set.
type anchorCase struct {
	Name                    string         `json:"Name"`
	LocalBalance            uint64         `json:"LocalBalance"`
	RemoteBalance           uint64         `json:"RemoteBalance"`
	DustLimitSatoshis       int64          `json:"DustLimitSatoshis"`
	FeePerKw                uint32         `json:"FeePerKw"`
	UseTestHtlcs            bool           `json:"UseTestHtlcs"`
	HtlcDescs               []anchorHTLCTx `json:"HtlcDescs"`
	ExpectedCommitmentTxHex string         `json:"ExpectedCommitmentTxHex"`
	RemoteSigHex            string         `json:"RemoteSigHex"`
	HTLCs                   []uint64       `json:"htlcs"`
}

type anchorHTLCTx struct {
	RemoteSigHex    string `json:"RemoteSigHex"`
	ResolutionTxHex string `json:"ResolutionTxHex"`
}

// TestBolt03AnchorCommitmentVectors checks every case of BOLT 3 Appendix
// F (option_anchors, zero-fee HTLC transactions): the commitment with its
// anchors and CSV-locked to_remote, signed and compared byte for byte, and
// each zero-fee second-level transaction with the peer's
// SIGHASH_SINGLE|ANYONECANPAY signature (which must verify) and our
// SIGHASH_ALL one.
func TestBolt03AnchorCommitmentVectors(t *testing.T) {
	var v anchorVectors
	loadVectors(t, "bolt03_commitment_anchors.json", &v)
	e := newVectorEnv(t, &v.vectorParams)
	if len(v.Cases) == 0 {
		t.Fatal("no cases loaded")
	}
	toRemote := mustPub(t, v.RemotePaymentBasepoint)
	for _, tc := range v.Cases {
		t.Run(tc.Name, func(t *testing.T) {
			p := e.params(Anchors, toRemote, tc.LocalBalance, tc.RemoteBalance,
				tc.FeePerKw, tc.DustLimitSatoshis, tc.HTLCs)
			c, err := BuildCommitment(p)
			if err != nil {
				t.Fatal(err)
			}
			checkAnchorAmounts(t, c, tc)
			got := e.signCommitment(t, c, tc.RemoteSigHex)
			sameHex(t, "commit tx", got, tc.ExpectedCommitmentTxHex)
			checkCommitShape(t, Anchors, c, got)

			if len(c.HTLCs) != len(tc.HtlcDescs) {
				t.Fatalf("%d HTLC outputs, vector has %d HTLC txs", len(c.HTLCs), len(tc.HtlcDescs))
			}
			for i, hv := range tc.HtlcDescs {
				out := c.HTLCs[i]
				got := e.signSecondLevel(t, Anchors, c, out, tc.FeePerKw, p.Keys, hv.RemoteSigHex)
				sameHex(t, fmt.Sprintf("second-level tx for htlc #%d", out.ID), got, hv.ResolutionTxHex)
			}
		})
	}
}

// checkAnchorAmounts checks what the appendix implies without listing it:
// the opener pays the base fee and both anchors even when only one anchor
// is created, and an anchor exists only beside its owner's balance output
// or when HTLCs are pending.
func checkAnchorAmounts(t *testing.T, c *Commitment, tc anchorCase) {
	t.Helper()
	if want := CommitFee(Anchors, tc.FeePerKw, len(c.HTLCs)); c.BaseFeeSat != want {
		t.Errorf("base fee %d, want %d", c.BaseFeeSat, want)
	}
	if c.ToLocal != nil {
		want := int64(tc.LocalBalance/1000) - c.BaseFeeSat - 2*AnchorSat
		if c.ToLocal.Value != want {
			t.Errorf("to_local %d, want %d", c.ToLocal.Value, want)
		}
	}
	pending := len(c.HTLCs) > 0
	if (c.LocalAnchor != nil) != (c.ToLocal != nil || pending) {
		t.Errorf("local anchor present=%v with to_local=%v, %d HTLCs", c.LocalAnchor != nil, c.ToLocal != nil, len(c.HTLCs))
	}
	if (c.RemoteAnchor != nil) != (c.ToRemote != nil || pending) {
		t.Errorf("remote anchor present=%v with to_remote=%v, %d HTLCs", c.RemoteAnchor != nil, c.ToRemote != nil, len(c.HTLCs))
	}
	if HTLCSuccessFee(Anchors, tc.FeePerKw) != 0 || HTLCTimeoutFee(Anchors, tc.FeePerKw) != 0 {
		t.Fatal("zero-fee HTLC transactions must pay no fee")
	}
	for _, h := range c.HTLCs {
		if h.amountSat() < tc.DustLimitSatoshis {
			t.Errorf("htlc #%d of %d sat kept under dust limit %d", h.ID, h.amountSat(), tc.DustLimitSatoshis)
		}
	}
}
