package node

import (
	"lnwasm/node/channel"
	"lnwasm/node/pay"
)

// notifyHTLC passes an HTLC's outcome to the payer, or an incoming HTLC
// to the receiver. It runs inside a channel step, with chans.mu held.
func (n *Node) notifyHTLC(e *chanEntry, f channel.Notify) {
	ps, err := n.payments()
	if err != nil {
		n.log.Warn("HTLC change while locked", "change", f.Change)
		return
	}
	u := f.HTLC
	ref := pay.HTLCRef{Channel: e.m.ID(), ID: u.HTLCID}
	switch f.Change {
	case channel.ChangeFulfilled:
		ps.payer.Settled(ref, u.PaymentHash, u.AmountMsat, u.Preimage)
	case channel.ChangeFailed:
		ps.payer.Failed(ref, u.PaymentHash, u.AmountMsat, u.Reason, u.FailCode)
	case channel.ChangeDropped:
		ps.payer.Failed(ref, u.PaymentHash, u.AmountMsat, nil, 0)
	case channel.ChangeIncoming:
		n.onIncoming(e, u)
	}
}
