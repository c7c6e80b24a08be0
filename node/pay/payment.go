package pay

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"lnwasm/node/lnwire"
	"lnwasm/node/onion"
	"lnwasm/node/store"
)

// Status is where a payment or an attempt stands.
type Status string

// The statuses, named as lnd names them.
const (
	StatusInFlight  Status = "IN_FLIGHT"
	StatusSucceeded Status = "SUCCEEDED"
	StatusFailed    Status = "FAILED"
)

// HTLCRef names one HTLC we offered: its channel and id.
type HTLCRef struct {
	Channel lnwire.ChannelID
	ID      uint64
}

// RouteHop is one hop of an attempt's route, as stored and reported.
type RouteHop struct {
	Pubkey         string `json:"pubkey"`
	ShortChannelID uint64 `json:"shortChannelId"`
	// AmountMsat is what this hop receives; ExpiryHeight its HTLC's
	// cltv_expiry.
	AmountMsat   uint64 `json:"amountMsat"`
	ExpiryHeight uint32 `json:"expiry"`
	FeeMsat      uint64 `json:"feeMsat"`
}

// Attempt is one HTLC sent along one route.
type Attempt struct {
	ID         uint64         `json:"id"`
	AmountMsat uint64         `json:"amountMsat"` // what reaches the payee
	TotalMsat  uint64         `json:"totalMsat"`  // what leaves our channel
	CltvExpiry uint32         `json:"cltvExpiry"`
	Hops       []RouteHop     `json:"hops"`
	Circuit    *onion.Circuit `json:"circuit"`
	// Sent is set once the channel took the HTLC; HTLC names it there.
	Sent     bool     `json:"sent"`
	HTLC     HTLCRef  `json:"htlc"`
	Status   Status   `json:"status"`
	Preimage [32]byte `json:"preimage"`
	Failure  string   `json:"failure,omitempty"`
	// FailSource is the hop index that reported the failure, -1 if none.
	FailSource int       `json:"failSource"`
	Started    time.Time `json:"started"`
	Resolved   time.Time `json:"resolved"`
}

// Payment is one payment hash's payment and its attempts.
type Payment struct {
	Index          uint64   `json:"index"`
	Hash           [32]byte `json:"hash"`
	PaymentRequest string   `json:"paymentRequest"`
	Destination    string   `json:"destination"`
	AmountMsat     uint64   `json:"amountMsat"`
	FeeLimitMsat   uint64   `json:"feeLimitMsat"`
	Status         Status   `json:"status"`
	Preimage       [32]byte `json:"preimage"`
	// FailureReason is lnd's failure_reason (FAILURE_REASON_NO_ROUTE,
	// ...); FailureMessage says it for a person.
	FailureReason  string     `json:"failureReason,omitempty"`
	FailureMessage string     `json:"failureMessage,omitempty"`
	Created        time.Time  `json:"created"`
	Resolved       time.Time  `json:"resolved"`
	Attempts       []*Attempt `json:"attempts"`
}

// The failure reasons, as lnd names them.
const (
	ReasonTimeout             = "FAILURE_REASON_TIMEOUT"
	ReasonNoRoute             = "FAILURE_REASON_NO_ROUTE"
	ReasonError               = "FAILURE_REASON_ERROR"
	ReasonIncorrectDetails    = "FAILURE_REASON_INCORRECT_PAYMENT_DETAILS"
	ReasonInsufficientBalance = "FAILURE_REASON_INSUFFICIENT_BALANCE"
)

func (p *Payment) failureMessage() string {
	if p.FailureMessage != "" {
		return p.FailureMessage
	}
	return p.FailureReason
}

// FeeMsat is what the succeeded attempts paid in routing fees.
func (p *Payment) FeeMsat() uint64 {
	var fee uint64
	for _, a := range p.Attempts {
		if a.Status == StatusSucceeded {
			fee += a.TotalMsat - a.AmountMsat
		}
	}
	return fee
}

// inFlight counts the attempts still waiting for their HTLC's outcome,
// and the amount they carry to the payee.
func (p *Payment) inFlight() (n int, msat uint64) {
	for _, a := range p.Attempts {
		if a.Status == StatusInFlight {
			n++
			msat += a.AmountMsat
		}
	}
	return n, msat
}

// succeededMsat is what succeeded attempts delivered.
func (p *Payment) succeededMsat() uint64 {
	var msat uint64
	for _, a := range p.Attempts {
		if a.Status == StatusSucceeded {
			msat += a.AmountMsat
		}
	}
	return msat
}

func (p *Payment) clone() *Payment {
	c := *p
	c.Attempts = make([]*Attempt, len(p.Attempts))
	for i, a := range p.Attempts {
		ac := *a
		ac.Hops = append([]RouteHop(nil), a.Hops...)
		c.Attempts[i] = &ac
	}
	return &c
}

// The store layout: payments by hash, and the next index.
var (
	bucketPayments = []byte("payments")
	bucketPayMeta  = []byte("payments-meta")
	keyNextIndex   = []byte("next-index")
)

// save writes a payment durably; an attempt is saved before its HTLC is
// offered, so a reload finds it.
func save(st store.Store, p *Payment) error {
	b, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode payment: %w", err)
	}
	return st.Update(func(tx store.Tx) error {
		if p.Index == 0 {
			v, err := tx.Get(bucketPayMeta, keyNextIndex)
			if err != nil {
				return err
			}
			next := uint64(1)
			if len(v) == 8 {
				next = binary.BigEndian.Uint64(v)
			}
			p.Index = next
			if err := tx.Put(bucketPayMeta, keyNextIndex, binary.BigEndian.AppendUint64(nil, next+1)); err != nil {
				return err
			}
			if b, err = json.Marshal(p); err != nil {
				return err
			}
		}
		return tx.Put(bucketPayments, p.Hash[:], b)
	})
}

// loadAll reads every stored payment.
func loadAll(st store.Store) (map[[32]byte]*Payment, error) {
	out := map[[32]byte]*Payment{}
	err := st.View(func(tx store.Tx) error {
		return tx.ForEach(bucketPayments, func(k, v []byte) error {
			var p Payment
			if err := json.Unmarshal(v, &p); err != nil {
				return fmt.Errorf("payment %x: %w", k, err)
			}
			out[p.Hash] = &p
			return nil
		})
	})
	return out, err
}
