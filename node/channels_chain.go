package node

import (
	"bytes"

	"lnwasm/chain"
	"lnwasm/node/channel"
)

// heightHint is where a watch starts scanning: a little before the tip,
// since the transaction was just made.
func (n *Node) heightHint() uint32 {
	best, err := n.cfg.Chain.BestBlock()
	if err != nil || best.Height < 6 {
		return 0
	}
	return best.Height - 6
}

// watchFunding reports the funding transaction's confirmation at the
// depth the channel needs.
func (n *Node) watchFunding(e *chanEntry, f channel.WatchFunding) error {
	if n.cfg.Chain == nil {
		return ErrNoChain
	}
	hint := e.m.Info().FundingHeight
	if hint == 0 {
		hint = n.heightHint()
	}
	ev, err := n.cfg.Chain.RegisterConfirmations(chain.ConfRequest{
		Txid: f.Outpoint.Hash, PkScript: f.PkScript, NumConfs: f.Depth, HeightHint: hint,
	})
	if err != nil {
		return err
	}
	e.cancel = append(e.cancel, ev.Cancel)
	go func() {
		for c := range ev.Confirmed {
			err := n.event(e, channel.FundingConfirmed{Height: c.BlockHeight, TxIndex: c.TxIndex, Depth: f.Depth})
			if err != nil {
				n.log.Warn("funding confirmed", "channel", e.m.ID(), "err", err)
			}
		}
	}()
	return nil
}

// publishClose broadcasts the agreed closing transaction and reports its
// confirmation.
func (n *Node) publishClose(e *chanEntry, f channel.PublishClose) error {
	if e.closing != nil {
		select {
		case e.closing <- f.Tx.TxHash().String():
		default:
		}
	}
	if n.cfg.Chain == nil {
		return ErrNoChain
	}
	if err := n.cfg.Chain.Broadcast(f.Tx); err != nil {
		n.log.Warn("broadcast closing tx", "txid", f.Tx.TxHash(), "err", err)
	}
	pk := f.Tx.TxOut[0].PkScript
	local := e.m.State().Close.LocalScript
	for _, o := range f.Tx.TxOut {
		if bytes.Equal(o.PkScript, local) {
			pk = o.PkScript
		}
	}
	ev, err := n.cfg.Chain.RegisterConfirmations(chain.ConfRequest{
		Txid: f.Tx.TxHash(), PkScript: pk, NumConfs: 1, HeightHint: n.heightHint(),
	})
	if err != nil {
		return err
	}
	e.cancel = append(e.cancel, ev.Cancel)
	go func() {
		for c := range ev.Confirmed {
			if err := n.event(e, channel.ClosingConfirmed{Txid: c.Tx.TxHash(), Height: c.BlockHeight}); err != nil {
				n.log.Warn("closing confirmed", "channel", e.m.ID(), "err", err)
			}
			ev.Cancel()
			return
		}
	}()
	return nil
}

// notify turns a channel's news into a subscriber event.
func (n *Node) notify(e *chanEntry, f channel.Notify) {
	if f.HTLC != nil {
		n.notifyHTLC(e, f)
	}
	in := e.m.Info()
	n.emit(Event{Type: "channel", Pubkey: e.peer, ChannelPoint: in.ChannelPoint.String(), State: in.Phase.String()})
}
