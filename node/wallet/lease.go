package wallet

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/store"
)

var bucketLeases = []byte("onchain-leases")

// ErrUnknownLease is returned for a lease ID the wallet does not hold.
var ErrUnknownLease = errors.New("unknown lease")

// Lease is a funding transaction in the making: its coins are reserved, so
// no send and no other funding can spend them, until Release or until the
// signed transaction is handed to Publish.
type Lease struct {
	ID     string
	Packet *psbt.Packet // unsigned: the caller may add outputs' details
	FeeSat int64
}

// Fund selects coins for outputs (a channel's funding output), adds change,
// reserves the coins under a lease that survives a reload, and returns the
// unsigned PSBT. The channel engine signs it with SignLease only once it
// holds the peer's signature on its first commitment.
func (w *Wallet) Fund(outputs []*wire.TxOut, rate chain.SatPerKWeight) (Lease, error) {
	if len(outputs) != 1 {
		return Lease{}, errors.New("fund: exactly one output is supported")
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	p, err := w.plan(outputs[0].PkScript, SendRequest{AmountSat: outputs[0].Value}, rate)
	if err != nil {
		return Lease{}, fmt.Errorf("fund: %w", err)
	}
	packet, err := psbt.NewFromUnsignedTx(p.tx)
	if err != nil {
		return Lease{}, fmt.Errorf("fund: %w", err)
	}
	for i, u := range p.inputs {
		packet.Inputs[i].WitnessUtxo = wire.NewTxOut(u.Value, u.PkScript)
	}
	var idb [16]byte
	if _, err := rand.Read(idb[:]); err != nil {
		return Lease{}, fmt.Errorf("fund: %w", err)
	}
	id := hex.EncodeToString(idb[:])
	err = w.cfg.Store.Update(func(tx store.Tx) error {
		var ops []byte
		for _, u := range p.inputs {
			u.SpentHeight = leasedSpend
			if err := putUTXO(tx, u); err != nil {
				return err
			}
			ops = append(ops, u.key()...)
		}
		return tx.Put(bucketLeases, []byte(id), ops)
	})
	if err != nil {
		return Lease{}, fmt.Errorf("fund: reserve coins: %w", err)
	}
	return Lease{ID: id, Packet: packet, FeeSat: p.fee}, nil
}

// leasedSpend marks an output reserved by a lease.
const leasedSpend = pendingSpend - 1

// Release frees a lease's coins (the funding was abandoned).
func (w *Wallet) Release(id string) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.cfg.Store.Update(func(tx store.Tx) error {
		coins, err := leaseCoins(tx, id)
		if err != nil {
			return err
		}
		for _, u := range coins {
			if u.SpentHeight == leasedSpend {
				u.SpentHeight = 0
				if err := putUTXO(tx, u); err != nil {
					return err
				}
			}
		}
		return tx.Delete(bucketLeases, []byte(id))
	})
}

// leaseCoins loads the coins a lease reserves.
func leaseCoins(tx store.Tx, id string) ([]UTXO, error) {
	ops, err := leaseOps(tx, id)
	if err != nil {
		return nil, err
	}
	out := make([]UTXO, 0, len(ops))
	for _, k := range ops {
		v, err := tx.Get(bucketUTXOs, k)
		if err != nil || v == nil {
			return nil, fmt.Errorf("lease %s: coin %x missing: %v", id, k, err)
		}
		u, err := decodeUTXO(k, v)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, nil
}

func leaseOps(tx store.Tx, id string) ([][]byte, error) {
	raw, err := tx.Get(bucketLeases, []byte(id))
	if err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, fmt.Errorf("%w %q", ErrUnknownLease, id)
	}
	const n = chainhash.HashSize + 4
	var out [][]byte
	for len(raw) >= n {
		out = append(out, raw[:n])
		raw = raw[n:]
	}
	return out, nil
}

// Leases lists the IDs of the open leases.
func (w *Wallet) Leases() ([]string, error) {
	var ids []string
	err := w.cfg.Store.View(func(tx store.Tx) error {
		return tx.ForEach(bucketLeases, func(k, _ []byte) error {
			ids = append(ids, string(k))
			return nil
		})
	})
	return ids, err
}

// leasedUTXOs loads a lease's coins in the order of its inputs.
func (w *Wallet) leasedUTXOs(id string, p *psbt.Packet) ([]UTXO, error) {
	byOp := map[wire.OutPoint]UTXO{}
	err := w.cfg.Store.View(func(tx store.Tx) error {
		coins, err := leaseCoins(tx, id)
		for _, u := range coins {
			byOp[u.OutPoint] = u
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]UTXO, len(p.UnsignedTx.TxIn))
	for i, in := range p.UnsignedTx.TxIn {
		out[i] = byOp[in.PreviousOutPoint]
	}
	return out, nil
}

// SignLease signs and finalizes the lease's inputs in p.
func (w *Wallet) SignLease(id string, p *psbt.Packet) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	inputs, err := w.leasedUTXOs(id, p)
	if err != nil {
		return fmt.Errorf("sign lease: %w", err)
	}
	return w.signPacket(p, inputs)
}

// PublishLease turns a signed funding transaction into a pending send (its
// coins spent, its change ours) and broadcasts it.
func (w *Wallet) PublishLease(id string, tx *wire.MsgTx) error {
	w.mu.Lock()
	defer w.mu.Unlock()
	bare := tx.Copy()
	for _, in := range bare.TxIn {
		in.Witness, in.SignatureScript = nil, nil
	}
	p, err := psbt.NewFromUnsignedTx(bare)
	if err != nil {
		return fmt.Errorf("publish lease: %w", err)
	}
	inputs, err := w.leasedUTXOs(id, p)
	if err != nil {
		return fmt.Errorf("publish lease: %w", err)
	}
	pl := plan{tx: tx, inputs: inputs}
	for i, o := range tx.TxOut {
		if s, ok := w.scripts[string(o.PkScript)]; ok && s.branch == Change {
			pl.change = &UTXO{OutPoint: wire.OutPoint{Hash: tx.TxHash(), Index: uint32(i)}, Value: o.Value,
				PkScript: o.PkScript, Kind: s.kind, Branch: s.branch, Index: s.index}
		}
	}
	if err := w.recordPending(pl); err != nil {
		return fmt.Errorf("publish lease: %w", err)
	}
	if err := w.cfg.Store.Update(func(stx store.Tx) error { return stx.Delete(bucketLeases, []byte(id)) }); err != nil {
		return fmt.Errorf("publish lease: %w", err)
	}
	if err := w.cfg.Chain.Broadcast(tx); err != nil {
		return fmt.Errorf("publish lease: %w", err)
	}
	return nil
}
