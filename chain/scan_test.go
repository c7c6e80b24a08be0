package chain

import (
	"testing"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

var (
	scriptA = []byte{0x00, 0x14, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa,
		0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa}
	scriptB = []byte{0x00, 0x14, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb,
		0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb, 0xbb}
	scriptC = []byte{0x51} // OP_TRUE: nobody watches it
)

// testTx spends the given outpoints into outputs paying the scripts.
func testTx(ins []wire.OutPoint, outs ...[]byte) *wire.MsgTx {
	tx := wire.NewMsgTx(2)
	for i := range ins {
		tx.AddTxIn(wire.NewTxIn(&ins[i], nil, nil))
	}
	for i, s := range outs {
		tx.AddTxOut(wire.NewTxOut(int64(1000+i), s))
	}
	return tx
}

func outpoint(b byte, i uint32) wire.OutPoint {
	return wire.OutPoint{Hash: chainhash.Hash{b}, Index: i}
}

func TestTxFilterPaysScript(t *testing.T) {
	f := newTxFilter([][]byte{scriptA}, nil)
	tx := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptC, scriptA)
	if !f.relevant(tx) {
		t.Fatal("a payment to a watched script is not relevant")
	}
	paid := wire.OutPoint{Hash: tx.TxHash(), Index: 1}
	if !f.outpoints[paid] {
		t.Fatalf("filter did not learn the paid outpoint %v", paid)
	}
	if f.outpoints[wire.OutPoint{Hash: tx.TxHash(), Index: 0}] {
		t.Fatal("filter learned the outpoint paying an unwatched script")
	}
}

func TestTxFilterSpendsListedOutPoint(t *testing.T) {
	listed := outpoint(7, 3)
	f := newTxFilter(nil, []wire.OutPoint{listed})
	if !f.relevant(testTx([]wire.OutPoint{outpoint(1, 0), listed}, scriptC)) {
		t.Fatal("a spend of a listed outpoint (second input) is not relevant")
	}
	if f.relevant(testTx([]wire.OutPoint{outpoint(7, 2)}, scriptC)) {
		t.Fatal("a spend of another index of the same tx counted as relevant")
	}
}

// TestTxFilterFollowsLearnedOutPoints is the rescan case: a payment to a
// watched script, then in a later block the spend of that output to a script
// nobody watches.
func TestTxFilterFollowsLearnedOutPoints(t *testing.T) {
	f := newTxFilter([][]byte{scriptA}, nil)
	pay := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptA)
	spend := testTx([]wire.OutPoint{{Hash: pay.TxHash(), Index: 0}}, scriptC)
	if f.relevant(spend) {
		t.Fatal("spend recognised before the payment was seen")
	}
	if !f.relevant(pay) || !f.relevant(spend) {
		t.Fatal("payment then spend: want both relevant")
	}
	// And further down the chain only while outputs keep paying the script.
	onward := testTx([]wire.OutPoint{{Hash: spend.TxHash(), Index: 0}}, scriptB)
	if f.relevant(onward) {
		t.Fatal("spend of an output paying an unwatched script counted as relevant")
	}
}

func TestTxFilterIrrelevant(t *testing.T) {
	f := newTxFilter([][]byte{scriptA, scriptB}, []wire.OutPoint{outpoint(9, 0)})
	tx := testTx([]wire.OutPoint{outpoint(9, 1), outpoint(8, 0)}, scriptC, scriptA[:len(scriptA)-1])
	if f.relevant(tx) {
		t.Fatal("a tx touching neither the scripts nor the outpoints is relevant")
	}
	if len(f.outpoints) != 1 {
		t.Fatalf("an irrelevant tx taught the filter outpoints: %v", f.outpoints)
	}
	if newTxFilter(nil, nil).relevant(testTx(nil)) {
		t.Fatal("an empty filter matched an empty tx")
	}
}
