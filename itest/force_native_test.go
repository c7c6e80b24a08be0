package itest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/chain"
	"lnwasm/node"
	"lnwasm/node/channel"
	"lnwasm/server/devnet"
)

// mineUntilSpent mines a block at a time (at most max) until a mempool
// transaction spends an output of txid, and returns how many it mined.
func mineUntilSpent(t testing.TB, d *devnet.Devnet, backend *chain.Neutrino, txid chainhash.Hash, max int) int {
	t.Helper()
	for i := 0; i <= max; i++ {
		deadline := time.Now().Add(3 * time.Second)
		for time.Now().Before(deadline) {
			if spenderInMempool(d, txid) != nil {
				return i
			}
			time.Sleep(100 * time.Millisecond)
		}
		mineWait(t, d, backend, 1)
	}
	t.Fatalf("no spend of %s after %d blocks", txid, max)
	return 0
}

// waitResolved waits until the channel is closed with kind and the wallet
// holds before plus what the resolution swept.
func waitResolved(t testing.TB, n *node.Node, point, kind string, before int64) *channel.Info {
	t.Helper()
	var c *channel.Info
	waitFor(t, 60*time.Second, "channel resolved as "+kind+", wallet credited", func() (bool, string) {
		c = ourChannel(n, point)
		b, _ := n.WalletBalance()
		return c.Phase == channel.PhaseClosed && b.ConfirmedSat == before+c.CloseLocalSat && c.CloseLocalSat > 0,
			fmt.Sprintf("%s %s got %d, wallet %+v (before %d)", c.Phase, c.CloseKind, c.CloseLocalSat, b, before)
	})
	if c.CloseKind != kind {
		t.Errorf("closed as %s, want %s", c.CloseKind, kind)
	}
	return c
}

