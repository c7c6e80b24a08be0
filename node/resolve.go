package node

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node/channel"
	"lnwasm/node/lnwire"
	"lnwasm/node/onchain"
	"lnwasm/node/pay"
	"lnwasm/node/store"
)

// The buckets of on-chain resolution: every peer commitment we signed
// (the revocation log, by channel id and number) and each force-closed
// channel's resolution (by channel id).
var (
	bucketRevlog      = []byte("revlog")
	bucketResolutions = []byte("resolutions")
)

func revlogKey(id lnwire.ChannelID, n uint64) []byte {
	return binary.BigEndian.AppendUint64(append([]byte(nil), id[:]...), n)
}

// remoteCommit reads the revocation log's entry for the peer's commitment n.
func (n *Node) remoteCommit(id lnwire.ChannelID, num uint64) (*channel.RemoteCommit, error) {
	var raw []byte
	err := n.cfg.Store.View(func(tx store.Tx) (err error) {
		raw, err = tx.Get(bucketRevlog, revlogKey(id, num))
		return err
	})
	if err != nil || raw == nil {
		return nil, err
	}
	var rc channel.RemoteCommit
	if err := json.Unmarshal(raw, &rc); err != nil {
		return nil, fmt.Errorf("revocation log %s/%d: %w", id, num, err)
	}
	return &rc, nil
}

// saveResolution persists a channel's resolution: before anything it
// produced is broadcast, so a reload resumes exactly there.
func (n *Node) saveResolution(id lnwire.ChannelID, r *onchain.Resolution) error {
	b, err := r.Encode()
	if err != nil {
		return err
	}
	return n.cfg.Store.Update(func(tx store.Tx) error { return tx.Put(bucketResolutions, id[:], b) })
}

func (n *Node) loadResolution(id lnwire.ChannelID) (*onchain.Resolution, error) {
	var raw []byte
	err := n.cfg.Store.View(func(tx store.Tx) (err error) {
		raw, err = tx.Get(bucketResolutions, id[:])
		return err
	})
	if err != nil || raw == nil {
		return nil, err
	}
	return onchain.Decode(raw)
}

// watchFundingSpend reports the transaction that spends a funded
// channel's funding output, whoever broadcast it.
func (n *Node) watchFundingSpend(e *chanEntry) error {
	if n.cfg.Chain == nil {
		return ErrNoChain
	}
	st := e.m.State()
	pk, err := e.m.FundingPkScript()
	if err != nil {
		return err
	}
	hint := st.FundingHeight
	switch {
	case hint == 0 && st.Restored:
		// A channel restored while its funding was unconfirmed: the
		// funding, and so its spend, came after the wallet's birthday.
		if hint, err = n.birthday(); err != nil {
			return fmt.Errorf("watch funding spend: %w", err)
		}
	case hint == 0:
		hint = n.heightHint()
	}
	ev, err := n.cfg.Chain.RegisterSpend(chain.SpendRequest{OutPoint: st.FundingOutpoint(), PkScript: pk, HeightHint: hint})
	if err != nil {
		return fmt.Errorf("watch funding spend: %w", err)
	}
	e.cancel = append(e.cancel, ev.Cancel)
	go func() {
		for d := range ev.Spend {
			n.onFundingSpent(e, d)
		}
	}()
	return nil
}

// onFundingSpent classifies a funding spend and starts its resolution; the
// agreed cooperative closing transaction is left to the channel.
func (n *Node) onFundingSpent(e *chanEntry, d chain.SpendDetail) {
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	st := e.m.State()
	if e.res != nil || (len(st.Close.Tx) > 0 && !st.Close.Force && d.SpenderTxHash == st.Close.Txid) {
		return
	}
	r, err := onchain.Classify(e.m, d.SpendingTx, d.SpendingHeight,
		func(num uint64) (*channel.RemoteCommit, error) { return n.remoteCommit(st.ID, num) }, n.settledPreimage)
	if err != nil {
		n.log.Error("classify funding spend", "channel", st.ID, "txid", d.SpenderTxHash, "err", err)
		return
	}
	n.adoptCPFP(e, r)
	n.log.Warn("channel closed on-chain", "channel", st.ID, "kind", r.Kind, "txid", d.SpenderTxHash,
		"height", d.SpendingHeight, "claims", len(r.Claims))
	if err := n.saveResolution(st.ID, r); err != nil {
		n.log.Error("save resolution", "channel", st.ID, "err", err)
		return
	}
	e.res = r
	ours := r.Kind == onchain.KindLocalForce
	if err := n.step(e, channel.FundingSpent{Txid: d.SpenderTxHash, Height: d.SpendingHeight, Ours: ours}); err != nil {
		n.log.Warn("funding spent", "channel", st.ID, "err", err)
	}
	n.advance(e, n.tipHeight())
}

