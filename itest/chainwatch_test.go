package itest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
	"github.com/lightninglabs/neutrino/pushtx"

	"lnwasm/chain"
)

// eventWait bounds every wait for a watcher event.
const eventWait = time.Minute

// TestChainWatch drives the backend's confirmation, spend, rescan, reorg and
// broadcast paths with real transactions on a btcd it talks to over P2P. The
// steps share one chain, so each needs the ones before it.
func TestChainWatch(t *testing.T) {
	c := startChainWatch(t)
	if got, err := c.n.FeeRate(6); err != nil || got != 253 {
		t.Fatalf("FeeRate(6) = %d, %v; want the regtest static 253 sat/kw", got, err)
	}
	s := &watchState{}
	steps := []struct {
		name string
		run  func(*testing.T, *chainWatch, *watchState)
	}{
		{"SpendAndConfirmations", stepSpendAndConfirmations},
		{"HistoricalConfirmation", stepHistoricalConfirmation},
		{"Rescan", stepRescan},
		{"Reorg", stepReorg},
		{"DoubleSpendOfSpentCoinbase", stepDoubleSpend},
	}
	for _, st := range steps {
		if !t.Run(st.name, func(t *testing.T) { st.run(t, c, s) }) {
			return
		}
	}
}

// watchState carries what one step leaves for the next.
type watchState struct {
	cb         coin // the coinbase output tx1 spends
	s1, s2     []byte
	tx1, tx2   *wire.MsgTx
	tx1Height  uint32
	tx1Block   chainhash.Hash
	tx2Height  uint32
	key1       coin // tx1's output, spendable with the S1 key
	conf2Ev    *chain.ConfEvent
	spend1Ev   *chain.SpendEvent
	rescanFrom uint32
}

func stepSpendAndConfirmations(t *testing.T, c *chainWatch, s *watchState) {
	tip := c.height(t)
	cbHeight := tip - 101 // mature: the next block is more than 100 above it
	s.cb = c.coinbaseAt(t, cbHeight)
	key1, s1 := newP2WPKH(t)
	s.s1 = s1
	s.tx1 = spendTo(t, s.cb, s1, 10_000)
	s.key1 = outputOf(s.tx1, 0, key1)

	conf, err := c.n.RegisterConfirmations(chain.ConfRequest{Txid: s.tx1.TxHash(),
		PkScript: s1, NumConfs: 3, HeightHint: uint32(tip)})
	if err != nil {
		t.Fatalf("register confirmations: %v", err)
	}
	defer conf.Cancel()
	spend, err := c.n.RegisterSpend(chain.SpendRequest{OutPoint: s.cb.op,
		PkScript: c.miningScript, HeightHint: uint32(cbHeight)})
	if err != nil {
		t.Fatalf("register spend: %v", err)
	}
	defer spend.Cancel()

	if err := c.n.Broadcast(s.tx1); err != nil {
		t.Fatalf("broadcast tx1: %v", err)
	}
	c.waitInMempool(t, s.tx1.TxHash())
	checkConflictRejected(t, c, s)

	hashes := c.mine(t, 1)
	s.tx1Height, s.tx1Block = uint32(tip+1), *hashes[0]
	select {
	case d := <-spend.Spend:
		if d.SpenderTxHash != s.tx1.TxHash() || d.SpendingHeight != s.tx1Height ||
			d.SpenderInIndex != 0 || d.SpentOutPoint != s.cb.op || d.SpendingTx == nil {
			t.Fatalf("spend detail %+v; want spender %s at height %d input 0",
				d, s.tx1.TxHash(), s.tx1Height)
		}
	case <-time.After(eventWait):
		t.Fatalf("no spend of %v within %v", s.cb.op, eventWait)
	}
	assertNoConf(t, conf, "after 1 block")
	c.mine(t, 1)
	c.settle(t, tip+2)
	assertNoConf(t, conf, "after 2 blocks")
	c.mine(t, 1)
	select {
	case got := <-conf.Confirmed:
		checkConf(t, got, s.tx1, s.tx1Height, s.tx1Block, 1)
	case <-time.After(eventWait):
		t.Fatalf("no confirmation of tx1 after 3 blocks within %v", eventWait)
	}
}

// checkConflictRejected broadcasts a second spend of the coinbase tx1
// spends while tx1 sits in btcd's mempool: btcd answers with a reject
// ("already spent"), which neutrino maps to pushtx.Invalid and returns.
func checkConflictRejected(t *testing.T, c *chainWatch, s *watchState) {
	_, other := newP2WPKH(t)
	conflict := spendTo(t, s.cb, other, 20_000)
	err := c.n.Broadcast(conflict)
	var be *pushtx.BroadcastError
	if !errors.As(err, &be) || be.Code != pushtx.Invalid {
		t.Fatalf("broadcast of a mempool conflict: err %v; want a pushtx.Invalid BroadcastError", err)
	}
	t.Logf("mempool conflict rejected: %v", err)
}

