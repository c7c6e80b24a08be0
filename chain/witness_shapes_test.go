package chain

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/blockchain"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/btcutil/gcs"
	"github.com/btcsuite/btcd/btcutil/gcs/builder"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/lightninglabs/neutrino"
)

// The transaction shapes that stalled Lightning nodes in 2022: btcd's wire
// refused a witness item over 11,000 bytes (the October 2022 taproot
// transaction carried a 33,970-byte one) and a witness of more than
// 500,000 items (the November one had more), so btcd and lnd stopped
// syncing at those blocks. Both are consensus-valid. Our chain path does
// not decode blocks itself: btcd's peer code inside neutrino reads a
// block message with wire.ReadMessageWithEncodingN, neutrino's GetBlock
// checks it with blockchain.CheckBlockSanity and ValidateWitnessCommitment,
// and neutrino checks filters against blocks with VerifyBasicBlockFilter;
// then our code (Rescan's txFilter, the watcher's findTx and findSpend)
// scans the decoded block. These tests run blocks holding each shape
// through all of it with the btcd pinned in go.mod.
const (
	bigWitnessItem   = 33_970
	manyWitnessItems = 500_003
	// shapeBudget bounds the whole path for one block. It takes tens of
	// milliseconds natively; the budget leaves room for -race and a busy
	// machine while still catching a stall.
	shapeBudget = 3 * time.Second
)

var regtest = &chaincfg.RegressionNetParams

// taprootScript is a P2TR output script for a made-up key.
func taprootScript(b byte) []byte {
	return append([]byte{0x51, 0x20}, bytes.Repeat([]byte{b}, 32)...)
}

// hugeItemTx spends a taproot output by a script path whose script is one
// witness item of bigWitnessItem bytes.
func hugeItemTx() *wire.MsgTx {
	script := bytes.Repeat([]byte{0x51}, bigWitnessItem) // OP_1 …
	control := append([]byte{0xc0}, bytes.Repeat([]byte{0x02}, 32)...)
	tx := testTx([]wire.OutPoint{outpoint(0x71, 0)}, scriptA)
	tx.TxIn[0].Witness = wire.TxWitness{make([]byte, 64), script, control}
	return tx
}

// manyItemsTx spends a taproot output with a witness of manyWitnessItems
// items: empty stack items, a script, a control block.
func manyItemsTx() *wire.MsgTx {
	wit := make(wire.TxWitness, manyWitnessItems)
	for i := range wit {
		wit[i] = []byte{}
	}
	wit[len(wit)-2] = []byte{0x51}
	wit[len(wit)-1] = append([]byte{0xc0}, bytes.Repeat([]byte{0x03}, 32)...)
	tx := testTx([]wire.OutPoint{outpoint(0x72, 1)}, scriptB)
	tx.TxIn[0].Witness = wit
	return tx
}

// shapeBlock mines a regtest block on prev holding tx after a coinbase
// that commits to the witnesses (BIP141), so that it passes the checks
// neutrino applies to a block from a peer.
func shapeBlock(t *testing.T, prev chainhash.Hash, tx *wire.MsgTx) *wire.MsgBlock {
	t.Helper()
	cb := wire.NewMsgTx(2)
	cb.AddTxIn(&wire.TxIn{
		PreviousOutPoint: wire.OutPoint{Index: wire.MaxPrevOutIndex},
		SignatureScript:  []byte{0x51, 0x51},
		Witness:          wire.TxWitness{make([]byte, 32)},
		Sequence:         wire.MaxTxInSequenceNum,
	})
	cb.AddTxOut(wire.NewTxOut(50e8, scriptC))
	txs := []*btcutil.Tx{btcutil.NewTx(cb), btcutil.NewTx(tx)}
	root := blockchain.CalcMerkleRoot(txs, true)
	commitment := chainhash.DoubleHashB(append(root[:], cb.TxIn[0].Witness[0]...))
	cb.AddTxOut(wire.NewTxOut(0, append(append([]byte{0x6a, 0x24}, blockchain.WitnessMagicBytes[2:]...), commitment...)))
	txs[0] = btcutil.NewTx(cb)
	blk := &wire.MsgBlock{
		Header: wire.BlockHeader{
			Version: 0x20000000, PrevBlock: prev, MerkleRoot: blockchain.CalcMerkleRoot(txs, false),
			Timestamp: time.Unix(time.Now().Unix(), 0), Bits: regtest.PowLimitBits,
		},
		Transactions: []*wire.MsgTx{cb, tx},
	}
	target := blockchain.CompactToBig(blk.Header.Bits)
	for blockchain.HashToBig(ptr(blk.Header.BlockHash())).Cmp(target) > 0 {
		blk.Header.Nonce++
	}
	return blk
}

