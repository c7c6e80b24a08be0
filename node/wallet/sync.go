package wallet

import (
	"context"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/keys"
	"lnwasm/node/store"
)

// Sync scans from the last synced height (or the birthday) to the tip for
// payments to our scripts and spends of our outputs, and stores what it
// finds in one transaction. When a payment lands on an index near the edge
// of the watched window, the window grows and the scan repeats, as a BIP44
// restore must.
func (w *Wallet) Sync(ctx context.Context) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	tip, err := w.cfg.Chain.BestBlock()
	if err != nil {
		return fmt.Errorf("wallet sync: %w", err)
	}
	var sc scan
	err = w.cfg.Store.View(func(tx store.Tx) error {
		var err error
		if sc.st, err = loadState(tx); err != nil {
			return err
		}
		if sc.utxos, err = loadUTXOs(tx); err != nil {
			return err
		}
		sc.txs = map[chainhash.Hash]TxRecord{}
		stored, err := loadTxs(tx)
		for _, r := range stored {
			sc.txs[r.Txid] = r
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("wallet sync: %w", err)
	}
	from := sc.st.synced + 1
	if sc.st.synced == 0 && w.cfg.Birthday > 0 {
		from = w.cfg.Birthday
	}
	if from > tip.Height {
		return nil
	}
	// The scan talks to the network; the store is written once, after.
	sc.index()
	for {
		grew, err := w.scanOnce(ctx, &sc, from)
		if err != nil {
			return fmt.Errorf("wallet sync from %d: %w", from, err)
		}
		if !grew {
			break
		}
	}
	sc.st.synced = tip.Height
	return w.cfg.Store.Update(func(tx store.Tx) error {
		for _, r := range sc.txs {
			if err := putTx(tx, r); err != nil {
				return err
			}
		}
		for op := range sc.changed {
			if err := putUTXO(tx, sc.mine[op]); err != nil {
				return err
			}
		}
		return sc.st.save(tx)
	})
}

// scan is one sync's working copy of the wallet's state.
type scan struct {
	st      state
	utxos   []UTXO
	mine    map[wire.OutPoint]UTXO
	changed map[wire.OutPoint]bool
	txs     map[chainhash.Hash]TxRecord
}

func (sc *scan) index() {
	sc.mine, sc.changed = map[wire.OutPoint]UTXO{}, map[wire.OutPoint]bool{}
	for _, u := range sc.utxos {
		sc.mine[u.OutPoint] = u
	}
}

func (sc *scan) set(u UTXO) {
	sc.mine[u.OutPoint] = u
	sc.changed[u.OutPoint] = true
}

// scanOnce rescans from `from` with the current window and applies the
// matches; it reports whether the window grew (so the caller scans again).
func (w *Wallet) scanOnce(ctx context.Context, sc *scan, from uint32) (bool, error) {
	window := sc.st.next
	for k := range window {
		for b := range window[k] {
			window[k][b] += w.cfg.GapLimit
		}
	}
	scripts, err := w.watchScripts(window)
	if err != nil {
		return false, err
	}
	var ops []wire.OutPoint
	for op, u := range sc.mine {
		if u.SpentHeight == 0 || u.SpentHeight >= leasedSpend {
			ops = append(ops, op)
		}
	}
	matches, err := w.cfg.Chain.Rescan(ctx, chain.RescanRequest{Scripts: scripts, OutPoints: ops, From: from})
	if err != nil {
		return false, err
	}
	for _, m := range matches {
		w.apply(sc, m)
	}
	for k := range window {
		for b := range window[k] {
			if sc.st.next[k][b]+w.cfg.GapLimit > window[k][b] {
				return true, nil
			}
		}
	}
	return false, nil
}

// watchScripts derives every script in the window of every account and
// indexes them.
func (w *Wallet) watchScripts(window [numKinds][2]uint32) ([][]byte, error) {
	var out [][]byte
	for kind, acct := range w.accounts {
		for _, b := range []keys.Chain{Receive, Change} {
			for i := uint32(0); i < window[kind][b]; i++ {
				s, err := acct.PkScript(b, i)
				if err != nil {
					return nil, fmt.Errorf("derive %s script %d/%d: %w", kind, b, i, err)
				}
				w.scripts[string(s)] = slot{kind, b, i}
				out = append(out, s)
			}
		}
	}
	return out, nil
}

// apply records one matched transaction: our outputs it spends, and the
// outputs it pays us. Re-applying a transaction changes nothing.
func (w *Wallet) apply(sc *scan, m chain.TxMatch) {
	sc.record(m, func(op wire.OutPoint, o *wire.TxOut) bool {
		_, known := w.scripts[string(o.PkScript)]
		return known
	})
	for _, in := range m.Tx.TxIn {
		if u, ok := sc.mine[in.PreviousOutPoint]; ok && (u.SpentHeight == 0 || u.SpentHeight >= leasedSpend) {
			u.SpentHeight = m.BlockHeight
			sc.set(u)
		}
	}
	txid := m.Tx.TxHash()
	for i, out := range m.Tx.TxOut {
		s, ok := w.scripts[string(out.PkScript)]
		if !ok {
			continue
		}
		op := wire.OutPoint{Hash: txid, Index: uint32(i)}
		if u, seen := sc.mine[op]; seen {
			if u.Height == 0 { // our own change, now mined
				u.Height = m.BlockHeight
				sc.set(u)
			}
			continue
		}
		sc.set(UTXO{OutPoint: op, Value: out.Value, PkScript: out.PkScript,
			Height: m.BlockHeight, Kind: s.kind, Branch: s.branch, Index: s.index})
		if s.index >= sc.st.next[s.kind][s.branch] {
			sc.st.next[s.kind][s.branch] = s.index + 1
		}
		w.log.Info("wallet received", "outpoint", op.String(), "sat", out.Value, "height", m.BlockHeight)
	}
}

// Run syncs now and after every block until ctx ends; a disconnected block
// rewinds what it had recorded first.
func (w *Wallet) Run(ctx context.Context) error {
	sub, err := w.cfg.Chain.SubscribeBlocks()
	if err != nil {
		return fmt.Errorf("wallet: %w", err)
	}
	defer sub.Cancel()
	if err := w.Sync(ctx); err != nil {
		w.log.Warn("wallet sync", "err", err)
	}
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case ev, ok := <-sub.Events:
			if !ok {
				return nil
			}
			if ev.Disconnected {
				if err := w.rewind(ev.Block.Height); err != nil {
					return err
				}
			}
			if err := w.Sync(ctx); err != nil {
				w.log.Warn("wallet sync", "err", err)
			}
		}
	}
}

// rewind forgets outputs and spends at or above a disconnected height.
func (w *Wallet) rewind(height uint32) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cfg.Store.Update(func(tx store.Tx) error {
		st, err := loadState(tx)
		if err != nil {
			return err
		}
		utxos, err := loadUTXOs(tx)
		if err != nil {
			return err
		}
		txs, err := loadTxs(tx)
		if err != nil {
			return err
		}
		for _, r := range txs {
			switch {
			case r.Height < height || r.Height == 0:
			case r.Sent:
				r.Height = 0
				err = putTx(tx, r)
			default:
				err = tx.Delete(bucketTxs, r.Txid[:])
			}
			if err != nil {
				return err
			}
		}
		for _, u := range utxos {
			switch {
			case u.Height >= height:
				err = tx.Delete(bucketUTXOs, u.key())
			case u.SpentHeight >= height && u.SpentHeight < leasedSpend:
				u.SpentHeight = 0
				err = putUTXO(tx, u)
			}
			if err != nil {
				return err
			}
		}
		if st.synced >= height {
			st.synced = height - 1
		}
		return st.save(tx)
	})
}
