package node

import (
	"fmt"

	"lnwasm/node/channel"
	"lnwasm/node/keys"
	"lnwasm/node/store"
)

// loadChannels restores every stored channel after the wallet unlocks,
// resumes what each was waiting for, and rebroadcasts a funding
// transaction a reload may have interrupted.
func (n *Node) loadChannels(ring *keys.Ring) error {
	var states []*channel.State
	err := n.cfg.Store.View(func(tx store.Tx) error {
		return tx.ForEach(bucketChannels, func(_, v []byte) error {
			st, err := channel.DecodeState(v)
			if err != nil {
				return err
			}
			states = append(states, st)
			return nil
		})
	})
	if err != nil {
		return fmt.Errorf("load channels: %w", err)
	}
	n.chans.mu.Lock()
	defer n.chans.mu.Unlock()
	for _, st := range states {
		k, err := channel.DeriveLocalKeys(ring, st.KeyIndex)
		if err != nil {
			return fmt.Errorf("load channels: %w", err)
		}
		m := channel.Restore(st, k, n.chanPolicy(), n.log)
		e := &chanEntry{m: m, peer: st.Peer.String()}
		n.chans.byID[st.ID] = e
		effects, err := m.Resume()
		if err != nil {
			n.log.Error("resume channel", "channel", st.ID, "err", err)
			continue
		}
		if st.Opener && st.Phase == channel.PhaseAwaitLocked && n.cfg.Chain != nil {
			if tx, err := n.fundingTx(st.LeaseID); err == nil {
				_ = n.cfg.Chain.Broadcast(tx)
			}
		}
		for _, eff := range effects {
			if err := n.effect(e, eff); err != nil {
				n.log.Warn("resume channel", "channel", st.ID, "err", err)
			}
		}
		n.resumeResolution(e)
	}
	return nil
}
