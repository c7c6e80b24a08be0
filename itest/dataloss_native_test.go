package itest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/btcsuite/btcd/wire"

	"lnwasm/node/channel"
	"lnwasm/node/store"
)

// TestNativeDataLoss: our node is restarted on a copy of its store taken
// before lnd paid us 50,000 sat. At the reestablish lnd proves our state
// stale; we refuse to broadcast our (revoked) commitment, and once lnd
// closes we sweep our output of lnd's commitment: the balance we really
// had, not the stale one.
func TestNativeDataLoss(t *testing.T) {
	t.Parallel()
	d, log, peer := playgroundWithLnd(t, "keeper", 100_000)
	st := store.NewMemory()
	n, backend := nativeNodeOn(t, d, log, 1_000_000, st)
	point := openTo(t, d, backend, n, peer, 600_000, 100_000, "anchors")
	stale := st.Clone()
	staleSat := ourChannel(n, point).LocalMsat / 1000
	lndPaysUs(t, n, peer, 50_000)
	waitFor(t, 30*time.Second, "our balance up by 50,000 sat", func() (bool, string) {
		c := ourChannel(n, point)
		return c.LocalMsat/1000 == staleSat+50_000, fmt.Sprint(c.LocalMsat)
	})
	if err := n.LockWallet(); err != nil {
		t.Fatal(err)
	}
	if err := backend.Stop(); err != nil {
		t.Fatal(err)
	}

	// The node comes back on the stale store.
	n2, backend2 := nativeNodeWith(t, d, log, stale)
	if err := n2.UnlockWallet("correct horse"); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n2.Connect(ctx, peer.Pubkey, peer.P2PAddr); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "we learn our state is stale", func() (bool, string) {
		c := ourChannel(n2, point)
		return c.DataLoss, fmt.Sprintf("%+v", c)
	})
	if _, err := n2.CloseChannel(context.Background(), point, 0, true); !errors.Is(err, channel.ErrDataLoss) {
		t.Errorf("force close of a stale channel: %v, want ErrDataLoss", err)
	}
	op, _ := wire.NewOutPointFromString(point)
	var commit string
	waitFor(t, 60*time.Second, "lnd closes (our error asks it to) and only its commitment is broadcast", func() (bool, string) {
		pool, _ := d.Btcd.RPC().GetRawMempool()
		for _, h := range pool {
			tx, err := d.Btcd.RPC().GetRawTransaction(h)
			if err == nil && tx.MsgTx().TxIn[0].PreviousOutPoint == *op {
				commit = h.String()
				return true, ""
			}
		}
		return false, fmt.Sprint(pool)
	})
	if lc := lndChannelOf(peer, point); lc != nil {
		t.Logf("lnd still lists the channel: %+v", lc)
	}
	before, _ := n2.WalletBalance()
	mineWait(t, d, backend2, 1)
	time.Sleep(3 * time.Second)
	mineWait(t, d, backend2, 1)
	c := waitResolved(t, n2, point, "REMOTE_FORCE_CLOSE", before.ConfirmedSat)
	if c.CloseLocalSat <= int64(staleSat) || c.CloseLocalSat < int64(staleSat)+50_000-1_000 {
		t.Errorf("swept %d sat; we had %d (stale state: %d)", c.CloseLocalSat, staleSat+50_000, staleSat)
	}
	t.Logf("lnd's commitment %s; we swept %d sat of our real %d (stale state said %d)", commit, c.CloseLocalSat, staleSat+50_000, staleSat)
}
