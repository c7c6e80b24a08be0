package script

import (
	"errors"
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/txscript"
)

// TestSecondLevelTxRefusals checks that the wrong transaction for an
// HTLC's direction, an HTLC that cannot pay its second-level fee, missing
// keys and an unknown type are errors.
func TestSecondLevelTxRefusals(t *testing.T) {
	keys := testParams(StaticRemoteKey).Keys
	offered := HTLCOutput{HTLC: HTLC{Offered: true, AmountMsat: 10_000_000, CltvExpiry: 600, ID: 1}}
	received := HTLCOutput{HTLC: HTLC{AmountMsat: 10_000_000, ID: 2}}
	var txid chainhash.Hash
	if _, err := HTLCTimeoutTx(StaticRemoteKey, txid, received, 144, 253, keys); !errors.Is(err, ErrCommitParams) {
		t.Errorf("timeout for received: %v", err)
	}
	if _, err := HTLCSuccessTx(StaticRemoteKey, txid, offered, 144, 253, keys); !errors.Is(err, ErrCommitParams) {
		t.Errorf("success for offered: %v", err)
	}
	// 10,000 sat cannot pay an HTLC-timeout fee at 20,000 sat/kw (13,260).
	if _, err := HTLCTimeoutTx(StaticRemoteKey, txid, offered, 144, 20_000, keys); !errors.Is(err, ErrCommitParams) {
		t.Errorf("fee above amount: %v", err)
	}
	if _, err := HTLCTimeoutTx(StaticRemoteKey, txid, offered, 144, 253, nil); !errors.Is(err, ErrCommitParams) {
		t.Errorf("nil keys: %v", err)
	}
	if _, err := SecondLevelTx(4, txid, offered, 144, 253, keys); !errors.Is(err, ErrCommitParams) {
		t.Errorf("unknown type: %v", err)
	}
}

// TestSecondLevelTxFields checks the template fields BOLT 3 fixes for each
// type: locktime, sequence, and the fee taken from the HTLC amount.
func TestSecondLevelTxFields(t *testing.T) {
	keys := testParams(StaticRemoteKey).Keys
	var txid chainhash.Hash
	txid[0] = 7
	out := HTLCOutput{HTLC: HTLC{Offered: true, AmountMsat: 50_000_999, CltvExpiry: 600_123}, Index: 3}
	for _, c := range []struct {
		typ      CommitmentType
		sequence uint32
		value    int64
	}{{StaticRemoteKey, 0, 50_000 - 663*1000/1000}, {Anchors, 1, 50_000}} {
		tx, err := SecondLevelTx(c.typ, txid, out, 144, 1000, keys)
		if err != nil {
			t.Fatal(err)
		}
		in := tx.TxIn[0]
		if tx.Version != 2 || tx.LockTime != 600_123 || in.Sequence != c.sequence ||
			in.PreviousOutPoint.Hash != txid || in.PreviousOutPoint.Index != 3 || tx.TxOut[0].Value != c.value {
			t.Errorf("%s: version %d locktime %d sequence %d outpoint %v value %d", c.typ,
				tx.Version, tx.LockTime, in.Sequence, in.PreviousOutPoint, tx.TxOut[0].Value)
		}
	}
	out.Offered = false
	tx, err := SecondLevelTx(StaticRemoteKey, txid, out, 144, 1000, keys)
	if err != nil || tx.LockTime != 0 || tx.TxOut[0].Value != 50_000-703 {
		t.Errorf("success tx: locktime %d value %d (%v)", tx.LockTime, tx.TxOut[0].Value, err)
	}
	if RemoteHTLCSigHash(Anchors) != txscript.SigHashSingle|txscript.SigHashAnyOneCanPay ||
		RemoteHTLCSigHash(StaticRemoteKey) != txscript.SigHashAll {
		t.Error("remote HTLC sighash types")
	}
}
