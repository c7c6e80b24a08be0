package wallet

import (
	"bytes"

	"lnwasm/node/store"
)

var bucketRaw = []byte("onchain-raw")

// recordPending marks the inputs spent by our unconfirmed transaction and
// stores its change as an unconfirmed output, in one transaction.
func (w *Wallet) recordPending(p plan) error {
	var in, out int64
	for _, u := range p.inputs {
		in += u.Value
	}
	for _, o := range p.tx.TxOut {
		out += o.Value
	}
	var change int64
	if p.change != nil {
		change = p.change.Value
	}
	rec := TxRecord{Txid: p.tx.TxHash(), AmountSat: change - in, FeeSat: in + p.foreignIn - out, Sent: true}
	var raw bytes.Buffer
	if err := p.tx.Serialize(&raw); err != nil {
		return err
	}
	return w.cfg.Store.Update(func(tx store.Tx) error {
		if err := putTx(tx, rec); err != nil {
			return err
		}
		// The raw transaction is kept while it is pending, so a fee bump
		// can rebuild it.
		if err := tx.Put(bucketRaw, rec.Txid[:], raw.Bytes()); err != nil {
			return err
		}
		for _, u := range p.inputs {
			u.SpentHeight = pendingSpend
			if err := putUTXO(tx, u); err != nil {
				return err
			}
		}
		if p.change == nil {
			return nil
		}
		st, err := loadState(tx)
		if err != nil {
			return err
		}
		k := p.change.Kind
		if p.change.Index >= st.next[k][Change] {
			st.next[k][Change] = p.change.Index + 1
		}
		if err := putUTXO(tx, *p.change); err != nil {
			return err
		}
		return st.saveIndices(tx)
	})
}

// releasePending undoes recordPending after a failed broadcast.
func (w *Wallet) releasePending(p plan) error {
	return w.cfg.Store.Update(func(tx store.Tx) error {
		for _, u := range p.inputs {
			u.SpentHeight = 0
			if err := putUTXO(tx, u); err != nil {
				return err
			}
		}
		if err := tx.Delete(bucketTxs, txidOf(p)); err != nil {
			return err
		}
		if err := tx.Delete(bucketRaw, txidOf(p)); err != nil {
			return err
		}
		if p.change != nil {
			return tx.Delete(bucketUTXOs, p.change.key())
		}
		return nil
	})
}

func txidOf(p plan) []byte {
	h := p.tx.TxHash()
	return h[:]
}
