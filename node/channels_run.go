package node

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcutil/psbt"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/channel"
	"lnwasm/node/lnwire"
	"lnwasm/node/store"
)

// event feeds one event to a channel.
func (n *Node) event(e *chanEntry, ev channel.Event) error {
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	return n.step(e, ev)
}

// step runs one event with chans.mu held.
func (n *Node) step(e *chanEntry, ev channel.Event) error {
	before := e.m.ID()
	out, err := e.m.Handle(ev)
	if out == nil {
		return err
	}
	if aerr := n.apply(e, before, out); aerr != nil {
		return aerr
	}
	if err != nil {
		n.failOpen(e, err)
	}
	n.closeFailed(e)
	return err
}

// closeFailed force-closes a funded channel that failed: our latest
// commitment is the only way back to our funds without the peer.
//
// BOLT 1: "The receiving node: upon receiving error: ... MUST fail the
// channel referred to by channel_id" and BOLT 5: failing a channel means
// "broadcasting its last commitment transaction". Not after data loss:
// that commitment is revoked.
func (n *Node) closeFailed(e *chanEntry) {
	if e.m.Phase() != channel.PhaseFailed {
		return
	}
	st := e.m.State()
	if st.DataLoss || st.ID.IsZero() || st.LocalSig == (lnwire.Sig{}) {
		return
	}
	if n.cfg.Chain == nil {
		return
	}
	n.log.Warn("channel failed: force closing", "channel", st.ID, "reason", st.FailReason)
	if err := n.step(e, channel.ForceClose{}); err != nil {
		n.log.Error("force close failed channel", "channel", st.ID, "err", err)
	}
}

// apply carries out one step's output with chans.mu held: the state is
// saved before any message leaves (persist, then speak), then the effects
// run, which may feed further events. before is the channel's id before
// the step (an opening's temporary id changes when funding is known).
func (n *Node) apply(e *chanEntry, before lnwire.ChannelID, out *channel.Output) error {
	if out.Persist {
		if serr := n.saveChannel(e.m, out.RemoteCommit); serr != nil {
			// DESIGN.md: storage that fails to write stops the channel:
			// nothing is sent on unsaved state.
			n.log.Error("channel state not saved; not sending", "channel", e.m.ID(), "err", serr)
			n.rewind(e)
			return fmt.Errorf("save channel: %w", serr)
		}
	}
	if id := e.m.ID(); id != before {
		delete(n.chans.byID, before)
		n.chans.byID[id] = e
	}
	n.sendAll(e, out.Msgs)
	for _, eff := range out.Effects {
		if ferr := n.effect(e, eff); ferr != nil {
			n.log.Error("channel effect failed", "channel", e.m.ID(), "effect", fmt.Sprintf("%T", eff), "err", ferr)
		}
	}
	return nil
}

// rewind puts a channel whose new state could not be stored back to the
// state storage holds, and drops the peer's connection. The machine had
// moved on in memory: a reestablish from there would retransmit messages
// (a commitment_signed) for a state that is not stored, and a payment
// failed for the refused write would leave its HTLC in memory, to be sent
// later. From the stored state the reestablish is one the peer can always
// follow, since nothing of the unsaved state left. A channel never stored
// (an opening) has nothing to go back to and stays as it is.
func (n *Node) rewind(e *chanEntry) {
	id := e.m.ID()
	var raw []byte
	err := n.cfg.Store.View(func(tx store.Tx) error {
		v, err := tx.Get(bucketChannels, id[:])
		raw = v
		return err
	})
	if err != nil || raw == nil {
		n.log.Error("rewind channel: no stored state", "channel", id, "err", err)
		return
	}
	st, err := channel.DecodeState(raw)
	if err != nil {
		n.log.Error("rewind channel", "channel", id, "err", err)
		return
	}
	e.m = e.m.Rewound(st)
	if p := n.connectedPeer(e.peer); p != nil {
		p.Close()
	}
}

// sendAll sends msgs to the channel's peer if it is connected; a channel
// offline retransmits at the reestablish.
func (n *Node) sendAll(e *chanEntry, msgs []lnwire.Message) {
	p := n.connectedPeer(e.peer)
	for _, m := range msgs {
		if p == nil {
			return
		}
		if err := p.Send(m); err != nil {
			n.log.Warn("send to peer", "peer", e.peer, "msg", m.Type(), "err", err)
			return
		}
	}
}