// tipHeight is the chain's best height (0 if unknown).
func (n *Node) tipHeight() uint32 {
	if n.cfg.Chain == nil {
		return 0
	}
	b, err := n.cfg.Chain.BestBlock()
	if err != nil {
		return 0
	}
	return b.Height
}

// advance moves a resolution to height with chans.mu held: watch its
// outpoints, sweep what matured, persist, then broadcast; a finished one
// closes the channel.
func (n *Node) advance(e *chanEntry, height uint32) {
	r := e.res
	n.watchClaims(e)
	if r.Done {
		n.finishResolution(e)
		return
	}
	txs, err := r.Step(height, n.resolutionHost(e))
	if err != nil {
		n.log.Error("resolution step", "channel", e.m.ID(), "err", err)
	}
	released := r.TakeReleased()
	if err := n.saveResolution(e.m.ID(), r); err != nil {
		n.log.Error("save resolution; not broadcasting", "channel", e.m.ID(), "err", err)
		return
	}
	n.releaseFunded(released)
	for _, tx := range txs {
		if err := n.cfg.Chain.Broadcast(tx); err != nil {
			n.log.Debug("broadcast sweep", "txid", tx.TxHash(), "err", err)
		}
	}
}

// watchClaims registers a spend watch for every open claim not yet
// watched.
func (n *Node) watchClaims(e *chanEntry) {
	if e.watched == nil {
		e.watched = map[wire.OutPoint]bool{}
	}
	for _, w := range e.res.Watches() {
		if e.watched[w.OutPoint] {
			continue
		}
		ev, err := n.cfg.Chain.RegisterSpend(chain.SpendRequest{OutPoint: w.OutPoint, PkScript: w.PkScript,
			HeightHint: e.res.CommitHeight})
		if err != nil {
			n.log.Warn("watch claim", "outpoint", w.OutPoint, "err", err)
			continue
		}
		e.watched[w.OutPoint] = true
		e.cancel = append(e.cancel, ev.Cancel)
		go func() {
			for d := range ev.Spend {
				n.onClaimSpent(e, d)
			}
		}()
	}
}

// onClaimSpent takes a confirmed spend of a claimed outpoint.
func (n *Node) onClaimSpent(e *chanEntry, d chain.SpendDetail) {
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	if e.res == nil {
		return
	}
	outcomes := e.res.Spent(d.SpentOutPoint, d.SpendingTx, d.SpenderInIndex, d.SpendingHeight)
	n.advance(e, n.tipHeight())
	for _, o := range outcomes {
		n.htlcOnChain(e, o)
	}
}

// htlcOnChain tells the payer how an HTLC of ours ended on-chain.
func (n *Node) htlcOnChain(e *chanEntry, o onchain.Outcome) {
	n.log.Info("HTLC resolved on-chain", "channel", e.m.ID(), "htlc", o.HTLCID,
		"hash", fmt.Sprintf("%x", o.PaymentHash), "fulfilled", o.Fulfilled)
	ps, err := n.payments()
	if err != nil {
		return
	}
	ref := pay.HTLCRef{Channel: e.m.ID(), ID: o.HTLCID}
	if o.Fulfilled {
		ps.payer.Settled(ref, o.PaymentHash, o.AmountMsat, o.Preimage)
		return
	}
	ps.payer.Failed(ref, o.PaymentHash, o.AmountMsat, nil, 0)
}

// finishResolution closes the channel once its resolution is done.
func (n *Node) finishResolution(e *chanEntry) {
	if e.m.Phase() != channel.PhaseForceClosing {
		return
	}
	r := e.res
	if err := n.saveResolution(e.m.ID(), r); err != nil {
		n.log.Error("save resolution", "err", err)
		return
	}
	if err := n.step(e, channel.Resolved{Kind: r.Kind, LocalSat: r.NetSat(), Height: r.DoneHeight}); err != nil {
		n.log.Warn("resolved", "channel", e.m.ID(), "err", err)
	}
}