// TestNativeForceClose: we force close and get our balance back after
// lnd's to_self_delay; lnd force closes with our HTLC in flight and we
// sweep to_remote at once and time the HTLC out back to us.
func TestNativeForceClose(t *testing.T) {
	t.Parallel()
	d, log, peer := playgroundWithLnd(t, "peer", 100_000)
	n, backend := nativeNode(t, d, log, 1_500_000)

	t.Run("we force close", func(t *testing.T) {
		point := openTo(t, d, backend, n, peer, 500_000, 100_000, "anchors")
		local := ourChannel(n, point).LocalMsat / 1000
		before, _ := n.WalletBalance()
		txid, err := n.CloseChannel(context.Background(), point, 0, true)
		if err != nil {
			t.Fatal(err)
		}
		waitFor(t, 30*time.Second, "our commitment in btcd's mempool", func() (bool, string) {
			pool, _ := d.Btcd.RPC().GetRawMempool()
			return fmt.Sprint(pool) == "["+txid+"]", fmt.Sprint(pool)
		})
		if c := ourChannel(n, point); c.Phase != channel.PhaseForceClosing {
			t.Errorf("phase %s after force close", c.Phase)
		}
		mineWait(t, d, backend, 1)
		confirmed, _ := d.Btcd.Height()
		var claims []node.ClaimInfo
		waitFor(t, 30*time.Second, "our to_local claim listed", func() (bool, string) {
			_, claims, _ = n.Claims(point)
			return len(claims) == 1 && claims[0].What == "to_local", fmt.Sprintf("%+v", claims)
		})
		mature := int64(claims[0].MatureHeight)
		if mature-confirmed < 144 {
			t.Fatalf("to_local matures at %d, %d blocks after the commitment: want lnd's to_self_delay (>= 144)", mature, mature-confirmed)
		}
		// One block short of maturity: nothing of ours may be broadcast.
		mineWait(t, d, backend, uint32(mature-confirmed-2))
		time.Sleep(2 * time.Second)
		if _, c, _ := n.Claims(point); c[0].SweepTxid != "" {
			t.Fatalf("to_local sweep built at height %d, before it matures at %d", mature-2, mature)
		}
		mineWait(t, d, backend, 1)
		waitFor(t, 30*time.Second, "our to_local sweep in btcd's mempool", func() (bool, string) {
			_, c, _ := n.Claims(point)
			if c[0].SweepTxid == "" {
				return false, "not built"
			}
			return inMempool(d, c[0].SweepTxid), c[0].SweepTxid
		})
		t.Logf("to_local (%d sat) swept at height %d, %d blocks after the commitment", claims[0].ValueSat, mature, mature-confirmed)
		mineWait(t, d, backend, 1)
		c := waitResolved(t, n, point, "LOCAL_FORCE_CLOSE", before.ConfirmedSat)
		if int64(local)-c.CloseLocalSat > 2_000 || c.CloseLocalSat > int64(local) {
			t.Errorf("swept %d sat of our %d sat balance", c.CloseLocalSat, local)
		}
		waitFor(t, 30*time.Second, "lnd lists the channel closed", func() (bool, string) {
			var res struct {
				Channels []struct {
					ChannelPoint string `json:"channel_point"`
					CloseType    string `json:"close_type"`
				} `json:"channels"`
			}
			_ = peer.CLI(context.Background(), &res, "closedchannels")
			for _, ch := range res.Channels {
				if ch.ChannelPoint == point {
					return ch.CloseType == "REMOTE_FORCE_CLOSE", ch.CloseType
				}
			}
			return false, "not listed"
		})
	})

	t.Run("lnd force closes with our HTLC in flight", func(t *testing.T) {
		point := openTo(t, d, backend, n, peer, 500_000, 100_000, "anchors")
		req, _, rawHash := heldInvoice(t, peer, 20_000)
		hash := fmt.Sprintf("%x", rawHash)
		payDone := make(chan error, 1)
		go func() {
			_, err := n.SendPayment(context.Background(), node.SendPaymentRequest{PaymentRequest: req, Timeout: 10 * time.Minute})
			payDone <- err
		}()
		waitInvoiceState(t, peer, hash, "ACCEPTED")
		before, _ := n.WalletBalance()
		commit := lndForceCloses(t, d, peer, point)
		mineWait(t, d, backend, 1)
		mineUntilSpent(t, d, backend, commit, 3)
		mineWait(t, d, backend, 1)
		waitFor(t, 30*time.Second, "to_remote swept", func() (bool, string) {
			b, _ := n.WalletBalance()
			return b.ConfirmedSat > before.ConfirmedSat+350_000, fmt.Sprintf("%+v", b)
		})
		var htlc node.ClaimInfo
		for _, c := range mustClaims(t, n, point) {
			if c.What == "htlc" {
				htlc = c
			}
		}
		if htlc.MatureHeight == 0 || htlc.WatchOnly {
			t.Fatalf("no HTLC timeout claim: %+v", mustClaims(t, n, point))
		}
		// Up to two blocks before the HTLC's expiry nothing is swept.
		h, _ := d.Btcd.Height()
		mineWait(t, d, backend, uint32(int64(htlc.MatureHeight)-h-2))
		time.Sleep(2 * time.Second)
		if spenderInMempool(d, commit) != nil {
			t.Fatalf("HTLC swept before its expiry (matures at %d)", htlc.MatureHeight)
		}
		blocks := mineUntilSpent(t, d, backend, commit, 3)
		t.Logf("HTLC (%d sat) timed out at height %d, %d blocks after the one before expiry", htlc.ValueSat, htlc.MatureHeight, blocks)
		mineWait(t, d, backend, 1)
		c := waitResolved(t, n, point, "REMOTE_FORCE_CLOSE", before.ConfirmedSat)
		if c.CloseLocalSat < 395_000 {
			t.Errorf("swept %d sat: want our ~380,000 sat and the 20,000 sat HTLC back", c.CloseLocalSat)
		}
		select {
		case err := <-payDone:
			if err == nil {
				t.Error("the payment succeeded though its HTLC timed out on-chain")
			}
			t.Logf("payment: %v", err)
		case <-time.After(30 * time.Second):
			t.Error("the payment is still waiting after its HTLC timed out on-chain")
		}
	})
}

// inMempool reports whether btcd's mempool holds txid.
func inMempool(d *devnet.Devnet, txid string) bool {
	pool, _ := d.Btcd.RPC().GetRawMempool()
	for _, h := range pool {
		if h.String() == txid {
			return true
		}
	}
	return false
}

// mustClaims is our node's claims on a force-closed channel.
func mustClaims(t testing.TB, n *node.Node, point string) []node.ClaimInfo {
	t.Helper()
	_, c, err := n.Claims(point)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
