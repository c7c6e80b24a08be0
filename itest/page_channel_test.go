package itest

import (
	"context"
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
	s := startServer(t, "-devnet-hub-fast-fee")
	ctx := fundedPage(t, s, checkStoreInBrowser)
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
	reloadAndUnlock(t, ctx, s)
	waitFor(t, 60*time.Second, "after a reload the page reconnects to the channel's peer by itself", func() (bool, string) {
		raw := call(t, ctx, "listPeers", "")
		return strings.Contains(raw, `"connected":true`), raw
	})
	waitFor(t, 90*time.Second, "after a reload the channel is back and active on both sides", func() (bool, string) {
		raw := call(t, ctx, "listChannels", "")
		var hub hubChannelsJSON
		s.getJSON(t, "/devnet/hub/channels", &hub)
		return strings.Contains(raw, point) && len(hub.Channels) == 1 && hub.Channels[0].Active,
			fmt.Sprintf("page %s, hub %+v", raw, hub)
	})
	hubOpensAndCloses(t, ctx, s)

	before := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
	if err := runFor(ctx, 30*time.Second, chromedp.Click(`#channel-rows tr[data-state="active"] .close-channel`, chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 60*time.Second, "the closing transaction published", func() (bool, string) {
		got := pageText(ctx, "#channels-status")
		return strings.HasPrefix(got, "Closing transaction"), got
	})
	s.mine(t, 1)
	var closed struct {
		Channels []struct {
			ChannelPoint string `json:"channelPoint"`
			SettledSat   int64  `json:"settledBalanceSat"`
		} `json:"channels"`
	}
	var settled int64
	waitFor(t, 90*time.Second, "closed, with the closing output in the wallet", func() (bool, string) {
		raw := call(t, ctx, "closedChannels", "")
		_ = json.Unmarshal([]byte(raw), &closed)
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		settled = 0
		for _, c := range closed.Channels {
			if c.ChannelPoint == point {
				settled = c.SettledSat
			}
		}
		return settled > 0 && b.ConfirmedSat == before.ConfirmedSat+settled,
			fmt.Sprintf("closed %s, balance %+v (before %+v)", raw, b, before)
	})
	if settled < 290_000 || settled > 300_000 {
		t.Errorf("the close returned %d sat of our 300000", settled)
	}
	pageOpensStaticHubCloses(t, ctx, s)
	if got := call(t, ctx, "openChannel", `{nodePubkey: "02aa", localFundingAmountSat: 100000}`); !strings.HasPrefix(got, "ERR INVALID_PUBKEY") {
		t.Errorf("openChannel with a bad pubkey: %s", got)
	}
	if got := call(t, ctx, "closeChannel", `{channelPoint: "00:0"}`); !strings.HasPrefix(got, "ERR UNKNOWN_CHANNEL") {
		t.Errorf("closeChannel of an unknown channel: %s", got)
	}
}

// fundedPage opens the page in a fresh browser, waits for its sync, runs
// check (if any) on the synced page, creates a wallet and takes the
// faucet's 1,000,000 sat with its button.
func fundedPage(t *testing.T, s *server, check func(*testing.T, context.Context)) context.Context {
	t.Helper()
	ctx := newBrowser(t, "")
	fundPage(t, s, ctx, check)
	return ctx
}

// fundPage is fundedPage in a tab the caller opened.
func fundPage(t *testing.T, s *server, ctx context.Context, check func(*testing.T, context.Context)) {
	t.Helper()
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, ctx, s.info(t).Height)
	if check != nil {
		check(t, ctx)
	}
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
}

// reloadAndUnlock reloads the page (the engine restarts from IndexedDB)
// and unlocks the wallet.
func reloadAndUnlock(t *testing.T, ctx context.Context, s *server) {
	t.Helper()
	if err := runFor(ctx, 30*time.Second, chromedp.Reload()); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, ctx, s.info(t).Height)
	if got := call(t, ctx, "unlockWallet", `{password: "correct horse battery"}`); strings.HasPrefix(got, "ERR") {
		t.Fatalf("unlock after reload: %s", got)
	}
}

// hubOpensAndCloses: the hub opens a channel to the page (with a push),
// the page accepts it, and the hub closes it; the page's wallet gets the
// pushed amount.
func hubOpensAndCloses(t *testing.T, ctx context.Context, s *server) {
	t.Helper()
	var me struct {
		IdentityPubkey string `json:"identityPubkey"`
	}
	_ = json.Unmarshal([]byte(call(t, ctx, "getInfo", "")), &me)
	r, err := httpPost(s.URL+"/devnet/hub/openchannel", fmt.Sprintf(`{"pubkey": %q, "amountSat": 250000, "pushSat": 30000, "commitmentType": "static_remote_key"}`, me.IdentityPubkey))
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("hub openchannel: %v %v", r.StatusCode, err)
	}
	var opened struct {
		FundingTxid string `json:"funding_txid"`
		OutputIndex int    `json:"output_index"`
	}
	if err := decodeJSON(r, &opened); err != nil {
		t.Fatal(err)
	}
	point := fmt.Sprintf("%s:%d", opened.FundingTxid, opened.OutputIndex)
	s.mine(t, 3)
	waitFor(t, 90*time.Second, "the hub's channel active on the page", func() (bool, string) {
		var rows []map[string]string
		_ = chromedp.Run(ctx, chromedp.Evaluate(`[...document.querySelectorAll("#channel-rows tr")].map(r => ({point: r.dataset.channelPoint || "", state: r.dataset.state || ""}))`, &rows))
		for _, row := range rows {
			if row["point"] == point {
				return row["state"] == "active", fmt.Sprint(rows)
			}
		}
		return false, fmt.Sprint(rows)
	})
	hubMovesFee(t, ctx, s, point)
	before := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
	hubClosesPage(t, ctx, s, point)
	waitFor(t, 90*time.Second, "the pushed 30000 sat in the page's wallet", func() (bool, string) {
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		return b.ConfirmedSat == before.ConfirmedSat+30_000, fmt.Sprintf("%+v, before %+v", b, before)
	})
}

