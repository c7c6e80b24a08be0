package node

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
	"time"

	"lnwasm/node/channel"
	"lnwasm/node/lnwire"
	"lnwasm/node/onion"
)

// mppTimeout is how long the parts of a multi-part payment may take to
// arrive before they are all failed with mpp_timeout (BOLT 4: "SHOULD
// wait for at least 60 seconds after the initial HTLC").
const mppTimeout = 60 * time.Second

// finalCLTVSlack is how many blocks less than the invoice's
// min_final_cltv_expiry_delta we accept: a payer's chain tip can be a
// block or two ahead of a light client's.
const finalCLTVSlack = 3

// receiver holds the parts of multi-part payments until they add up. It
// is guarded by chans.mu: every call runs inside a channel step.
type receiver struct {
	sets map[[32]byte]*htlcSet
}

func newReceiver() *receiver { return &receiver{sets: map[[32]byte]*htlcSet{}} }

// htlcSet is the parts of one payment received so far.
type htlcSet struct {
	total uint64
	parts []htlcPart
	timer *time.Timer
}

type htlcPart struct {
	e      *chanEntry
	id     uint64
	amt    uint64
	secret [32]byte // the onion's shared secret, to encrypt a failure
}

func (s *htlcSet) sum() uint64 {
	var t uint64
	for _, p := range s.parts {
		t += p.amt
	}
	return t
}

// onIncoming decides an HTLC the peer locked in: settle it if it pays
// one of our open invoices in full, otherwise fail it with the reason
// BOLT 4 names. We do not forward: a payment for someone else fails.
func (n *Node) onIncoming(e *chanEntry, u *channel.Update) {
	var pkt [lnwire.OnionPacketSize]byte
	copy(pkt[:], u.Onion)
	peeled, err := onion.Peel(n.identity, pkt, u.PaymentHash, u.CltvExpiry)
	var bad *onion.MalformedError
	switch {
	case errors.As(err, &bad):
		n.stepLog(e, channel.FailMalformedHTLC{ID: u.HTLCID, Code: uint16(bad.Code), OnionHash: bad.OnionHash})
		return
	case err != nil && peeled == nil:
		n.stepLog(e, channel.FailMalformedHTLC{ID: u.HTLCID, Code: uint16(onion.CodeInvalidOnionVersion), OnionHash: sha256.Sum256(u.Onion)})
		return
	case err != nil:
		n.failIncoming(e, u.HTLCID, peeled.SharedSecret, payloadFailure(err))
		return
	case !peeled.Final:
		n.failIncoming(e, u.HTLCID, peeled.SharedSecret, &onion.Failure{Code: onion.CodeUnknownNextPeer})
		return
	}
	n.receiveFinal(e, u, peeled)
}

// payloadFailure is the invalid_onion_payload failure Peel wrapped in
// err, naming the offending record.
func payloadFailure(err error) *onion.Failure {
	f := &onion.Failure{Code: onion.CodeInvalidOnionPayload}
	errors.As(err, &f)
	return f
}