func assertNoConf(t *testing.T, ev *chain.ConfEvent, when string) {
	t.Helper()
	select {
	case got := <-ev.Confirmed:
		t.Fatalf("confirmation delivered %s: %+v", when, got)
	default:
	}
}

func checkConf(t *testing.T, got chain.TxConfirmation, tx *wire.MsgTx, height uint32,
	block chainhash.Hash, index uint32) {
	t.Helper()
	if got.BlockHeight != height || got.BlockHash != block || got.TxIndex != index ||
		got.Tx == nil || got.Tx.TxHash() != tx.TxHash() {
		t.Fatalf("confirmation at height %d block %s index %d; want height %d block %s index %d tx %s",
			got.BlockHeight, got.BlockHash, got.TxIndex, height, block, index, tx.TxHash())
	}
}

func stepHistoricalConfirmation(t *testing.T, c *chainWatch, s *watchState) {
	conf, err := c.n.RegisterConfirmations(chain.ConfRequest{Txid: s.tx1.TxHash(),
		PkScript: s.s1, NumConfs: 2, HeightHint: s.tx1Height - 40})
	if err != nil {
		t.Fatalf("register confirmations: %v", err)
	}
	defer conf.Cancel()
	select {
	case got := <-conf.Confirmed:
		checkConf(t, got, s.tx1, s.tx1Height, s.tx1Block, 1)
	case <-time.After(eventWait):
		t.Fatalf("historical confirmation of tx1 not delivered within %v", eventWait)
	}
}

func stepRescan(t *testing.T, c *chainWatch, s *watchState) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s.rescanFrom = s.tx1Height - 10
	got, err := c.n.Rescan(ctx, chain.RescanRequest{Scripts: [][]byte{s.s1}, From: s.rescanFrom})
	if err != nil {
		t.Fatalf("rescan: %v", err)
	}
	if len(got) != 1 || got[0].Tx.TxHash() != s.tx1.TxHash() ||
		got[0].BlockHeight != s.tx1Height || got[0].BlockHash != s.tx1Block {
		t.Fatalf("rescan for S1 found %s; want tx1 at %d", describeMatches(got), s.tx1Height)
	}

	_, s2 := newP2WPKH(t)
	s.s2 = s2
	s.tx2 = spendTo(t, s.key1, s2, 10_000)
	tip := c.height(t)
	registerTx2Watches(t, c, s, uint32(tip))
	if err := c.n.Broadcast(s.tx2); err != nil {
		t.Fatalf("broadcast tx2: %v", err)
	}
	c.waitInMempool(t, s.tx2.TxHash())
	hashes := c.mine(t, 1)
	s.tx2Height = uint32(tip + 1)

	got, err = c.n.Rescan(ctx, chain.RescanRequest{Scripts: [][]byte{s.s1}, From: s.rescanFrom})
	if err != nil {
		t.Fatalf("rescan after tx2: %v", err)
	}
	if len(got) != 2 || got[0].Tx.TxHash() != s.tx1.TxHash() ||
		got[1].Tx.TxHash() != s.tx2.TxHash() || got[1].BlockHash != *hashes[0] ||
		got[1].BlockHeight != s.tx2Height {
		t.Fatalf("rescan for S1 found %s; want tx1 at %d and tx2 at %d",
			describeMatches(got), s.tx1Height, s.tx2Height)
	}
}

// registerTx2Watches watches tx2's confirmation and the spend of tx1's
// output before tx2 is broadcast; the reorg step uses and cancels both.
func registerTx2Watches(t *testing.T, c *chainWatch, s *watchState, tip uint32) {
	var err error
	s.conf2Ev, err = c.n.RegisterConfirmations(chain.ConfRequest{Txid: s.tx2.TxHash(),
		PkScript: s.s2, NumConfs: 1, HeightHint: tip})
	if err != nil {
		t.Fatalf("register tx2 confirmations: %v", err)
	}
	s.spend1Ev, err = c.n.RegisterSpend(chain.SpendRequest{OutPoint: s.key1.op,
		PkScript: s.s1, HeightHint: tip})
	if err != nil {
		t.Fatalf("register spend of tx1's output: %v", err)
	}
}

func describeMatches(ms []chain.TxMatch) string {
	parts := make([]string, len(ms))
	for i, m := range ms {
		parts[i] = fmt.Sprintf("%s@%d", m.Tx.TxHash(), m.BlockHeight)
	}
	return "[" + strings.Join(parts, ", ") + "]"
}