// failOpen ends a waiting OpenChannel with err.
func (n *Node) failOpen(e *chanEntry, err error) {
	if e.opened != nil && e.m.Phase() >= channel.PhaseFailed {
		select {
		case e.opened <- err:
		default:
		}
	}
}

// effect carries out what a channel asks of its host.
func (n *Node) effect(e *chanEntry, eff channel.Effect) error {
	switch f := eff.(type) {
	case channel.NeedFunding:
		return n.fund(e, f)
	case channel.PublishFunding:
		return n.publishFunding(e, f)
	case channel.ReleaseFunding:
		n.releaseFunding(e, f.LeaseID)
	case channel.WatchFunding:
		if err := n.ensureSpendWatch(e); err != nil {
			return err
		}
		return n.watchFunding(e, f)
	case channel.PublishClose:
		return n.publishClose(e, f)
	case channel.PublishCommitment:
		return n.publishCommitment(e, f)
	case channel.Notify:
		n.notify(e, f)
	}
	return nil
}

// fund leases wallet coins for the funding output and signs them at once,
// so the funding txid is final (a nested-segwit input's scriptSig is part
// of it). The signed transaction is stored, not broadcast.
func (n *Node) fund(e *chanEntry, f channel.NeedFunding) error {
	fail := func(err error) error {
		if serr := n.step(e, channel.FundingFailed{Err: err}); serr != nil {
			n.log.Warn("funding failed", "err", serr)
		}
		n.failOpen(e, err)
		return err
	}
	w, err := n.theWallet()
	if err != nil {
		return fail(err)
	}
	lease, err := w.Fund([]*wire.TxOut{wire.NewTxOut(f.AmountSat, f.PkScript)}, chain.SatPerKWeight(f.FeeratePerKw))
	if err != nil {
		return fail(err)
	}
	tx, idx, err := n.signFunding(lease.ID, lease.Packet, f.PkScript)
	if err != nil {
		_ = w.Release(lease.ID)
		return fail(err)
	}
	return n.step(e, channel.FundingReady{LeaseID: lease.ID, Outpoint: wire.OutPoint{Hash: tx.TxHash(), Index: idx}})
}

func (n *Node) signFunding(id string, p *psbt.Packet, pk []byte) (*wire.MsgTx, uint32, error) {
	w, err := n.theWallet()
	if err != nil {
		return nil, 0, err
	}
	if err := w.SignLease(id, p); err != nil {
		return nil, 0, err
	}
	tx, err := psbt.Extract(p)
	if err != nil {
		return nil, 0, fmt.Errorf("funding tx: %w", err)
	}
	idx := -1
	for i, o := range tx.TxOut {
		if bytes.Equal(o.PkScript, pk) {
			idx = i
		}
	}
	if idx < 0 {
		return nil, 0, errors.New("funding tx: no funding output")
	}
	var buf bytes.Buffer
	if err := tx.Serialize(&buf); err != nil {
		return nil, 0, err
	}
	err = n.cfg.Store.Update(func(t store.Tx) error { return t.Put(bucketFunding, []byte(id), buf.Bytes()) })
	if err != nil {
		return nil, 0, fmt.Errorf("store funding tx: %w", err)
	}
	return tx, uint32(idx), nil
}

// fundingTx loads a stored signed funding transaction.
func (n *Node) fundingTx(id string) (*wire.MsgTx, error) {
	var raw []byte
	err := n.cfg.Store.View(func(t store.Tx) (err error) {
		raw, err = t.Get(bucketFunding, []byte(id))
		return err
	})
	if err != nil || raw == nil {
		return nil, fmt.Errorf("funding tx of lease %s: not stored (%v)", id, err)
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(raw)); err != nil {
		return nil, err
	}
	return &tx, nil
}

// publishFunding broadcasts the funding transaction: the peer's signature
// on our first commitment is on disk.
func (n *Node) publishFunding(e *chanEntry, f channel.PublishFunding) error {
	w, err := n.theWallet()
	if err == nil {
		var tx *wire.MsgTx
		if tx, err = n.fundingTx(f.LeaseID); err == nil {
			err = w.PublishLease(f.LeaseID, tx)
		}
	}
	if e.opened != nil {
		select {
		case e.opened <- err:
		default:
		}
	}
	return err
}

func (n *Node) releaseFunding(e *chanEntry, id string) {
	if id == "" {
		return
	}
	if w, err := n.theWallet(); err == nil {
		if err := w.Release(id); err != nil {
			n.log.Warn("release funding lease", "lease", id, "err", err)
		}
	}
}
