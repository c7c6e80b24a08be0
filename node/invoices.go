package node

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"time"

	"lnwasm/node/channel"
	"lnwasm/node/invoice"
	"lnwasm/node/lnwire"
	"lnwasm/node/onion"
	"lnwasm/node/store"
)

// Invoice defaults, as lnd's.
const (
	DefaultInvoiceExpiry = time.Hour
	// invoiceFinalCLTV is our min_final_cltv_expiry_delta: the blocks we
	// want between receiving an HTLC and its expiry, to settle it on chain
	// if the peer vanishes.
	invoiceFinalCLTV = 40
	// Hint defaults when the peer never sent its channel_update: lnd's.
	defaultHintBaseMsat = 1000
	defaultHintPPM      = 1
	defaultHintCLTV     = 80
)

// bucketPeerPolicies keeps each private channel's channel_update from the
// peer, by short channel id: the fees and CLTV delta our invoices' route
// hints tell payers.
var bucketPeerPolicies = []byte("peer-policies")

// AddInvoiceRequest is lncli addinvoice's arguments.
type AddInvoiceRequest struct {
	ValueMsat uint64
	Memo      string
	Expiry    time.Duration
}

// AddInvoice makes, signs and stores an invoice with route hints through
// our private channels.
func (n *Node) AddInvoice(req AddInvoiceRequest) (*invoice.Record, error) {
	ps, err := n.payments()
	if err != nil {
		return nil, err
	}
	if len(req.Memo) > 639 {
		return nil, fmt.Errorf("add invoice: memo is %d bytes, at most 639 fit an invoice", len(req.Memo))
	}
	if req.Expiry <= 0 {
		req.Expiry = DefaultInvoiceExpiry
	}
	preimage, err := randomHash()
	if err != nil {
		return nil, err
	}
	secret, err := randomHash()
	if err != nil {
		return nil, err
	}
	now := time.Now().Truncate(time.Second)
	memo := req.Memo
	inv := &invoice.Invoice{
		Net: n.cfg.Network, AmountMsat: req.ValueMsat, Timestamp: now, PaymentHash: sha256.Sum256(preimage[:]),
		PaymentSecret: &secret, Description: &memo, Expiry: req.Expiry, MinFinalCLTVExpiryDelta: invoiceFinalCLTV,
		Features:   lnwire.NewFeatureVector(lnwire.VarOnionOptinRequired, lnwire.PaymentSecretRequired, lnwire.BasicMPPOptional),
		RouteHints: n.routeHints(), Payee: n.identity.PubKey(),
	}
	s, err := inv.Encode(invoice.SignWith(n.identity))
	if err != nil {
		return nil, fmt.Errorf("add invoice: %w", err)
	}
	rec := &invoice.Record{
		PaymentRequest: s, PaymentHash: inv.PaymentHash, Preimage: preimage, PaymentSecret: secret,
		AmountMsat: req.ValueMsat, Memo: memo, CreatedAt: now, ExpiresAt: now.Add(req.Expiry),
		MinFinalCLTVExpiryDelta: invoiceFinalCLTV, State: invoice.StateOpen,
	}
	if err := ps.invoices.Add(rec); err != nil {
		return nil, fmt.Errorf("add invoice: %w", err)
	}
	n.emit(Event{Type: "invoice", PaymentHash: hex.EncodeToString(inv.PaymentHash[:]), State: rec.State.String()})
	return rec, nil
}

// ListInvoices lists our invoices, oldest first.
func (n *Node) ListInvoices() ([]*invoice.Record, error) {
	ps, err := n.payments()
	if err != nil {
		return nil, err
	}
	return ps.invoices.List()
}

// routeHints names each of our active channels as the last hop to us,
// with the fees and delta the peer charges to forward over it.
func (n *Node) routeHints() [][]invoice.HopHint {
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	var hints [][]invoice.HopHint
	for _, e := range n.chans.byID {
		scid := e.m.SCID()
		if e.m.Phase() != channel.PhaseNormal || scid == 0 {
			continue
		}
		pub, err := parsePubkey(e.peer)
		if err != nil {
			continue
		}
		h := invoice.HopHint{NodeID: pub, ShortChannelID: scid,
			FeeBaseMsat: defaultHintBaseMsat, FeeProportionalMillionths: defaultHintPPM, CLTVExpiryDelta: defaultHintCLTV}
		if u := n.peerPolicy(scid); u != nil {
			h.FeeBaseMsat, h.FeeProportionalMillionths, h.CLTVExpiryDelta = u.FeeBaseMsat, u.FeeProportionalMillionths, u.CLTVExpiryDelta
		}
		hints = append(hints, []invoice.HopHint{h})
	}
	return hints
}

// peerPolicy is the peer's stored channel_update for our channel scid.
func (n *Node) peerPolicy(scid lnwire.ShortChannelID) *lnwire.ChannelUpdate {
	var raw []byte
	_ = n.cfg.Store.View(func(tx store.Tx) (err error) {
		raw, err = tx.Get(bucketPeerPolicies, binary.BigEndian.AppendUint64(nil, uint64(scid)))
		return err
	})
	if raw == nil {
		return nil
	}
	m, err := lnwire.ReadMessage(raw)
	if err != nil {
		return nil
	}
	u, _ := m.(*lnwire.ChannelUpdate)
	return u
}

// checkInvoiceHTLC says why an HTLC cannot pay rec, or "".
func checkInvoiceHTLC(rec *invoice.Record, pl *onion.Payload, u *channel.Update, total uint64, height uint32, now time.Time) string {
	switch {
	case rec.State == invoice.StateCanceled:
		return "invoice canceled"
	case rec.State == invoice.StateSettled:
		return "invoice already paid"
	case now.After(rec.ExpiresAt):
		return "invoice expired"
	// BOLT 4: "if the payment_secret doesn't match the expected value for
	// that payment_hash ... MUST fail the HTLC".
	case pl.PaymentSecret == nil || *pl.PaymentSecret != rec.PaymentSecret:
		return "payment secret missing or wrong"
	// BOLT 4: "if the amount paid is less than the amount expected: MUST
	// fail the HTLC"; "if the amount paid is more than twice the amount
	// expected: SHOULD fail the HTLC".
	case rec.AmountMsat > 0 && total < rec.AmountMsat:
		return fmt.Sprintf("total %d msat below the invoice's %d", total, rec.AmountMsat)
	case rec.AmountMsat > 0 && total > 2*rec.AmountMsat:
		return fmt.Sprintf("total %d msat over twice the invoice's %d", total, rec.AmountMsat)
	// BOLT 4: "if the cltv_expiry value is unreasonably near the present:
	// MUST fail the HTLC".
	case uint64(u.CltvExpiry) < uint64(height)+rec.MinFinalCLTVExpiryDelta-finalCLTVSlack:
		return fmt.Sprintf("cltv_expiry %d too near height %d", u.CltvExpiry, height)
	}
	return ""
}