func ptr(h chainhash.Hash) *chainhash.Hash { return &h }

// peerMessage is blk as a peer sends it: a regtest "block" message with
// witnesses.
func peerMessage(t *testing.T, blk *wire.MsgBlock) []byte {
	t.Helper()
	var buf bytes.Buffer
	if _, err := wire.WriteMessageWithEncodingN(&buf, blk, wire.ProtocolVersion, regtest.Net, wire.WitnessEncoding); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// readPeerBlock does to a block message what btcd's peer and neutrino's
// GetBlock do before our code sees the block.
func readPeerBlock(raw []byte) (*btcutil.Block, error) {
	_, msg, _, err := wire.ReadMessageWithEncodingN(bytes.NewReader(raw), wire.ProtocolVersion, regtest.Net, wire.WitnessEncoding)
	if err != nil {
		return nil, fmt.Errorf("read block message: %w", err)
	}
	mb, ok := msg.(*wire.MsgBlock)
	if !ok {
		return nil, fmt.Errorf("read a %s message, want block", msg.Command())
	}
	blk := btcutil.NewBlock(mb)
	if err := blockchain.CheckBlockSanity(blk, regtest.PowLimit, blockchain.NewMedianTime()); err != nil {
		return nil, fmt.Errorf("block sanity: %w", err)
	}
	if err := blockchain.ValidateWitnessCommitment(blk); err != nil {
		return nil, fmt.Errorf("witness commitment: %w", err)
	}
	return blk, nil
}

// shapeChain is a blockSource that serves blocks as peer messages and
// decodes them on every fetch, with real BIP158 filters.
type shapeChain struct {
	raw     [][]byte
	hashes  []chainhash.Hash
	filters []*gcs.Filter
}

var _ blockSource = (*shapeChain)(nil)

func (c *shapeChain) BestBlock() (BlockStamp, error) {
	h := uint32(len(c.hashes) - 1)
	return BlockStamp{Height: h, Hash: c.hashes[h]}, nil
}

func (c *shapeChain) blockAt(h uint32) (chainhash.Hash, error) {
	if int(h) >= len(c.hashes) {
		return chainhash.Hash{}, fmt.Errorf("no block at %d", h)
	}
	return c.hashes[h], nil
}

func (c *shapeChain) height(hash chainhash.Hash) (int, error) {
	for h, x := range c.hashes {
		if x == hash {
			return h, nil
		}
	}
	return 0, fmt.Errorf("no block %s", hash)
}

// filterMatches is Neutrino.filterMatches on the filters held here.
func (c *shapeChain) filterMatches(hash chainhash.Hash, scripts [][]byte) (bool, error) {
	h, err := c.height(hash)
	if err != nil {
		return false, err
	}
	return c.filters[h].MatchAny(builder.DeriveKey(&hash), scripts)
}

func (c *shapeChain) block(hash chainhash.Hash) (*wire.MsgBlock, error) {
	h, err := c.height(hash)
	if err != nil {
		return nil, err
	}
	blk, err := readPeerBlock(c.raw[h])
	if err != nil {
		return nil, err
	}
	return blk.MsgBlock(), nil
}

// checkShape runs a block holding tx through the whole path and checks
// the witness survives it, the filter and our scans find the transaction,
// and the whole path ends within shapeBudget.
func checkShape(t *testing.T, tx *wire.MsgTx, prevScript []byte) {
	genesis := regtest.GenesisBlock
	blk := shapeBlock(t, genesis.BlockHash(), tx)
	raw := peerMessage(t, blk)

	start := time.Now()
	got, err := readPeerBlock(raw)
	if err != nil {
		t.Fatalf("a consensus-valid block is refused: %v", err)
	}
	decoded := time.Since(start)
	gtx := got.MsgBlock().Transactions[1]
	if gtx.TxHash() != tx.TxHash() || gtx.WitnessHash() != tx.WitnessHash() || len(gtx.TxIn[0].Witness) != len(tx.TxIn[0].Witness) {
		t.Fatalf("decoded tx %s with %d witness items, want %s with %d", gtx.TxHash(), len(gtx.TxIn[0].Witness), tx.TxHash(), len(tx.TxIn[0].Witness))
	}
	var again bytes.Buffer
	if err := got.MsgBlock().Serialize(&again); err != nil || !bytes.Equal(again.Bytes(), raw[wire.MessageHeaderSize:]) {
		t.Fatalf("decoded block does not serialize back to the message payload (%v)", err)
	}

	filter, err := builder.BuildBasicFilter(blk, [][]byte{prevScript})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := neutrino.VerifyBasicBlockFilter(filter, got); err != nil {
		t.Fatalf("neutrino refuses the block's own filter: %v", err)
	}
	gfilter, err := builder.BuildBasicFilter(genesis, nil)
	if err != nil {
		t.Fatal(err)
	}
	src := &shapeChain{
		raw:     [][]byte{peerMessage(t, genesis), raw},
		hashes:  []chainhash.Hash{genesis.BlockHash(), blk.BlockHash()},
		filters: []*gcs.Filter{gfilter, filter},
	}
	scanStart := time.Now()
	checkScans(t, src, gtx, got.MsgBlock(), prevScript)
	scanned := time.Since(scanStart)
	t.Logf("%d witness items (largest %d bytes), block message of %d bytes: decoded and checked in %v, scanned (decoding it again) in %v",
		len(tx.TxIn[0].Witness), largestItem(tx.TxIn[0].Witness), len(raw), decoded, scanned)
	if decoded+scanned > shapeBudget {
		t.Fatalf("decoding and scanning took %v, over %v", decoded+scanned, shapeBudget)
	}
}

// checkScans runs our code over the decoded block: Rescan's per-block
// filter, and the watcher following a confirmation and a spend to the tip.
func checkScans(t *testing.T, src *shapeChain, tx *wire.MsgTx, blk *wire.MsgBlock, prevScript []byte) {
	t.Helper()
	pays := tx.TxOut[0].PkScript
	f := newTxFilter([][]byte{pays}, []wire.OutPoint{tx.TxIn[0].PreviousOutPoint})
	hits := 0
	for _, x := range blk.Transactions {
		if f.relevant(x) {
			hits++
		}
	}
	if hits != 1 {
		t.Fatalf("rescan filter matched %d transactions, want 1", hits)
	}
	log := slog.New(slog.DiscardHandler)
	n := &Neutrino{log: log}
	n.watch = newWatcher(src, log)
	conf := mustConf(t, n, ConfRequest{Txid: tx.TxHash(), PkScript: pays, NumConfs: 1, HeightHint: 1})
	spend := mustSpend(t, n, SpendRequest{OutPoint: tx.TxIn[0].PreviousOutPoint, PkScript: prevScript, HeightHint: 1})
	step(n)
	if c, ok := gotConf(t, conf); !ok || c.BlockHeight != 1 || c.TxIndex != 1 {
		t.Fatalf("confirmation %+v, %v; want height 1 index 1", c, ok)
	}
	select {
	case s := <-spend.Spend:
		if s.SpenderTxHash != tx.TxHash() || s.SpendingHeight != 1 || len(s.SpendingTx.TxIn[0].Witness) != len(tx.TxIn[0].Witness) {
			t.Fatalf("spend %+v", s)
		}
	default:
		t.Fatal("the spend was not found")
	}
}

func largestItem(w wire.TxWitness) int {
	n := 0
	for _, item := range w {
		n = max(n, len(item))
	}
	return n
}

// TestBlockWithHugeWitnessItem: a block with a 33,970-byte witness item
// decodes, passes neutrino's checks and is scanned, in bounded time.
func TestBlockWithHugeWitnessItem(t *testing.T) {
	checkShape(t, hugeItemTx(), taprootScript(0x71))
}

// TestBlockWithHalfMillionWitnessItems: a block with a 500,003-item
// witness decodes, passes neutrino's checks and is scanned, in bounded
// time.
func TestBlockWithHalfMillionWitnessItems(t *testing.T) {
	checkShape(t, manyItemsTx(), taprootScript(0x72))
}

// TestWitnessCommitmentOfShapes is a guard on the tests above: the same
// blocks with a witness changed after the coinbase committed to it are
// refused by the commitment check, so passing readPeerBlock means
// neutrino's checks really covered the witnesses. (A witness is outside
// the txid, so the header and its proof of work still hold.)
func TestWitnessCommitmentOfShapes(t *testing.T) {
	for _, tx := range []*wire.MsgTx{hugeItemTx(), manyItemsTx()} {
		blk := shapeBlock(t, regtest.GenesisBlock.BlockHash(), tx)
		blk.Transactions[1].TxIn[0].Witness[0] = []byte{0x01}
		_, err := readPeerBlock(peerMessage(t, blk))
		if err == nil || !strings.Contains(err.Error(), "witness commitment") {
			t.Fatalf("a block whose witness does not match its commitment: %v", err)
		}
	}
}
