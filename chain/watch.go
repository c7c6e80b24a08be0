package chain

import (
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// watcher serves RegisterConfirmations and RegisterSpend. Every watch keeps
// the height it has scanned to; any event (a new block, a reorg, a new
// watch) makes the watcher scan each watch up to the tip, so history and new
// blocks go through the same code.
type watcher struct {
	src  blockSource
	log  *slog.Logger
	kick chan struct{}
	// retryAfter spaces out passes after a failed scan, so an error that
	// returns at once (no peer) does not spin the worker's only core.
	retryAfter time.Duration

	mu     sync.Mutex
	nextID uint64
	confs  map[uint64]*confWatch
	spends map[uint64]*spendWatch
}

// blockSource is what the watcher reads from the chain. *Neutrino is the one
// implementation; the interface lets unit tests drive the watcher with a
// chain held in memory.
type blockSource interface {
	BestBlock() (BlockStamp, error)
	blockAt(height uint32) (chainhash.Hash, error)
	filterMatches(hash chainhash.Hash, scripts [][]byte) (bool, error)
	block(hash chainhash.Hash) (*wire.MsgBlock, error)
}

type confWatch struct {
	req       ConfRequest
	scannedTo uint32 // last height whose filter was checked
	found     *TxConfirmation
	delivered bool
	confirmed chan TxConfirmation
	reorged   chan struct{}
}

type spendWatch struct {
	req       SpendRequest
	scannedTo uint32
	found     *SpendDetail
	delivered bool
	spend     chan SpendDetail
	reorged   chan struct{}
}

func newWatcher(src blockSource, log *slog.Logger) *watcher {
	return &watcher{
		src: src, log: log, kick: make(chan struct{}, 1), retryAfter: time.Second,
		confs: map[uint64]*confWatch{}, spends: map[uint64]*spendWatch{},
	}
}

// RegisterConfirmations starts watching for a transaction's confirmations.
func (n *Neutrino) RegisterConfirmations(req ConfRequest) (*ConfEvent, error) {
	if len(req.PkScript) == 0 {
		return nil, fmt.Errorf("register confirmations of %s: %w", req.Txid, errNoScript)
	}
	if req.NumConfs == 0 {
		req.NumConfs = 1
	}
	w := &confWatch{req: req, scannedTo: below(req.HeightHint),
		confirmed: make(chan TxConfirmation, 1), reorged: make(chan struct{}, 1)}
	id := n.watch.add(func(id uint64) { n.watch.confs[id] = w })
	return &ConfEvent{Confirmed: w.confirmed, Reorged: w.reorged,
		Cancel: func() { n.watch.remove(func() { delete(n.watch.confs, id) }) }}, nil
}

// RegisterSpend starts watching for the spend of an outpoint.
func (n *Neutrino) RegisterSpend(req SpendRequest) (*SpendEvent, error) {
	if len(req.PkScript) == 0 {
		return nil, fmt.Errorf("register spend of %v: %w", req.OutPoint, errNoScript)
	}
	w := &spendWatch{req: req, scannedTo: below(req.HeightHint),
		spend: make(chan SpendDetail, 1), reorged: make(chan struct{}, 1)}
	id := n.watch.add(func(id uint64) { n.watch.spends[id] = w })
	return &SpendEvent{Spend: w.spend, Reorged: w.reorged,
		Cancel: func() { n.watch.remove(func() { delete(n.watch.spends, id) }) }}, nil
}

// errNoScript refuses a watch without an output script: compact filters
// match scripts only, so such a watch could never fire.
var errNoScript = errors.New("an output script is required: compact filters match by script")

// below is the height before hint: where a scan that starts at hint stands.
func below(hint uint32) uint32 {
	if hint == 0 {
		return 0
	}
	return hint - 1
}

func (w *watcher) add(put func(id uint64)) uint64 {
	w.mu.Lock()
	w.nextID++
	id := w.nextID
	put(id)
	w.mu.Unlock()
	w.poke()
	return id
}

func (w *watcher) remove(del func()) {
	w.mu.Lock()
	del()
	w.mu.Unlock()
}

func (w *watcher) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// run processes block events and new watches until quit closes.
func (w *watcher) run(sub *BlockSubscription, quit <-chan struct{}) {
	defer sub.Cancel()
	for {
		select {
		case ev, ok := <-sub.Events:
			if !ok {
				return
			}
			if ev.Disconnected {
				w.rewind(ev.Block.Height)
			}
		case <-w.kick:
		case <-quit:
			return
		}
		w.catchUp(quit)
	}
}

// rewind forgets everything found at or above a disconnected height. Only a
// finding already delivered is announced on Reorged: the caller never saw
// the others, and a stale signal left in the channel would later read as the
// reorg of a confirmation delivered after it.
func (w *watcher) rewind(height uint32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.confs {
		c.scannedTo = min(c.scannedTo, below(height))
		if c.found != nil && c.found.BlockHeight >= height {
			if c.delivered {
				notify(c.reorged)
			}
			c.found, c.delivered = nil, false
		}
	}
	for _, s := range w.spends {
		s.scannedTo = min(s.scannedTo, below(height))
		if s.found != nil && s.found.SpendingHeight >= height {
			if s.delivered {
				notify(s.reorged)
			}
			s.found, s.delivered = nil, false
		}
	}
}

func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// deliver sends confirmations that reached their depth and spends found.
// Channels have room for one value and each finding is sent once; a value
// that does not fit (the caller has not read the previous one) is tried again
// on the next pass. Watches stay registered after delivery, until Cancel, so
// a reorg that undoes what they reported can still be announced.
func (w *watcher) deliver(tip uint32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.confs {
		if c.found != nil && !c.delivered && tip+1 >= c.found.BlockHeight+c.req.NumConfs {
			c.delivered = trySend(c.confirmed, *c.found)
		}
	}
	for _, s := range w.spends {
		if s.found != nil && !s.delivered {
			s.delivered = trySend(s.spend, *s.found)
		}
	}
}

func trySend[T any](ch chan T, v T) bool {
	select {
	case ch <- v:
		return true
	default:
		return false
	}
}
