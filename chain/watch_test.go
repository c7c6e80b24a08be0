package chain

import (
	"errors"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"
)

// step runs one watcher pass, as a block event or a registration would.
func step(n *Neutrino) { n.watch.catchUp(make(chan struct{})) }

func mustConf(t *testing.T, n *Neutrino, req ConfRequest) *ConfEvent {
	t.Helper()
	ev, err := n.RegisterConfirmations(req)
	if err != nil {
		t.Fatalf("register confirmations: %v", err)
	}
	return ev
}

func mustSpend(t *testing.T, n *Neutrino, req SpendRequest) *SpendEvent {
	t.Helper()
	ev, err := n.RegisterSpend(req)
	if err != nil {
		t.Fatalf("register spend: %v", err)
	}
	return ev
}

func gotConf(t *testing.T, ev *ConfEvent) (TxConfirmation, bool) {
	t.Helper()
	select {
	case c := <-ev.Confirmed:
		return c, true
	default:
		return TxConfirmation{}, false
	}
}

func signalled(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

func TestWatchConfirmationDepth(t *testing.T) {
	f := newFakeChain(10)
	n := testBackend(f)
	tx := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptA)
	ev := mustConf(t, n, ConfRequest{Txid: tx.TxHash(), PkScript: scriptA, NumConfs: 3, HeightHint: 10})
	step(n)
	h := f.mine(testTx([]wire.OutPoint{outpoint(2, 0)}, scriptB), tx)
	for i := range 2 {
		step(n)
		if c, ok := gotConf(t, ev); ok {
			t.Fatalf("delivered with %d confirmations: %+v", i+1, c)
		}
		f.mine()
	}
	step(n)
	c, ok := gotConf(t, ev)
	if !ok || c.BlockHeight != h || c.BlockHash != f.hashAt(h) || c.TxIndex != 2 || c.Tx.TxHash() != tx.TxHash() {
		t.Fatalf("after 3 confirmations got %+v, %v; want height %d index 2", c, ok, h)
	}
	f.mine()
	step(n)
	if c, ok := gotConf(t, ev); ok {
		t.Fatalf("delivered twice: %+v", c)
	}
}

func TestWatchHistoricalConfirmation(t *testing.T) {
	f := newFakeChain(3)
	tx := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptA)
	h := f.mine(tx)
	for range 20 {
		f.mine()
	}
	n := testBackend(f)
	ev := mustConf(t, n, ConfRequest{Txid: tx.TxHash(), PkScript: scriptA, NumConfs: 6, HeightHint: 2})
	step(n)
	if c, ok := gotConf(t, ev); !ok || c.BlockHeight != h {
		t.Fatalf("historical confirmation: got %+v, %v; want height %d", c, ok, h)
	}
}

// TestWatchFilterFalsePositive: a block whose filter matches the script but
// holds another transaction does not confirm the watched one.
func TestWatchFilterFalsePositive(t *testing.T) {
	f := newFakeChain(5)
	n := testBackend(f)
	tx := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptA)
	ev := mustConf(t, n, ConfRequest{Txid: tx.TxHash(), PkScript: scriptA, NumConfs: 1, HeightHint: 5})
	f.mine(testTx([]wire.OutPoint{outpoint(3, 0)}, scriptA)) // a decoy paying the same script
	step(n)
	if c, ok := gotConf(t, ev); ok {
		t.Fatalf("decoy confirmed the watched tx: %+v", c)
	}
	h := f.mine(tx)
	step(n)
	if c, ok := gotConf(t, ev); !ok || c.BlockHeight != h {
		t.Fatalf("got %+v, %v; want height %d", c, ok, h)
	}
}

func TestWatchSpendReorg(t *testing.T) {
	f := newFakeChain(10)
	n := testBackend(f)
	op := outpoint(4, 1)
	f.prevOut[op] = scriptB
	ev := mustSpend(t, n, SpendRequest{OutPoint: op, PkScript: scriptB, HeightHint: 8})
	spender := testTx([]wire.OutPoint{outpoint(5, 0), op}, scriptC)
	h := f.mine(spender)
	step(n)
	select {
	case d := <-ev.Spend:
		if d.SpenderTxHash != spender.TxHash() || d.SpenderInIndex != 1 || d.SpendingHeight != h || d.SpentOutPoint != op {
			t.Fatalf("spend detail %+v; want input 1 of %s at %d", d, spender.TxHash(), h)
		}
	default:
		t.Fatal("spend not delivered")
	}
	f.reorg(h)
	n.watch.rewind(h)
	if !signalled(ev.Reorged) {
		t.Fatal("no reorg signal after the spending block was disconnected")
	}
	f.mine()
	f.mine()
	step(n)
	select {
	case d := <-ev.Spend:
		t.Fatalf("spend delivered from a chain without it: %+v", d)
	default:
	}
	h2 := f.mine(spender)
	step(n)
	select {
	case d := <-ev.Spend:
		if d.SpendingHeight != h2 {
			t.Fatalf("re-mined spend at %d, want %d", d.SpendingHeight, h2)
		}
	default:
		t.Fatal("re-mined spend not delivered")
	}
}

