package invoice

import (
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// State is where an invoice we issued stands. Expired is not a state: it
// follows from the clock (an Open invoice past ExpiresAt), so it can never
// be stale in the store.
type State uint8

// The states of a Record. A new Record is Open; Settled and Canceled are
// final.
const (
	StateOpen State = iota
	StateSettled
	StateCanceled
)

// stateNames are the String and JSON forms.
var stateNames = [...]string{StateOpen: "OPEN", StateSettled: "SETTLED", StateCanceled: "CANCELED"}

// String is "OPEN", "SETTLED" or "CANCELED".
func (s State) String() string {
	if int(s) < len(stateNames) {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// MarshalText stores a state by name, so stored records stay readable and
// do not depend on the constants' order.
func (s State) MarshalText() ([]byte, error) {
	if int(s) >= len(stateNames) {
		return nil, fmt.Errorf("invoice: unknown state %d", uint8(s))
	}
	return []byte(stateNames[s]), nil
}

// UnmarshalText reads a state name.
func (s *State) UnmarshalText(b []byte) error {
	for i, name := range stateNames {
		if string(b) == name {
			*s = State(i)
			return nil
		}
	}
	return fmt.Errorf("invoice: unknown state %q", b)
}

// Record is an invoice we issued, with what we need to settle it.
type Record struct {
	PaymentRequest          string
	PaymentHash             [32]byte
	Preimage                [32]byte
	PaymentSecret           [32]byte
	AmountMsat              uint64 // 0 = any amount
	Memo                    string
	CreatedAt, ExpiresAt    time.Time
	MinFinalCLTVExpiryDelta uint64
	State                   State
	AmountPaidMsat          uint64
	SettledAt               time.Time
	AddIndex                uint64 // 1,2,3... in creation order
}

// Expired reports whether the record is still Open but past ExpiresAt.
func (r *Record) Expired(now time.Time) bool {
	return r.State == StateOpen && now.After(r.ExpiresAt)
}

// recordJSON is Record as stored: byte arrays in hex, names in snake case.
type recordJSON struct {
	PaymentRequest          string    `json:"payment_request"`
	PaymentHash             string    `json:"payment_hash"`
	Preimage                string    `json:"preimage"`
	PaymentSecret           string    `json:"payment_secret"`
	AmountMsat              uint64    `json:"amount_msat"`
	Memo                    string    `json:"memo"`
	CreatedAt               time.Time `json:"created_at"`
	ExpiresAt               time.Time `json:"expires_at"`
	MinFinalCLTVExpiryDelta uint64    `json:"min_final_cltv_expiry_delta"`
	State                   State     `json:"state"`
	AmountPaidMsat          uint64    `json:"amount_paid_msat"`
	SettledAt               time.Time `json:"settled_at,omitzero"`
	AddIndex                uint64    `json:"add_index"`
}

// MarshalJSON writes the stored form, with hex byte arrays.
func (r Record) MarshalJSON() ([]byte, error) {
	return json.Marshal(recordJSON{
		PaymentRequest: r.PaymentRequest,
		PaymentHash:    hex.EncodeToString(r.PaymentHash[:]),
		Preimage:       hex.EncodeToString(r.Preimage[:]),
		PaymentSecret:  hex.EncodeToString(r.PaymentSecret[:]),
		AmountMsat:     r.AmountMsat, Memo: r.Memo,
		CreatedAt: r.CreatedAt, ExpiresAt: r.ExpiresAt,
		MinFinalCLTVExpiryDelta: r.MinFinalCLTVExpiryDelta,
		State:                   r.State, AmountPaidMsat: r.AmountPaidMsat,
		SettledAt: r.SettledAt, AddIndex: r.AddIndex,
	})
}

// UnmarshalJSON reads the stored form, refusing hex of the wrong length.
func (r *Record) UnmarshalJSON(b []byte) error {
	var j recordJSON
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	out := Record{
		PaymentRequest: j.PaymentRequest, AmountMsat: j.AmountMsat, Memo: j.Memo,
		CreatedAt: j.CreatedAt, ExpiresAt: j.ExpiresAt,
		MinFinalCLTVExpiryDelta: j.MinFinalCLTVExpiryDelta,
		State:                   j.State, AmountPaidMsat: j.AmountPaidMsat,
		SettledAt: j.SettledAt, AddIndex: j.AddIndex,
	}
	for _, f := range []struct {
		name string
		hex  string
		dst  *[32]byte
	}{
		{"payment_hash", j.PaymentHash, &out.PaymentHash},
		{"preimage", j.Preimage, &out.Preimage},
		{"payment_secret", j.PaymentSecret, &out.PaymentSecret},
	} {
		v, err := hex.DecodeString(f.hex)
		if err != nil || len(v) != 32 {
			return fmt.Errorf("invoice: record %s %q is not 32 bytes of hex", f.name, f.hex)
		}
		copy(f.dst[:], v)
	}
	*r = out
	return nil
}
