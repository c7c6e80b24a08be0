package itest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"lnwasm/node/channel"
	"lnwasm/server/devnet"
)

// lndChannelOf finds a channel point in an lnd's listchannels.
func lndChannelOf(l *devnet.Lnd, point string) *lndChannel {
	var res struct {
		Channels []lndChannel `json:"channels"`
	}
	if err := l.CLI(context.Background(), &res, "listchannels"); err != nil {
		return nil
	}
	for i := range res.Channels {
		if res.Channels[i].ChannelPoint == point {
			return &res.Channels[i]
		}
	}
	return nil
}

// TestNativeFollowsLndUpdateFee: lnd opens a channel to us and, as its
// fee estimate moves up and then down, sends update_fee; we follow, and
// both sides end each time on the same commitment fee rate. The lnd here
// is EnsureLndFastFee's: stock lnd checks its estimate only every 10 to 60
// minutes.
func TestNativeFollowsLndUpdateFee(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	d, log := startPlayground(t)
	fees, err := devnet.StartFeeAPI(10) // 2500 sat/kw
	if err != nil {
		t.Fatal(err)
	}
	defer fees.Close()
	bin, err := devnet.EnsureLndFastFee(ctx)
	if err != nil {
		t.Fatal(err)
	}
	bot, err := d.StartLnd(ctx, "feebot", bin, 2_000_000, "--fee.url="+fees.URL())
	if err != nil {
		t.Fatal(err)
	}
	n, backend := nativeNode(t, d, log, 50_000)
	if err := n.Connect(ctx, bot.Pubkey, bot.P2PAddr); err != nil {
		t.Fatal(err)
	}
	var res struct {
		FundingTxid string `json:"funding_txid"`
		OutputIndex int    `json:"output_index"`
	}
	if err := bot.CLI(ctx, &res, "openchannel", "--node_key", n.IdentityPubkey(), "--local_amt", "400000", "--channel_type", "tweakless"); err != nil {
		t.Fatalf("lnd opens to us: %v", err)
	}
	point := fmt.Sprintf("%s:%d", res.FundingTxid, res.OutputIndex)
	mineWait(t, d, backend, 3)
	waitFor(t, 90*time.Second, "the channel active on both sides", func() (bool, string) {
		ours, lc := ourChannel(n, point), lndChannelOf(bot, point)
		return ours != nil && lc != nil && ours.Phase == channel.PhaseNormal && lc.Active, fmt.Sprintf("%+v %+v", ours, lc)
	})
	for _, rate := range []int64{40, 20} { // 10000, then 5000 sat/kw
		fees.Set(rate)
		want := fmt.Sprint(rate * 250)
		waitFor(t, 60*time.Second, "lnd's update_fee to "+want+" sat/kw, and we follow", func() (bool, string) {
			ours, lc := ourChannel(n, point), lndChannelOf(bot, point)
			if ours == nil || lc == nil {
				return false, "channel missing"
			}
			return lc.FeePerKw == want && fmt.Sprint(ours.FeeratePerKw) == want && lc.Active && ours.Phase == channel.PhaseNormal,
				fmt.Sprintf("lnd %s sat/kw active=%v, ours %d %s", lc.FeePerKw, lc.Active, ours.FeeratePerKw, ours.Phase)
		})
	}
}
