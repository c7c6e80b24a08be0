package itest

import (
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/chain"
)

// stepReorg invalidates the block holding tx2 on btcd and mines a longer
// branch, so neutrino rolls back and the watches on tx2 must say so.
func stepReorg(t *testing.T, c *chainWatch, s *watchState) {
	defer s.conf2Ev.Cancel()
	defer s.spend1Ev.Cancel()
	oldBlock := c.blockAt(t, int64(s.tx2Height)).BlockHash()
	select {
	case got := <-s.conf2Ev.Confirmed:
		checkConf(t, got, s.tx2, s.tx2Height, oldBlock, 1)
	case <-time.After(eventWait):
		t.Fatalf("no confirmation of tx2 within %v", eventWait)
	}
	expectSpend(t, s.spend1Ev, s, s.tx2Height)

	if err := c.rpc.InvalidateBlock(&oldBlock); err != nil {
		t.Fatalf("invalidate block %s: %v", oldBlock, err)
	}
	t.Logf("invalidated %s at %d; btcd has tx2 in mempool: %v", oldBlock, s.tx2Height,
		c.inMempool(t, s.tx2.TxHash()))
	c.mine(t, 2)
	if got := c.blockAt(t, int64(s.tx2Height)).BlockHash(); got == oldBlock {
		t.Fatalf("btcd still has %s at %d after invalidating it", oldBlock, s.tx2Height)
	}
	select {
	case <-s.conf2Ev.Reorged:
	case <-time.After(eventWait):
		t.Fatalf("tx2's confirmation watch saw no reorg within %v", eventWait)
	}
	select {
	case <-s.spend1Ev.Reorged:
	case <-time.After(eventWait):
		t.Fatalf("the spend watch on tx1's output saw no reorg within %v", eventWait)
	}

	block := c.minedIn(t, s.tx2.TxHash())
	if block == nil {
		t.Logf("btcd did not re-mine tx2; checking only that no confirmation is delivered")
		c.settle(t, c.height(t))
		assertNoConf(t, s.conf2Ev, "for tx2 after its block was reorged out")
		return
	}
	height := c.heightOf(t, *block)
	t.Logf("btcd re-mined tx2 in %s at %d", block, height)
	select {
	case got := <-s.conf2Ev.Confirmed:
		checkConf(t, got, s.tx2, height, *block, 1)
	case <-time.After(eventWait):
		t.Fatalf("no new confirmation of re-mined tx2 within %v", eventWait)
	}
	expectSpend(t, s.spend1Ev, s, height)
}

func expectSpend(t *testing.T, ev *chain.SpendEvent, s *watchState, height uint32) {
	t.Helper()
	select {
	case d := <-ev.Spend:
		if d.SpenderTxHash != s.tx2.TxHash() || d.SpendingHeight != height || d.SpentOutPoint != s.key1.op {
			t.Fatalf("spend detail %+v; want tx2 spending %v at %d", d, s.key1.op, height)
		}
	case <-time.After(eventWait):
		t.Fatalf("no spend of tx1's output at %d within %v", height, eventWait)
	}
}

// stepDoubleSpend broadcasts a second spend of the coinbase tx1 spent, now
// that tx1 is buried. btcd sends no reject for it: an input spent in the
// chain looks to its mempool like a missing parent, so it files the
// transaction as an orphan, and neutrino's SendTransaction, hearing no
// reject, returns nil (and keeps rebroadcasting it). What must hold is that
// it never confirms. A conflict with the mempool is rejected instead; see
// checkConflictRejected.
func stepDoubleSpend(t *testing.T, c *chainWatch, s *watchState) {
	_, other := newP2WPKH(t)
	tx3 := spendTo(t, s.cb, other, 30_000)
	tip := c.height(t)
	conf, err := c.n.RegisterConfirmations(chain.ConfRequest{Txid: tx3.TxHash(),
		PkScript: other, NumConfs: 1, HeightHint: uint32(tip)})
	if err != nil {
		t.Fatalf("register confirmations: %v", err)
	}
	defer conf.Cancel()
	if err := c.n.Broadcast(tx3); err != nil {
		t.Fatalf("broadcast of a spend of a spent coinbase: %v; want nil (btcd orphans it, no reject)", err)
	}
	c.mine(t, 1)
	c.settle(t, tip+1)
	assertNoConf(t, conf, "for a double spend")
	if c.inMempool(t, tx3.TxHash()) || c.minedIn(t, tx3.TxHash()) != nil {
		t.Fatalf("btcd accepted the double spend %s", tx3.TxHash())
	}
}

func (c *chainWatch) inMempool(t *testing.T, txid chainhash.Hash) bool {
	t.Helper()
	pool, err := c.rpc.GetRawMempool()
	if err != nil {
		t.Fatalf("mempool: %v", err)
	}
	for _, h := range pool {
		if *h == txid {
			return true
		}
	}
	return false
}

func (c *chainWatch) heightOf(t *testing.T, block chainhash.Hash) uint32 {
	t.Helper()
	v, err := c.rpc.GetBlockVerbose(&block)
	if err != nil {
		t.Fatalf("block %s: %v", block, err)
	}
	return uint32(v.Height)
}
