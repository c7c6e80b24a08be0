package itest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// hubChannelsJSON is the playground's GET /devnet/hub/channels.
type hubChannelsJSON struct {
	Channels []lndChannel `json:"channels"`
}

// TestPageChannelOpenClose: from the page in Chromium, open an anchors
// channel to the playground's hub with the form, watch it become active on
// both sides, close it with its button, and see the wallet get the
// closing output back.
func TestPageChannelOpenClose(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := newBrowser(t, "")
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, ctx, s.info(t).Height)
	if got := call(t, ctx, "createWallet", `{password: "correct horse battery"}`); !strings.Contains(got, "mnemonic") {
		t.Fatal(got)
	}
	if err := runFor(ctx, 60*time.Second, chromedp.WaitVisible("#faucet", chromedp.ByQuery), chromedp.Click("#faucet", chromedp.ByQuery)); err != nil {
		t.Fatalf("faucet: %v", err)
	}
	waitFor(t, 90*time.Second, "the faucet's coins", func() (bool, string) {
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		return b.ConfirmedSat == 1_000_000, fmt.Sprintf("%+v", b)
	})
	if err := runFor(ctx, 30*time.Second, chromedp.Click("#connect-hub", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "connected to the hub", func() (bool, string) {
		got := pageText(ctx, "#peers-status")
		return got == "Connected.", got
	})
	err := runFor(ctx, 30*time.Second,
		chromedp.SetValue("#open-amount", "300000", chromedp.ByQuery),
		chromedp.Click("#open-submit", chromedp.ByQuery))
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, 90*time.Second, "the funding transaction published", func() (bool, string) {
		got := pageText(ctx, "#channels-status")
		return strings.HasPrefix(got, "Funding transaction published"), got
	})
	s.mine(t, 3)
	var point string
	waitFor(t, 90*time.Second, "the channel active on the page and at the hub", func() (bool, string) {
		var rows []map[string]string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("#channel-rows tr")].map(r => ({point: r.dataset.channelPoint || "", state: r.dataset.state || ""}))`, &rows))
		var hub hubChannelsJSON
		s.getJSON(t, "/devnet/hub/channels", &hub)
		if len(rows) != 1 || len(hub.Channels) != 1 {
			return false, fmt.Sprintf("page %v, hub %+v", rows, hub)
		}
		point = rows[0]["point"]
		return rows[0]["state"] == "active" && hub.Channels[0].Active && hub.Channels[0].ChannelPoint == point,
			fmt.Sprintf("page %v, hub %+v", rows, hub.Channels[0])
	})
	var listed struct {
		Channels []struct {
			LocalBalanceSat int64  `json:"localBalanceSat"`
			CommitmentType  string `json:"commitmentType"`
		} `json:"channels"`
	}
	if err := json.Unmarshal([]byte(call(t, ctx, "listChannels", "")), &listed); err != nil || len(listed.Channels) != 1 ||
		listed.Channels[0].CommitmentType != "ANCHORS" || listed.Channels[0].LocalBalanceSat < 290_000 {
		t.Errorf("listChannels: %+v %v", listed, err)
	}
	before := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
	if err := runFor(ctx, 30*time.Second, chromedp.Click("#channel-rows .close-channel", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the closing transaction published", func() (bool, string) {
		got := pageText(ctx, "#channels-status")
		return strings.HasPrefix(got, "Closing transaction"), got
	})
	s.mine(t, 1)
	var closed struct {
		Channels []struct {
			SettledSat int64 `json:"settledBalanceSat"`
		} `json:"channels"`
	}
	waitFor(t, 90*time.Second, "closed, with the closing output in the wallet", func() (bool, string) {
		raw := call(t, ctx, "closedChannels", "")
		_ = json.Unmarshal([]byte(raw), &closed)
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		return len(closed.Channels) == 1 && b.ConfirmedSat == before.ConfirmedSat+closed.Channels[0].SettledSat,
			fmt.Sprintf("closed %s, balance %+v (before %+v)", raw, b, before)
	})
	if got := closed.Channels[0].SettledSat; got < 290_000 || got > 300_000 {
		t.Errorf("the close returned %d sat of our 300000", got)
	}
	if got := call(t, ctx, "openChannel", `{nodePubkey: "02aa", localFundingAmountSat: 100000}`); !strings.HasPrefix(got, "ERR INVALID_PUBKEY") {
		t.Errorf("openChannel with a bad pubkey: %s", got)
	}
	if got := call(t, ctx, "closeChannel", `{channelPoint: "00:0"}`); !strings.HasPrefix(got, "ERR UNKNOWN_CHANNEL") {
		t.Errorf("closeChannel of an unknown channel: %s", got)
	}
}
