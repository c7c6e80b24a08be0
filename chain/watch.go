package chain

import (
	"log/slog"
	"sync"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// watcher serves RegisterConfirmations and RegisterSpend. Every watch keeps
// the height it has scanned to; any event (a new block, a reorg, a new
// watch) makes the watcher scan each watch up to the tip, so history and new
// blocks go through the same code.
type watcher struct {
	src  *Neutrino
	log  *slog.Logger
	kick chan struct{}

	mu     sync.Mutex
	nextID uint64
	confs  map[uint64]*confWatch
	spends map[uint64]*spendWatch
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
	spend     chan SpendDetail
	reorged   chan struct{}
}

func newWatcher(src *Neutrino, log *slog.Logger) *watcher {
	return &watcher{
		src: src, log: log, kick: make(chan struct{}, 1),
		confs: map[uint64]*confWatch{}, spends: map[uint64]*spendWatch{},
	}
}

// RegisterConfirmations starts watching for a transaction's confirmations.
func (n *Neutrino) RegisterConfirmations(req ConfRequest) (*ConfEvent, error) {
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
	w := &spendWatch{req: req, scannedTo: below(req.HeightHint),
		spend: make(chan SpendDetail, 1), reorged: make(chan struct{}, 1)}
	id := n.watch.add(func(id uint64) { n.watch.spends[id] = w })
	return &SpendEvent{Spend: w.spend, Reorged: w.reorged,
		Cancel: func() { n.watch.remove(func() { delete(n.watch.spends, id) }) }}, nil
}

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
			w.log.Debug("DBG watcher event", "ev", ev)
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

// rewind forgets everything found at or above a disconnected height.
func (w *watcher) rewind(height uint32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for id, c := range w.confs {
		w.log.Debug("DBG rewind conf", "id", id, "found", c.found != nil, "scannedTo", c.scannedTo)
		if c.scannedTo >= height {
			c.scannedTo = height - 1
		}
		if c.found != nil && c.found.BlockHeight >= height {
			c.found, c.delivered = nil, false
			notify(c.reorged)
		}
	}
	for _, s := range w.spends {
		if s.scannedTo >= height {
			s.scannedTo = height - 1
		}
		if s.found != nil && s.found.SpendingHeight >= height {
			s.found = nil
			notify(s.reorged)
		}
	}
}

func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// catchUp scans every watch to the tip and delivers what became due.
func (w *watcher) catchUp(quit <-chan struct{}) {
	tip, err := w.src.BestBlock()
	if err != nil {
		w.log.Warn("watcher: best block", "err", err)
		return
	}
	for h := w.lowestScanned() + 1; h <= tip.Height; h++ {
		select {
		case <-quit:
			return
		default:
		}
		if err := w.scanHeight(h); err != nil {
			w.log.Warn("watcher: scan", "height", h, "err", err)
			w.poke() // try again on the next event rather than skip a block
			return
		}
	}
	w.deliver(tip.Height)
}

// lowestScanned is where the most lagging watch stands (the tip if none).
func (w *watcher) lowestScanned() uint32 {
	w.mu.Lock()
	defer w.mu.Unlock()
	low := ^uint32(0)
	for _, c := range w.confs {
		if c.found == nil && c.scannedTo < low {
			low = c.scannedTo
		}
	}
	for _, s := range w.spends {
		if s.found == nil && s.scannedTo < low {
			low = s.scannedTo
		}
	}
	if low == ^uint32(0) {
		low = ^uint32(0) - 1 // nothing to scan
	}
	return low
}

// scanHeight checks one block against every watch that has not passed it.
func (w *watcher) scanHeight(h uint32) error {
	w.mu.Lock()
	var scripts [][]byte
	for _, c := range w.confs {
		if c.found == nil && c.scannedTo < h {
			scripts = append(scripts, c.req.PkScript)
		}
	}
	for _, s := range w.spends {
		if s.found == nil && s.scannedTo < h {
			scripts = append(scripts, s.req.PkScript)
		}
	}
	w.mu.Unlock()
	if len(scripts) == 0 {
		return nil
	}
	hash, err := w.src.blockAt(h)
	if err != nil {
		return err
	}
	var blk *wire.MsgBlock
	if ok, err := w.src.filterMatches(hash, scripts); err != nil {
		return err
	} else if ok {
		if blk, err = w.src.block(hash); err != nil {
			return err
		}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.confs {
		if c.found == nil && c.scannedTo < h {
			c.found = findTx(blk, c.req.Txid, hash, h)
			c.scannedTo = h
		}
	}
	for _, s := range w.spends {
		if s.found == nil && s.scannedTo < h {
			s.found = findSpend(blk, s.req.OutPoint, h)
			s.scannedTo = h
		}
	}
	return nil
}

func findTx(blk *wire.MsgBlock, txid, hash chainhash.Hash, h uint32) *TxConfirmation {
	if blk == nil {
		return nil
	}
	for i, tx := range blk.Transactions {
		if tx.TxHash() == txid {
			return &TxConfirmation{BlockHash: hash, BlockHeight: h, TxIndex: uint32(i), Tx: tx}
		}
	}
	return nil
}

func findSpend(blk *wire.MsgBlock, op wire.OutPoint, h uint32) *SpendDetail {
	if blk == nil {
		return nil
	}
	for _, tx := range blk.Transactions {
		for i, in := range tx.TxIn {
			if in.PreviousOutPoint == op {
				return &SpendDetail{SpentOutPoint: op, SpenderTxHash: tx.TxHash(),
					SpendingTx: tx, SpenderInIndex: uint32(i), SpendingHeight: h}
			}
		}
	}
	return nil
}

// deliver sends confirmations that reached their depth and spends found.
// Channels have room for one value, and each is sent once per finding.
func (w *watcher) deliver(tip uint32) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, c := range w.confs {
		if c.found != nil && !c.delivered && tip+1 >= c.found.BlockHeight+c.req.NumConfs {
			select {
			case c.confirmed <- *c.found:
				c.delivered = true
			default:
			}
		}
	}
	for id, s := range w.spends {
		if s.found != nil {
			select {
			case s.spend <- *s.found:
				delete(w.spends, id)
			default:
			}
		}
	}
}