// checkStoreInBrowser runs the store conformance cases against the page's
// IndexedDB: the same cases the memory and file stores pass under go test.
func checkStoreInBrowser(t *testing.T, ctx context.Context) {
	t.Helper()
	var res struct {
		Results []struct {
			Name  string `json:"name"`
			Error string `json:"error"`
		} `json:"results"`
	}
	raw := call(t, ctx, "checkStore", "")
	if err := json.Unmarshal([]byte(raw), &res); err != nil || len(res.Results) < 6 {
		t.Fatalf("checkStore: %s", raw)
	}
	for _, r := range res.Results {
		if r.Error != "" {
			t.Errorf("IndexedDB store fails %s: %s", r.Name, r.Error)
		}
	}
}

// hubMovesFee: the hub's fee estimate rises; the hub (the opener) sends
// update_fee while the page's bridge streams are dropped again and again;
// once the drops stop the page reconnects, reestablishes, and both sides
// end on the hub's new rate.
func hubMovesFee(t *testing.T, ctx context.Context, s *server, point string) {
	t.Helper()
	if r, err := httpPost(s.URL+"/devnet/fee", `{"satPerVbyte": 40}`); err != nil || r.StatusCode != 200 {
		t.Fatalf("set the hub's fee: %v %v", r.StatusCode, err)
	}
	for i := 0; i < 12; i++ {
		time.Sleep(250 * time.Millisecond)
		if r, err := httpPost(s.URL+"/devnet/bridge/drop", "{}"); err == nil {
			r.Body.Close()
		}
	}
	waitFor(t, 90*time.Second, "both sides on the hub's new fee rate (10000 sat/kw)", func() (bool, string) {
		var ours struct {
			Channels []struct {
				ChannelPoint string `json:"channelPoint"`
				FeePerKw     uint32 `json:"feePerKw"`
			} `json:"channels"`
		}
		_ = json.Unmarshal([]byte(call(t, ctx, "listChannels", "")), &ours)
		var hub hubChannelsJSON
		s.getJSON(t, "/devnet/hub/channels", &hub)
		mine, theirs := uint32(0), ""
		for _, c := range ours.Channels {
			if c.ChannelPoint == point {
				mine = c.FeePerKw
			}
		}
		for _, c := range hub.Channels {
			if c.ChannelPoint == point && c.Active {
				theirs = c.FeePerKw
			}
		}
		return mine == 10000 && theirs == "10000", fmt.Sprintf("page %d, hub %q", mine, theirs)
	})
}

// pageOpensStaticHubCloses: the page opens a static-remotekey channel, the
// hub sees it active with that type, then the hub closes it and the page's
// wallet gets exactly the closing output.
func pageOpensStaticHubCloses(t *testing.T, ctx context.Context, s *server) {
	t.Helper()
	var hubInfo devnetInfo
	s.getJSON(t, "/devnet/info", &hubInfo)
	var opened struct {
		ChannelPoint string `json:"channelPoint"`
	}
	raw := call(t, ctx, "openChannel", fmt.Sprintf(`{nodePubkey: %q, localFundingAmountSat: 100000, commitmentType: "static_remote_key"}`, hubInfo.Hub.Pubkey))
	if err := json.Unmarshal([]byte(raw), &opened); err != nil || opened.ChannelPoint == "" {
		t.Fatalf("openChannel static_remote_key: %s", raw)
	}
	s.mine(t, 3)
	waitFor(t, 90*time.Second, "the static-remotekey channel active at the hub", func() (bool, string) {
		var hub hubChannelsJSON
		s.getJSON(t, "/devnet/hub/channels", &hub)
		for _, c := range hub.Channels {
			if c.ChannelPoint == opened.ChannelPoint {
				return c.Active && c.CommitType == "STATIC_REMOTE_KEY", fmt.Sprintf("%+v", c)
			}
		}
		return false, "not listed"
	})
	before := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
	hubClosesPage(t, ctx, s, opened.ChannelPoint)
	waitFor(t, 90*time.Second, "closed, the closing output in the page's wallet", func() (bool, string) {
		var closed struct {
			Channels []struct {
				ChannelPoint string `json:"channelPoint"`
				SettledSat   int64  `json:"settledBalanceSat"`
			} `json:"channels"`
		}
		_ = json.Unmarshal([]byte(call(t, ctx, "closedChannels", "")), &closed)
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		for _, c := range closed.Channels {
			if c.ChannelPoint == opened.ChannelPoint {
				return c.SettledSat > 90_000 && b.ConfirmedSat == before.ConfirmedSat+c.SettledSat,
					fmt.Sprintf("settled %d, balance %+v, before %+v", c.SettledSat, b, before)
			}
		}
		return false, "not closed yet"
	})
}

// hubClosesPage has the hub close a channel with the page cooperatively,
// waits for the page to see the closing tx, and mines it.
func hubClosesPage(t *testing.T, ctx context.Context, s *server, point string) {
	t.Helper()
	r, err := httpPost(s.URL+"/devnet/hub/closechannel", fmt.Sprintf(`{"channelPoint": %q}`, point))
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("hub closechannel: %v %v", r.StatusCode, err)
	}
	r.Body.Close()
	waitFor(t, 30*time.Second, "the hub's closing tx on the page", func() (bool, string) {
		raw := call(t, ctx, "pendingChannels", "")
		return strings.Contains(raw, `"state":"closing"`), raw
	})
	s.mine(t, 1)
}
