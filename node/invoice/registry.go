package invoice

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"time"

	"lnwasm/node/store"
)

// Errors of the Registry, for errors.Is.
var (
	// ErrDuplicate: Add was given a payment hash we already issued; reusing
	// a hash would let one preimage settle two invoices.
	ErrDuplicate = errors.New("invoice already exists")
	// ErrUnknown: no invoice of ours has this payment hash.
	ErrUnknown = errors.New("no such invoice")
	// ErrSettled: the invoice was paid, so it can no longer be canceled.
	ErrSettled = errors.New("invoice already settled")
	// ErrCanceled: the invoice was canceled, so it must not be settled.
	ErrCanceled = errors.New("invoice canceled")
)

// Store layout: one JSON record per payment hash, and the last AddIndex
// given out, so indexes stay unique without scanning every record.
var (
	bucketInvoices = []byte("invoices")
	bucketMeta     = []byte("invoices-meta")
	keyLastIndex   = []byte("last-add-index")
)

// Registry keeps the invoices we issue in a store.Store. It holds no state
// of its own, so any number of Registries on one store agree, and a new
// one after a restart sees everything the old one saved.
type Registry struct {
	st store.Store
}

// NewRegistry returns a registry on st.
func NewRegistry(st store.Store) *Registry { return &Registry{st: st} }

// Add saves a new Open invoice and sets rec.AddIndex to its position in
// creation order. It refuses a payment hash we already have (ErrDuplicate)
// and a preimage that does not hash to the payment hash, since such an
// invoice could be paid but never settled.
func (r *Registry) Add(rec *Record) error {
	if rec.State != StateOpen {
		return fmt.Errorf("invoice: adding an invoice in state %s, want OPEN", rec.State)
	}
	if sha256.Sum256(rec.Preimage[:]) != rec.PaymentHash {
		return fmt.Errorf("invoice: preimage does not hash to payment hash %x", rec.PaymentHash)
	}
	var index uint64
	err := r.st.Update(func(tx store.Tx) error {
		old, err := tx.Get(bucketInvoices, rec.PaymentHash[:])
		if err != nil {
			return fmt.Errorf("invoice: reading %x: %w", rec.PaymentHash, err)
		}
		if old != nil {
			return fmt.Errorf("invoice: payment hash %x: %w", rec.PaymentHash, ErrDuplicate)
		}
		last, err := tx.Get(bucketMeta, keyLastIndex)
		if err != nil {
			return fmt.Errorf("invoice: reading the last add index: %w", err)
		}
		if len(last) == 8 {
			index = binary.BigEndian.Uint64(last)
		}
		index++
		cp := *rec
		cp.AddIndex = index
		if err := putRecord(tx, &cp); err != nil {
			return err
		}
		if err := tx.Put(bucketMeta, keyLastIndex, binary.BigEndian.AppendUint64(nil, index)); err != nil {
			return fmt.Errorf("invoice: writing the last add index: %w", err)
		}
		return nil
	})
	if err != nil {
		return err
	}
	rec.AddIndex = index
	return nil
}

// Get returns the invoice with this payment hash, or ErrUnknown.
func (r *Registry) Get(hash [32]byte) (*Record, error) {
	var rec *Record
	err := r.st.View(func(tx store.Tx) error {
		var err error
		rec, err = getRecord(tx, hash)
		return err
	})
	return rec, err
}

// List returns every invoice in AddIndex (creation) order.
func (r *Registry) List() ([]*Record, error) {
	var out []*Record
	err := r.st.View(func(tx store.Tx) error {
		return tx.ForEach(bucketInvoices, func(k, v []byte) error {
			rec := new(Record)
			if err := json.Unmarshal(v, rec); err != nil {
				return fmt.Errorf("stored record %x: %w", k, err)
			}
			out = append(out, rec)
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("invoice: listing: %w", err)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].AddIndex < out[j].AddIndex })
	return out, nil
}

// Settle marks an Open invoice paid with paidMsat at at, and returns it.
// Settling a Settled invoice returns it unchanged, so a replayed HTLC
// fulfilment after a restart is harmless; a Canceled one is ErrCanceled.
// Whether the payment was acceptable is the caller's decision.
func (r *Registry) Settle(hash [32]byte, paidMsat uint64, at time.Time) (*Record, error) {
	var rec *Record
	err := r.st.Update(func(tx store.Tx) error {
		var err error
		if rec, err = getRecord(tx, hash); err != nil {
			return err
		}
		switch rec.State {
		case StateSettled:
			return nil
		case StateCanceled:
			return fmt.Errorf("invoice: payment hash %x: %w", hash, ErrCanceled)
		}
		rec.State, rec.AmountPaidMsat, rec.SettledAt = StateSettled, paidMsat, at
		return putRecord(tx, rec)
	})
	if err != nil {
		return nil, err
	}
	return rec, nil
}

// Cancel marks an Open invoice Canceled, so it will not be settled.
// Canceling twice is not an error; canceling a Settled invoice is
// ErrSettled, since the preimage is already out.
func (r *Registry) Cancel(hash [32]byte) error {
	return r.st.Update(func(tx store.Tx) error {
		rec, err := getRecord(tx, hash)
		if err != nil {
			return err
		}
		switch rec.State {
		case StateCanceled:
			return nil
		case StateSettled:
			return fmt.Errorf("invoice: payment hash %x: %w", hash, ErrSettled)
		}
		rec.State = StateCanceled
		return putRecord(tx, rec)
	})
}

// getRecord reads one record, ErrUnknown if absent.
func getRecord(tx store.Tx, hash [32]byte) (*Record, error) {
	v, err := tx.Get(bucketInvoices, hash[:])
	if err != nil {
		return nil, fmt.Errorf("invoice: reading %x: %w", hash, err)
	}
	if v == nil {
		return nil, fmt.Errorf("invoice: payment hash %x: %w", hash, ErrUnknown)
	}
	rec := new(Record)
	if err := json.Unmarshal(v, rec); err != nil {
		return nil, fmt.Errorf("invoice: stored record %x: %w", hash, err)
	}
	return rec, nil
}

// putRecord writes one record under its payment hash.
func putRecord(tx store.Tx, rec *Record) error {
	v, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("invoice: encoding %x: %w", rec.PaymentHash, err)
	}
	if err := tx.Put(bucketInvoices, rec.PaymentHash[:], v); err != nil {
		return fmt.Errorf("invoice: writing %x: %w", rec.PaymentHash, err)
	}
	return nil
}
