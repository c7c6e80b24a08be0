package script

import (
	"bytes"
	"errors"
	"testing"

	"github.com/btcsuite/btcd/txscript"
	"github.com/btcsuite/btcd/wire"
)

// TestClosingTx checks the closing template: version 2, locktime 0, final
// sequence, BIP69 output order, and outputs below the dust limit (or with
// no script, i.e. dropped by their owner) left out.
func TestClosingTx(t *testing.T) {
	op := wire.OutPoint{Index: 2}
	p2wpkh := P2WPKH(testKey("x").PubKey())
	p2wsh := p2wsh([]byte{txscript.OP_TRUE})
	tx, err := ClosingTx(op, p2wsh, p2wpkh, 5000, 5000, 546)
	if err != nil {
		t.Fatal(err)
	}
	if tx.Version != 2 || tx.LockTime != 0 || tx.TxIn[0].Sequence != 0xFFFFFFFF || tx.TxIn[0].PreviousOutPoint != op {
		t.Errorf("template: version %d locktime %d sequence %x", tx.Version, tx.LockTime, tx.TxIn[0].Sequence)
	}
	// Same value: the P2WPKH script (0x0014...) sorts before P2WSH (0x0020...).
	if len(tx.TxOut) != 2 || !bytes.Equal(tx.TxOut[0].PkScript, p2wpkh) {
		t.Errorf("outputs not in BIP69 order")
	}
	tx, err = ClosingTx(op, p2wsh, p2wpkh, 545, 9000, 546)
	if err != nil || len(tx.TxOut) != 1 || tx.TxOut[0].Value != 9000 {
		t.Errorf("dust output kept: %v %v", tx, err)
	}
	tx, err = ClosingTx(op, nil, p2wpkh, 9000, 9000, 546)
	if err != nil || len(tx.TxOut) != 1 || !bytes.Equal(tx.TxOut[0].PkScript, p2wpkh) {
		t.Errorf("dropped output kept: %v %v", tx, err)
	}
	if _, err := ClosingTx(op, p2wsh, p2wpkh, 100, 100, 546); !errors.Is(err, ErrCommitParams) {
		t.Errorf("no outputs: %v", err)
	}
	if _, err := ClosingTx(op, p2wsh, p2wpkh, -1, 9000, 546); !errors.Is(err, ErrCommitParams) {
		t.Errorf("negative amount: %v", err)
	}
}

// TestClosingBalances checks rounding down and that the opener alone pays.
func TestClosingBalances(t *testing.T) {
	l, r, err := ClosingBalances(1_000_999, 2_000_999, true, 300)
	if err != nil || l != 700 || r != 2000 {
		t.Errorf("local opener: %d %d %v", l, r, err)
	}
	l, r, err = ClosingBalances(1_000_999, 2_000_999, false, 300)
	if err != nil || l != 1000 || r != 1700 {
		t.Errorf("remote opener: %d %d %v", l, r, err)
	}
	if _, _, err := ClosingBalances(299_999, 0, true, 300); !errors.Is(err, ErrOpenerCannotPay) {
		t.Errorf("unaffordable fee: %v", err)
	}
	if _, _, err := ClosingBalances(1000, 0, true, -1); !errors.Is(err, ErrCommitParams) {
		t.Errorf("negative fee: %v", err)
	}
}

// TestClosingWeight checks the estimate against real signed closing
// transactions: never below, and at most the few bytes 73-byte signatures
// over-count. With two P2WPKH outputs the formula must agree with BOLT 3's
// commitment arithmetic (500 non-witness weight for 74 output bytes
// becomes 4*(51+62) here, plus the same 224 witness weight).
func TestClosingWeight(t *testing.T) {
	a, b := testKey("closing a"), testKey("closing b")
	ws, _, err := FundingOutput(a.PubKey(), b.PubKey(), 200_000)
	if err != nil {
		t.Fatal(err)
	}
	scripts := [][]byte{P2WPKH(a.PubKey()), p2wsh([]byte{txscript.OP_TRUE}), {txscript.OP_RETURN}}
	for _, ls := range scripts {
		for _, rs := range [][]byte{nil, P2WPKH(b.PubKey())} {
			tx, err := ClosingTx(wire.OutPoint{}, ls, rs, 100_000, 99_000, 546)
			if err != nil {
				t.Fatal(err)
			}
			sa, _ := SignFundingInput(tx, ws, 200_000, a)
			sb, _ := SignFundingInput(tx, ws, 200_000, b)
			tx.TxIn[0].Witness = FundingWitness(ws, a.PubKey(), b.PubKey(),
				WitnessSig(sa, txscript.SigHashAll), WitnessSig(sb, txscript.SigHashAll))
			real := int64(tx.SerializeSizeStripped())*3 + int64(tx.SerializeSize())
			est := ClosingWeight(ls, rs)
			if real > est || est-real > 6 {
				t.Errorf("scripts %x/%x: real weight %d, estimate %d", ls, rs, real, est)
			}
		}
	}
	if got := ClosingWeight(P2WPKH(a.PubKey()), P2WPKH(b.PubKey())); got != 4*(51+62)+224 {
		t.Errorf("two P2WPKH outputs: %d", got)
	}
}
