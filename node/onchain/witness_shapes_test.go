package onchain

import (
	"bytes"
	"crypto/sha256"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"
)

// TestPreimageInPathologicalWitnesses: when the peer spends an HTLC we
// offered, Spent reads the preimage out of its witness item by item, the
// one loop of ours over a witness a stranger writes. Witnesses of the
// shapes that stalled nodes in 2022 (one item of 33,970 bytes; 500,003
// items), and one a block can hold the most 32-byte items of (each of
// which is hashed), decode through btcd's wire and are read in bounded
// time, the preimage found where it is.
func TestPreimageInPathologicalWitnesses(t *testing.T) {
	preimage := [32]byte{0x70, 0x72, 0x65}
	hash := sha256.Sum256(preimage[:])
	many := make(wire.TxWitness, 500_003)
	for i := range many {
		many[i] = []byte{}
	}
	many[len(many)-1] = preimage[:]
	huge := wire.TxWitness{make([]byte, 64), bytes.Repeat([]byte{0x51}, 33_970), preimage[:]}
	// 4,000,000 weight units hold at most about 121,000 witness items of
	// 33 bytes (a length byte and 32 bytes).
	hashed := make(wire.TxWitness, 120_000)
	for i := range hashed {
		hashed[i] = bytes.Repeat([]byte{byte(i), byte(i >> 8), 1}, 11)[:32]
	}
	for _, c := range []struct {
		name  string
		wit   wire.TxWitness
		found bool
	}{{"500,003 items", many, true}, {"a 33,970-byte item", huge, true}, {"120,000 items of 32 bytes", hashed, false}} {
		tx := wire.NewMsgTx(2)
		tx.AddTxIn(&wire.TxIn{PreviousOutPoint: wire.OutPoint{Index: 1}, Witness: c.wit})
		tx.AddTxOut(wire.NewTxOut(1000, []byte{0x51}))
		var buf bytes.Buffer
		if err := tx.Serialize(&buf); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		var back wire.MsgTx
		if err := back.Deserialize(bytes.NewReader(buf.Bytes())); err != nil {
			t.Fatalf("%s: a consensus-valid witness does not decode: %v", c.name, err)
		}
		p, ok := preimageIn(back.TxIn[0].Witness, hash)
		elapsed := time.Since(start)
		t.Logf("%s: decoded and read in %v", c.name, elapsed)
		if ok != c.found || ok && p != preimage {
			t.Fatalf("%s: preimage %x, found %v; want found %v", c.name, p, ok, c.found)
		}
		if elapsed > 2*time.Second {
			t.Fatalf("%s: took %v", c.name, elapsed)
		}
	}
}
