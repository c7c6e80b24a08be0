package pay

import (
	"encoding/hex"
	"fmt"

	"lnwasm/node/lnwire"
	"lnwasm/node/onion"
)

// find returns the payment and attempt an HTLC belongs to: by its
// reference, or (for an HTLC whose reference was not yet recorded) the
// first unsent attempt in flight with its amount. Called with p.mu held.
func (p *Payer) find(ref HTLCRef, hash [32]byte, amt uint64) (*Payment, *Attempt) {
	pay, ok := p.payments[hash]
	if !ok {
		return nil, nil
	}
	for _, a := range pay.Attempts {
		if a.Sent && a.HTLC == ref {
			return pay, a
		}
	}
	for _, a := range pay.Attempts {
		if !a.Sent && a.Status == StatusInFlight && a.TotalMsat == amt {
			a.Sent, a.HTLC = true, ref
			return pay, a
		}
	}
	return pay, nil
}

// Settled records that the peer fulfilled our HTLC: the preimage is the
// proof of payment, and the payment has succeeded.
func (p *Payer) Settled(ref HTLCRef, hash [32]byte, amt uint64, preimage [32]byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, a := p.find(ref, hash, amt)
	if a == nil || a.Status != StatusInFlight {
		p.cfg.Log.Warn("fulfilled HTLC of no attempt in flight", "hash", hex.EncodeToString(hash[:]), "channel", ref.Channel, "htlc", ref.ID)
		return
	}
	a.Status, a.Preimage, a.Resolved = StatusSucceeded, preimage, p.cfg.Now()
	pay.Preimage = preimage
	if err := save(p.cfg.Store, pay); err != nil {
		p.cfg.Log.Error("store settled attempt", "err", err)
	}
	p.reportSuccess(a)
	p.emit(pay)
	if r := p.runs[hash]; r != nil {
		r.poke()
	}
}

// reportSuccess tells the router every hop carried the amount.
func (p *Payer) reportSuccess(a *Attempt) {
	from := p.cfg.Self
	for _, h := range a.Hops {
		to := pubOf(h.Pubkey)
		p.cfg.Router.ReportSuccess(from, to, lnwire.ShortChannelID(h.ShortChannelID), h.AmountMsat)
		from = to
	}
}

// Failed records that our HTLC came back failed: reason is the encrypted
// failure (update_fail_htlc) or nil with a BADONION code from our peer
// (update_fail_malformed_htlc); dropped HTLCs never left and have neither.
func (p *Payer) Failed(ref HTLCRef, hash [32]byte, amt uint64, reason []byte, malformed uint16) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pay, a := p.find(ref, hash, amt)
	if a == nil || a.Status != StatusInFlight {
		p.cfg.Log.Warn("failed HTLC of no attempt in flight", "hash", hex.EncodeToString(hash[:]), "channel", ref.Channel, "htlc", ref.ID)
		return
	}
	a.Status, a.Resolved = StatusFailed, p.cfg.Now()
	r := p.runs[hash]
	switch {
	case reason == nil && malformed == 0:
		a.Failure = "the HTLC never left our channel"
	case reason == nil:
		a.Failure, a.FailSource = fmt.Sprintf("our peer could not read the onion (%s)", onion.FailureCode(malformed)), 0
		p.cfg.Router.ReportFailure(p.cfg.Self, pubOf(a.Hops[0].Pubkey), lnwire.ShortChannelID(a.Hops[0].ShortChannelID), a.TotalMsat)
	default:
		p.interpret(r, a, reason)
	}
	if err := save(p.cfg.Store, pay); err != nil {
		p.cfg.Log.Error("store failed attempt", "err", err)
	}
	p.emit(pay)
	if r != nil {
		r.poke()
	}
}

// interpret decrypts a failure, teaches the router, and ends the payment
// when the payee itself refused.
func (p *Payer) interpret(r *run, a *Attempt, reason []byte) {
	ff, err := a.Circuit.DecryptFailure(reason)
	if err != nil {
		// Nobody can be blamed precisely: every pair on the route is
		// penalised a little, so the next attempt prefers another.
		a.Failure = "unreadable failure: " + err.Error()
		from := p.cfg.Self
		for _, h := range a.Hops {
			to := pubOf(h.Pubkey)
			p.cfg.Router.ReportFailure(from, to, lnwire.ShortChannelID(h.ShortChannelID), h.AmountMsat)
			from = to
		}
		return
	}
	idx := ff.HopIndex
	if idx < 0 || idx >= len(a.Hops) {
		a.Failure = fmt.Sprintf("failure from hop %d of %d: %v", idx, len(a.Hops), ff.Failure)
		return
	}
	a.FailSource, a.Failure = idx, fmt.Sprintf("%s (hop %d, %s)", ff.Failure.Error(), idx+1, a.Hops[idx].Pubkey[:16])
	if u := ff.Failure.ChannelUpdate; u != nil {
		if err := p.cfg.Router.ApplyChannelUpdate(u); err != nil {
			p.cfg.Log.Debug("channel_update in failure not applied", "err", err)
		}
	}
	if terminal, why := p.blame(a, idx, ff.Failure); terminal != "" && r != nil && r.terminal == "" {
		r.terminal, r.message = terminal, why
	}
}

// blame reports the failing channel or node to the router and says
// whether the payment must end.
func (p *Payer) blame(a *Attempt, idx int, f *onion.Failure) (string, string) {
	node := pubOf(a.Hops[idx].Pubkey)
	final := idx == len(a.Hops)-1
	switch {
	case final && f.Code == onion.CodeMPPTimeout:
		return "", "" // the payee gave up waiting for the other parts: retry
	case final && (f.Code == onion.CodeIncorrectOrUnknownPaymentDetails ||
		f.Code == onion.CodeFinalIncorrectCLTVExpiry || f.Code == onion.CodeFinalIncorrectHTLCAmount):
		return ReasonIncorrectDetails, "the payee refused the payment: " + f.Error()
	case final:
		return ReasonError, "the payee failed the payment: " + f.Error()
	case f.Code&onion.FlagNode != 0:
		p.cfg.Router.ReportNodeFailure(node)
	default:
		// The failing node could not forward over the next channel.
		nxt := a.Hops[idx+1]
		p.cfg.Router.ReportFailure(node, pubOf(nxt.Pubkey), lnwire.ShortChannelID(nxt.ShortChannelID), nxt.AmountMsat)
	}
	return "", ""
}

func pubOf(h string) [33]byte {
	var k [33]byte
	b, _ := hex.DecodeString(h)
	copy(k[:], b)
	return k
}