// watchBlocks drives every resolution and rebroadcasts our unconfirmed
// commitments, block by block, until ctx ends.
func (n *Node) watchBlocks(ctx context.Context) error {
	if n.cfg.Chain == nil {
		return nil
	}
	sub, err := n.cfg.Chain.SubscribeBlocks()
	if err != nil {
		return fmt.Errorf("subscribe blocks: %w", err)
	}
	go func() {
		defer sub.Cancel()
		for {
			select {
			case <-ctx.Done():
				return
			case ev, ok := <-sub.Events:
				if !ok {
					return
				}
				if !ev.Disconnected {
					n.onBlock(ev.Block.Height)
				}
			}
		}
	}()
	return nil
}

// onBlock advances every force-closing channel.
func (n *Node) onBlock(height uint32) {
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	for _, e := range n.chans.byID {
		switch {
		case e.res != nil && !e.res.Done:
			n.advance(e, height)
		case e.res == nil && e.m.Phase() == channel.PhaseForceClosing:
			n.rebroadcastCommitment(e)
		}
	}
}

// rebroadcastCommitment sends our force-close commitment again until its
// spend of the funding output is seen.
func (n *Node) rebroadcastCommitment(e *chanEntry) {
	st := e.m.State()
	if !st.Close.WeInitiated || len(st.Close.Tx) == 0 {
		return
	}
	var tx wire.MsgTx
	if err := tx.Deserialize(bytes.NewReader(st.Close.Tx)); err != nil {
		return
	}
	if err := n.cfg.Chain.Broadcast(&tx); err != nil {
		n.log.Debug("rebroadcast commitment", "txid", tx.TxHash(), "err", err)
	}
	n.bumpCommitment(e, &tx)
}

// ensureSpendWatch watches a funded channel's funding output once.
func (n *Node) ensureSpendWatch(e *chanEntry) error {
	if e.spendWatch || n.cfg.Chain == nil {
		return nil
	}
	if err := n.watchFundingSpend(e); err != nil {
		return err
	}
	e.spendWatch = true
	return nil
}

// publishCommitment broadcasts our signed commitment (force close).
func (n *Node) publishCommitment(e *chanEntry, f channel.PublishCommitment) error {
	if n.cfg.Chain == nil {
		return ErrNoChain
	}
	if err := n.ensureSpendWatch(e); err != nil {
		return err
	}
	n.log.Warn("force close: broadcasting our commitment", "channel", e.m.ID(), "txid", f.Tx.TxHash())
	if err := n.cfg.Chain.Broadcast(f.Tx); err != nil {
		return fmt.Errorf("broadcast commitment %s: %w", f.Tx.TxHash(), err)
	}
	n.bumpCommitment(e, f.Tx)
	return nil
}

// resumeResolution restores a channel's on-chain state after a reload:
// its resolution if a commitment closed it, else a watch on its funding
// output.
func (n *Node) resumeResolution(e *chanEntry) {
	st := e.m.State()
	if st.Phase < channel.PhaseAwaitLocked || st.Phase == channel.PhaseClosed || n.cfg.Chain == nil {
		return
	}
	r, err := n.loadResolution(st.ID)
	if err != nil {
		n.log.Error("load resolution", "channel", st.ID, "err", err)
	}
	if r != nil {
		e.res = r
		n.advance(e, n.tipHeight())
		return
	}
	if err := n.ensureSpendWatch(e); err != nil {
		n.log.Warn("watch funding spend", "channel", st.ID, "err", err)
	}
	if st.Phase == channel.PhaseForceClosing {
		n.rebroadcastCommitment(e)
	}
}

// ClaimInfo is one output a force-closed channel still owes us, as a
// wallet shows it: what it is, how much, and from which block it can be
// (or was) swept.
type ClaimInfo struct {
	What         string
	ValueSat     int64
	MatureHeight uint32
	SweepTxid    string
	Done         bool
	WatchOnly    bool
}

// Claims says how a force-closed channel closed (BREACH_CLOSE,
// LOCAL_FORCE_CLOSE, REMOTE_FORCE_CLOSE) and lists its on-chain claims;
// "" and nil while no commitment has confirmed.
func (n *Node) Claims(point string) (string, []ClaimInfo, error) {
	e, err := n.findChannel(point)
	if err != nil {
		return "", nil, err
	}
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	if e.res == nil {
		return "", nil, nil
	}
	out := make([]ClaimInfo, 0, len(e.res.Claims))
	for _, c := range e.res.Claims {
		ci := ClaimInfo{What: c.What, ValueSat: c.ValueSat, MatureHeight: c.MatureHeight, Done: c.Done, WatchOnly: c.WatchOnly}
		if c.SweepTxid != (chainhash.Hash{}) {
			ci.SweepTxid = c.SweepTxid.String()
		}
		out = append(out, ci)
	}
	return e.res.Kind, out, nil
}
