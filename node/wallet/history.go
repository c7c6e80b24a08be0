package wallet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"sort"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/store"
)

var bucketTxs = []byte("onchain-txs")

// TxRecord is one transaction that touched the wallet, as lncli
// listchaintxns shows it.
type TxRecord struct {
	Txid   chainhash.Hash
	Height uint32 // 0 while unconfirmed (only our own sends are seen then)
	// AmountSat is the change to our balance: positive received, negative
	// sent (including the fee).
	AmountSat int64
	// FeeSat is known when every input was ours.
	FeeSat int64
	// Sent marks transactions we built; a reorg returns them to pending
	// rather than forgetting them.
	Sent bool
}

func (r TxRecord) value() []byte {
	v := binary.BigEndian.AppendUint32(nil, r.Height)
	v = binary.BigEndian.AppendUint64(v, uint64(r.AmountSat))
	v = binary.BigEndian.AppendUint64(v, uint64(r.FeeSat))
	if r.Sent {
		return append(v, 1)
	}
	return append(v, 0)
}

func decodeTxRecord(k, v []byte) (TxRecord, error) {
	if len(k) != chainhash.HashSize || len(v) != 21 {
		return TxRecord{}, errors.New("malformed stored transaction record")
	}
	var r TxRecord
	copy(r.Txid[:], k)
	r.Height = binary.BigEndian.Uint32(v)
	r.AmountSat = int64(binary.BigEndian.Uint64(v[4:]))
	r.FeeSat = int64(binary.BigEndian.Uint64(v[12:]))
	r.Sent = v[20] == 1
	return r, nil
}

func putTx(tx store.Tx, r TxRecord) error { return tx.Put(bucketTxs, r.Txid[:], r.value()) }

func loadTxs(tx store.Tx) ([]TxRecord, error) {
	var out []TxRecord
	err := tx.ForEach(bucketTxs, func(k, v []byte) error {
		r, err := decodeTxRecord(k, v)
		if err != nil {
			return fmt.Errorf("tx %x: %w", k, err)
		}
		out = append(out, r)
		return nil
	})
	return out, err
}

// ListTransactions returns the wallet's history, newest first (pending on
// top).
func (w *Wallet) ListTransactions() ([]TxRecord, error) {
	var out []TxRecord
	err := w.cfg.Store.View(func(tx store.Tx) error {
		var err error
		out, err = loadTxs(tx)
		return err
	})
	sort.SliceStable(out, func(i, j int) bool {
		hi, hj := out[i].Height, out[j].Height
		if hi == 0 || hj == 0 {
			return hi == 0 && hj != 0
		}
		return hi > hj
	})
	return out, err
}

// record notes how a matched transaction moved our balance. It runs before
// apply marks the inputs spent, so it still sees their values.
func (sc *scan) record(m chain.TxMatch, ours func(wire.OutPoint, *wire.TxOut) bool) {
	txid := m.Tx.TxHash()
	r, known := sc.txs[txid]
	if known && r.Height != 0 {
		return
	}
	var in, allIn, out int64
	mineAll := true
	for _, ti := range m.Tx.TxIn {
		if u, ok := sc.mine[ti.PreviousOutPoint]; ok {
			in += u.Value
			allIn += u.Value
		} else {
			mineAll = false
		}
	}
	var total int64
	for i, o := range m.Tx.TxOut {
		total += o.Value
		if ours(wire.OutPoint{Hash: txid, Index: uint32(i)}, o) {
			out += o.Value
		}
	}
	r.Txid, r.Height = txid, m.BlockHeight
	if !known {
		r.AmountSat = out - in
		if mineAll && len(m.Tx.TxIn) > 0 {
			r.FeeSat = allIn - total
		}
	}
	sc.txs[txid] = r
}
