package chain

import (
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"
)

// catchUp scans every watch to the tip and delivers what became due. Each
// step scans the height just above the most lagging watch, for the watches
// that stand right below it, so a watch registered while a scan is under way
// starts from its own hint instead of joining the scan where it stands and
// skipping the blocks in between.
func (w *watcher) catchUp(quit <-chan struct{}) {
	tip, err := w.src.BestBlock()
	if err != nil {
		w.log.Warn("watcher: best block", "err", err)
		return
	}
	for h := w.lowestScanned() + 1; h <= tip.Height; h = w.lowestScanned() + 1 {
		select {
		case <-quit:
			return
		default:
		}
		if err := w.scanHeight(h); err != nil {
			w.log.Warn("watcher: scan", "height", h, "err", err)
			// Try again later rather than skip a block.
			time.AfterFunc(w.retryAfter, w.poke)
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

// dueAt picks the watches that height h comes next for, with their scripts.
// They are picked once, before the unlocked fetches, so a watch registered
// meanwhile is never marked scanned at h without its script being matched.
func (w *watcher) dueAt(h uint32) ([]*confWatch, []*spendWatch, [][]byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	var confs []*confWatch
	var spends []*spendWatch
	var scripts [][]byte
	for _, c := range w.confs {
		if c.found == nil && c.scannedTo+1 == h {
			confs = append(confs, c)
			scripts = append(scripts, c.req.PkScript)
		}
	}
	for _, s := range w.spends {
		if s.found == nil && s.scannedTo+1 == h {
			spends = append(spends, s)
			scripts = append(scripts, s.req.PkScript)
		}
	}
	return confs, spends, scripts
}

// scanHeight checks one block against the watches due at it: the filter
// first, the full block only when the filter matches.
func (w *watcher) scanHeight(h uint32) error {
	confs, spends, scripts := w.dueAt(h)
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
	for _, c := range confs {
		c.found = findTx(blk, c.req.Txid, hash, h)
		c.scannedTo = h
	}
	for _, s := range spends {
		s.found = findSpend(blk, s.req.OutPoint, h)
		s.scannedTo = h
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