// TestWatchConfReorg: a reorg announces only a confirmation the caller has
// seen, and the re-mined transaction is confirmed again in its new block.
func TestWatchConfReorg(t *testing.T) {
	f := newFakeChain(10)
	n := testBackend(f)
	tx := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptA)
	ev := mustConf(t, n, ConfRequest{Txid: tx.TxHash(), PkScript: scriptA, NumConfs: 2, HeightHint: 10})
	h := f.mine(tx)
	step(n) // found at one confirmation: not delivered yet
	f.reorg(h)
	n.watch.rewind(h)
	if signalled(ev.Reorged) {
		t.Fatal("reorg signalled for a confirmation never delivered")
	}
	f.mine()
	h = f.mine(tx)
	f.mine()
	step(n)
	c, ok := gotConf(t, ev)
	if !ok || c.BlockHeight != h || c.BlockHash != f.hashAt(h) {
		t.Fatalf("got %+v, %v; want height %d in the new branch", c, ok, h)
	}
	f.reorg(h)
	n.watch.rewind(h)
	if !signalled(ev.Reorged) {
		t.Fatal("no reorg signal for a delivered confirmation")
	}
	h = f.mine(tx)
	f.mine()
	step(n)
	if c, ok := gotConf(t, ev); !ok || c.BlockHash != f.hashAt(h) {
		t.Fatalf("after the second reorg got %+v, %v; want block %s", c, ok, f.hashAt(h))
	}
}

// TestWatchRegisteredDuringScan registers a watch with an old hint while a
// pass scans far above it: the watch must still get its history scanned.
func TestWatchRegisteredDuringScan(t *testing.T) {
	f := newFakeChain(2)
	old := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptB)
	h := f.mine(old)
	for range 10 {
		f.mine()
	}
	n := testBackend(f)
	mustConf(t, n, ConfRequest{Txid: outpoint(9, 9).Hash, PkScript: scriptA, NumConfs: 1, HeightHint: 1})
	var late *ConfEvent
	f.onFilter = func(at uint32) {
		if at == 9 && late == nil {
			late = mustConf(t, n, ConfRequest{Txid: old.TxHash(), PkScript: scriptB, NumConfs: 1, HeightHint: 2})
		}
	}
	step(n)
	if late == nil {
		t.Fatal("the scan never reached height 9")
	}
	if c, ok := gotConf(t, late); !ok || c.BlockHeight != h {
		t.Fatalf("watch registered mid-scan: got %+v, %v; want height %d", c, ok, h)
	}
}

func TestWatchScanErrorRetries(t *testing.T) {
	f := newFakeChain(10)
	n := testBackend(f)
	tx := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptA)
	h := f.mine(tx)
	ev := mustConf(t, n, ConfRequest{Txid: tx.TxHash(), PkScript: scriptA, NumConfs: 1, HeightHint: 5})
	select {
	case <-n.watch.kick: // drain the registration's poke
	default:
		t.Fatal("registration did not poke the watcher")
	}
	f.failAt[h] = errors.New("peer went away")
	n.watch.retryAfter = time.Millisecond
	step(n)
	if _, ok := gotConf(t, ev); ok {
		t.Fatal("delivered although the block's filter could not be read")
	}
	select {
	case <-n.watch.kick:
	case <-time.After(time.Second):
		t.Fatal("a failed scan did not schedule another pass")
	}
	delete(f.failAt, h)
	step(n)
	if c, ok := gotConf(t, ev); !ok || c.BlockHeight != h {
		t.Fatalf("after the retry got %+v, %v; want height %d", c, ok, h)
	}
}

func TestWatchCancelAndValidation(t *testing.T) {
	f := newFakeChain(3)
	n := testBackend(f)
	tx := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptA)
	ev := mustConf(t, n, ConfRequest{Txid: tx.TxHash(), PkScript: scriptA, HeightHint: 3})
	sp := mustSpend(t, n, SpendRequest{OutPoint: outpoint(1, 0), PkScript: scriptB, HeightHint: 3})
	ev.Cancel()
	sp.Cancel()
	f.mine(tx)
	step(n)
	if len(n.watch.confs)+len(n.watch.spends) != 0 {
		t.Fatalf("cancelled watches still registered: %d confs, %d spends", len(n.watch.confs), len(n.watch.spends))
	}
	if _, ok := gotConf(t, ev); ok {
		t.Fatal("a cancelled watch was delivered")
	}
	if _, err := n.RegisterConfirmations(ConfRequest{Txid: tx.TxHash()}); !errors.Is(err, errNoScript) {
		t.Errorf("confirmations without a script: err %v, want errNoScript", err)
	}
	if _, err := n.RegisterSpend(SpendRequest{OutPoint: outpoint(1, 0)}); !errors.Is(err, errNoScript) {
		t.Errorf("spend without a script: err %v, want errNoScript", err)
	}
}

// TestWatchRunLoop drives the event loop: a connected block delivers, a
// disconnected one rewinds, quit ends it.
func TestWatchRunLoop(t *testing.T) {
	f := newFakeChain(10)
	n := testBackend(f)
	events := make(chan BlockEvent)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		n.watch.run(&BlockSubscription{Events: events, Cancel: func() {}}, quit)
	}()
	tx := testTx([]wire.OutPoint{outpoint(1, 0)}, scriptA)
	ev := mustConf(t, n, ConfRequest{Txid: tx.TxHash(), PkScript: scriptA, NumConfs: 1, HeightHint: 10})
	h := f.mine(tx)
	events <- BlockEvent{Block: BlockStamp{Height: h}}
	select {
	case <-ev.Confirmed:
	case <-time.After(5 * time.Second):
		t.Fatal("no confirmation after a connected block")
	}
	f.reorg(h)
	f.mine()
	events <- BlockEvent{Block: BlockStamp{Height: h}, Disconnected: true}
	select {
	case <-ev.Reorged:
	case <-time.After(5 * time.Second):
		t.Fatal("no reorg signal after a disconnected block")
	}
	close(quit)
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("run did not return after quit")
	}
}
