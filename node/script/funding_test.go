package script

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/wire"
)

// fundingVectors mirrors testdata/bolt03_funding.json.
type fundingVectors struct {
	Source               string `json:"source"`
	LocalFundingPubKey   string `json:"local_funding_pubkey"`
	RemoteFundingPubKey  string `json:"remote_funding_pubkey"`
	FundingWitnessScript string `json:"funding_witness_script"`
	FundingSatoshis      int64  `json:"funding_satoshis"`
	FundingOutput        int    `json:"funding_output"`
	FundingTx            string `json:"funding_tx"`
	FundingTxid          string `json:"funding_txid"`
}

// TestBolt03FundingVectors checks BOLT 3 Appendix B: the funding witness
// script for the appendix's two funding pubkeys (in either argument order)
// and that our P2WSH output is the funding output of the appendix's funding
// transaction.
func TestBolt03FundingVectors(t *testing.T) {
	var v fundingVectors
	loadVectors(t, "bolt03_funding.json", &v)
	want := mustHex(t, v.FundingWitnessScript)

	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(mustHex(t, v.FundingTx))); err != nil {
		t.Fatalf("funding tx: %v", err)
	}
	if got := tx.TxHash().String(); got != v.FundingTxid {
		t.Fatalf("funding txid %s, want %s", got, v.FundingTxid)
	}
	txOut := tx.TxOut[v.FundingOutput]

	for _, order := range []struct {
		name string
		a, b string
	}{{"local,remote", v.LocalFundingPubKey, v.RemoteFundingPubKey}, {"remote,local", v.RemoteFundingPubKey, v.LocalFundingPubKey}} {
		t.Run(order.name, func(t *testing.T) {
			a, b := mustPub(t, order.a), mustPub(t, order.b)
			ws, out, err := FundingOutput(a, b, v.FundingSatoshis)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ws, want) {
				t.Fatalf("witness script %x, want %x", ws, want)
			}
			if out.Value != txOut.Value || !bytes.Equal(out.PkScript, txOut.PkScript) {
				t.Fatalf("output %d %x, want %d %x", out.Value,
					out.PkScript, txOut.Value, txOut.PkScript)
			}
		})
	}
}

// TestFundingOutputRefusals checks that a missing key or non-positive
// amount is refused with ErrFundingParams.
func TestFundingOutputRefusals(t *testing.T) {
	k := mustPub(t, "023da092f6980e58d2c037173180e9a465476026ee50f96695963e8efe436f54eb")
	if _, _, err := FundingOutput(k, nil, 1000); !errors.Is(err, ErrFundingParams) {
		t.Fatalf("nil key: got %v", err)
	}
	if _, _, err := FundingOutput(k, k, 0); !errors.Is(err, ErrFundingParams) {
		t.Fatalf("zero amount: got %v", err)
	}
	if _, err := FundingScript(nil, k); !errors.Is(err, ErrFundingParams) {
		t.Fatalf("nil key: got %v", err)
	}
}
