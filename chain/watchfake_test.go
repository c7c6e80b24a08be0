package chain

import (
	"bytes"
	"fmt"
	"log/slog"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// fakeChain is a blockSource held in memory. Its "filter" matches exactly
// (no false positives unless a test mines a decoy), which is all the watcher
// relies on.
type fakeChain struct {
	mu       sync.Mutex
	blocks   []*wire.MsgBlock
	prevOut  map[wire.OutPoint][]byte // the script of every output ever mined
	gen      uint32                   // bumped by reorg so replacements hash differently
	failAt   map[uint32]error         // filterMatches fails at these heights
	onFilter func(h uint32)           // called, unlocked, before each filter match
}

var _ blockSource = (*fakeChain)(nil)

// newFakeChain starts with empty blocks at heights 0..tip.
func newFakeChain(tip uint32) *fakeChain {
	f := &fakeChain{prevOut: map[wire.OutPoint][]byte{}, failAt: map[uint32]error{}}
	for range tip + 1 {
		f.mine()
	}
	return f
}

// mine appends a block holding txs and returns its height.
func (f *fakeChain) mine(txs ...*wire.MsgTx) uint32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := uint32(len(f.blocks))
	blk := &wire.MsgBlock{Header: wire.BlockHeader{Nonce: h | f.gen<<20}}
	if h > 0 {
		blk.Header.PrevBlock = f.blocks[h-1].BlockHash()
	}
	cb := testTx([]wire.OutPoint{{Hash: chainhash.Hash{0xff}, Index: h | f.gen<<20}}, scriptC)
	blk.Transactions = append([]*wire.MsgTx{cb}, txs...)
	for _, tx := range blk.Transactions {
		for i, out := range tx.TxOut {
			f.prevOut[wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}] = out.PkScript
		}
	}
	f.blocks = append(f.blocks, blk)
	return h
}

// reorg drops the blocks at height and above; later mines replace them.
func (f *fakeChain) reorg(height uint32) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.blocks = f.blocks[:height]
	f.gen++
}

func (f *fakeChain) hashAt(h uint32) chainhash.Hash {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.blocks[h].BlockHash()
}

func (f *fakeChain) BestBlock() (BlockStamp, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	h := uint32(len(f.blocks) - 1)
	return BlockStamp{Height: h, Hash: f.blocks[h].BlockHash()}, nil
}

func (f *fakeChain) blockAt(h uint32) (chainhash.Hash, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if int(h) >= len(f.blocks) {
		return chainhash.Hash{}, fmt.Errorf("no block at %d", h)
	}
	return f.blocks[h].BlockHash(), nil
}

func (f *fakeChain) filterMatches(hash chainhash.Hash, scripts [][]byte) (bool, error) {
	blk, h, err := f.find(hash)
	if err != nil {
		return false, err
	}
	if f.onFilter != nil {
		f.onFilter(h)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.failAt[h]; err != nil {
		return false, err
	}
	for _, tx := range blk.Transactions {
		var seen [][]byte
		for _, out := range tx.TxOut {
			seen = append(seen, out.PkScript)
		}
		for _, in := range tx.TxIn {
			seen = append(seen, f.prevOut[in.PreviousOutPoint])
		}
		for _, s := range seen {
			for _, want := range scripts {
				if len(s) > 0 && bytes.Equal(s, want) {
					return true, nil
				}
			}
		}
	}
	return false, nil
}

func (f *fakeChain) block(hash chainhash.Hash) (*wire.MsgBlock, error) {
	blk, _, err := f.find(hash)
	return blk, err
}

func (f *fakeChain) find(hash chainhash.Hash) (*wire.MsgBlock, uint32, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for h, b := range f.blocks {
		if b.BlockHash() == hash {
			return b, uint32(h), nil
		}
	}
	return nil, 0, fmt.Errorf("block %s not in the best chain", hash)
}

// testBackend is a Neutrino with only its watcher, on a fake chain; tests
// call catchUp and rewind themselves instead of running the event loop.
func testBackend(f *fakeChain) *Neutrino {
	log := slog.New(slog.DiscardHandler)
	n := &Neutrino{log: log}
	n.watch = newWatcher(f, log)
	return n
}