// receiveFinal checks an HTLC addressed to us against our invoice and
// settles the payment once its parts add up to the total.
func (n *Node) receiveFinal(e *chanEntry, u *channel.Update, peeled *onion.Peeled) {
	height := (*payChannels)(n).Height()
	pl := peeled.Payload
	details := &onion.Failure{Code: onion.CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: u.AmountMsat, Height: height}
	// BOLT 4, final node: "if the amount paid is less than amt_to_forward:
	// MUST fail with final_incorrect_htlc_amount"; "if the cltv_expiry is
	// less than outgoing_cltv_value: MUST fail with
	// final_incorrect_cltv_expiry".
	if pl.AmtToForwardMsat > u.AmountMsat {
		n.failIncoming(e, u.HTLCID, peeled.SharedSecret, &onion.Failure{Code: onion.CodeFinalIncorrectHTLCAmount, HTLCMsat: u.AmountMsat})
		return
	}
	if pl.OutgoingCLTV > u.CltvExpiry {
		n.failIncoming(e, u.HTLCID, peeled.SharedSecret, &onion.Failure{Code: onion.CodeFinalIncorrectCLTVExpiry, CLTVExpiry: u.CltvExpiry})
		return
	}
	rec, err := n.pay.invoices.Get(u.PaymentHash)
	if err != nil {
		n.log.Info("HTLC for an unknown invoice", "hash", fmt.Sprintf("%x", u.PaymentHash))
		n.failIncoming(e, u.HTLCID, peeled.SharedSecret, details)
		return
	}
	total := pl.Total()
	if total == 0 {
		total = u.AmountMsat
	}
	if why := checkInvoiceHTLC(rec, pl, u, total, height, time.Now()); why != "" {
		n.log.Info("refused an HTLC", "hash", fmt.Sprintf("%x", u.PaymentHash), "why", why)
		n.failIncoming(e, u.HTLCID, peeled.SharedSecret, details)
		return
	}
	n.addPart(e, u, total, peeled.SharedSecret, rec.Preimage)
}

// addPart adds a part to its payment's set and settles the set once the
// parts reach the total; the invoice is marked settled (durably) before
// any fulfill leaves.
func (n *Node) addPart(e *chanEntry, u *channel.Update, total uint64, secret [32]byte, preimage [32]byte) {
	sets := n.pay.recv.sets
	set := sets[u.PaymentHash]
	if set == nil {
		set = &htlcSet{total: total}
		sets[u.PaymentHash] = set
		hash := u.PaymentHash
		set.timer = time.AfterFunc(mppTimeout, func() { n.expireSet(hash, set) })
	}
	if set.total != total {
		details := &onion.Failure{Code: onion.CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: u.AmountMsat}
		n.failIncoming(e, u.HTLCID, secret, details)
		return
	}
	set.parts = append(set.parts, htlcPart{e: e, id: u.HTLCID, amt: u.AmountMsat, secret: secret})
	if set.sum() < set.total {
		return
	}
	set.timer.Stop()
	delete(sets, u.PaymentHash)
	rec, err := n.pay.invoices.Settle(u.PaymentHash, set.sum(), time.Now())
	if err != nil {
		n.log.Error("settle invoice", "hash", fmt.Sprintf("%x", u.PaymentHash), "err", err)
		return // the HTLCs stay; a reload retries
	}
	for _, p := range set.parts {
		n.stepLog(p.e, channel.SettleHTLC{ID: p.id, Preimage: preimage})
	}
	n.emit(Event{Type: "invoice", PaymentHash: fmt.Sprintf("%x", u.PaymentHash), State: rec.State.String()})
}

// expireSet fails the parts of a payment that never added up.
func (n *Node) expireSet(hash [32]byte, set *htlcSet) {
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	if n.pay.recv.sets[hash] != set {
		return
	}
	delete(n.pay.recv.sets, hash)
	for _, p := range set.parts {
		n.failIncoming(p.e, p.id, p.secret, &onion.Failure{Code: onion.CodeMPPTimeout})
	}
}

// failIncoming fails an HTLC with f encrypted for the payer.
func (n *Node) failIncoming(e *chanEntry, id uint64, secret [32]byte, f *onion.Failure) {
	reason, err := onion.EncryptFailure(secret, f)
	if err != nil {
		n.log.Error("encrypt failure", "err", err)
		return
	}
	n.stepLog(e, channel.FailHTLC{ID: id, Reason: reason})
}

// stepLog runs a step whose error is only logged (chans.mu held).
func (n *Node) stepLog(e *chanEntry, ev channel.Event) {
	if err := n.step(e, ev); err != nil {
		n.log.Warn("resolve incoming HTLC", "channel", e.m.ID(), "event", fmt.Sprintf("%T", ev), "err", err)
	}
}

// randomHash is 32 random bytes.
func randomHash() ([32]byte, error) {
	var b [32]byte
	_, err := rand.Read(b[:])
	return b, err
}
