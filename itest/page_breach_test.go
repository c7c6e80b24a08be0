package itest

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// pageChannelRow is a row of the page's pendingChannels or closedChannels.
type pageChannelRow struct {
	ChannelPoint   string `json:"channelPoint"`
	State          string `json:"state"`
	CloseType      string `json:"closeType"`
	SettledSat     int64  `json:"settledBalanceSat"`
	LimboSat       int64  `json:"limboBalanceSat"`
	PendingOutputs []struct {
		What      string `json:"what"`
		AmountSat int64  `json:"amountSat"`
		SweepTxid string `json:"sweepTxid"`
	} `json:"pendingOutputs"`
}

// pageChannelIn finds point among the rows a page call returns.
func pageChannelIn(t *testing.T, raw, point string) *pageChannelRow {
	var res struct {
		Channels []pageChannelRow `json:"channels"`
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		return nil
	}
	for i := range res.Channels {
		if res.Channels[i].ChannelPoint == point {
			return &res.Channels[i]
		}
	}
	return nil
}

// TestPageBreach: the hub's database goes back to before it paid the page,
// and the hub broadcasts that revoked commitment. The page, in headless
// Chromium, builds the justice transaction taking every output; it is
// reloaded before that transaction confirms, resumes from IndexedDB, and
// ends with the channel closed as a breach and its wallet holding the
// whole capacity minus the fees.
func TestPageBreach(t *testing.T) {
	t.Parallel()
	s := startServer(t)
	ctx := fundedPage(t, s, nil)
	if err := runFor(ctx, 30*time.Second, chromedp.Click("#connect-hub", chromedp.ByQuery)); err != nil {
		t.Fatal(err)
	}
	hub := s.hubInfo(t)
	waitFor(t, 30*time.Second, "connected to the hub", func() (bool, string) {
		raw := call(t, ctx, "listPeers", "")
		return strings.Contains(raw, `"connected":true`), raw
	})
	point := openPageChannel(t, ctx, s, hub.pubkey, 500_000, 200_000)
	r, err := httpPost(s.URL+"/devnet/hub/snapshot", "{}")
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("snapshot: %v %v", r, err)
	}
	r.Body.Close()
	waitFor(t, 60*time.Second, "the page redials the hub, the channel active again", func() (bool, string) {
		var hubs hubChannelsJSON
		s.getJSON(t, "/devnet/hub/channels", &hubs)
		for _, c := range hubs.Channels {
			if c.ChannelPoint == point {
				return c.Active, fmt.Sprintf("%+v", c)
			}
		}
		return false, "not listed"
	})
	hubPaysPage(t, ctx, s)
	waitNoHTLCs(t, ctx)
	before := balanceOf(t, ctx, call(t, ctx, "walletBalance", "")).ConfirmedSat

	r, err = httpPost(s.URL+"/devnet/hub/breach", fmt.Sprintf(`{"channelPoint": %q}`, point))
	if err != nil || r.StatusCode != 200 {
		t.Fatalf("breach: %v %v", r, err)
	}
	r.Body.Close()
	s.mine(t, 1)
	mined := time.Now()
	var row *pageChannelRow
	waitFor(t, 60*time.Second, "the page's justice transaction built and broadcast", func() (bool, string) {
		raw := call(t, ctx, "pendingChannels", "")
		row = pageChannelIn(t, raw, point)
		if row == nil || row.CloseType != "BREACH_CLOSE" || len(row.PendingOutputs) == 0 {
			return false, raw
		}
		for _, o := range row.PendingOutputs {
			if o.SweepTxid == "" {
				return false, raw
			}
		}
		return true, raw
	})
	t.Logf("page: justice transaction broadcast %v after the revoked commitment's block (0 more blocks); outputs %+v",
		time.Since(mined).Round(time.Millisecond), row.PendingOutputs)
	if len(row.PendingOutputs) != 2 {
		t.Errorf("justice claims %d outputs, want to_local and to_remote", len(row.PendingOutputs))
	}

	// A reload before the justice transaction confirms: the page resumes
	// from IndexedDB and rebroadcasts it.
	reloadAndUnlock(t, ctx, s)
	s.mine(t, 1)
	waitFor(t, 90*time.Second, "closed as a breach, the wallet credited", func() (bool, string) {
		raw := call(t, ctx, "closedChannels", "")
		row = pageChannelIn(t, raw, point)
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		return row != nil && row.CloseType == "BREACH_CLOSE" && b.ConfirmedSat == before+row.SettledSat,
			fmt.Sprintf("%s wallet %+v before %d", raw, b, before)
	})
	if row.SettledSat < 497_000 {
		t.Errorf("justice took %d sat of the 500,000 sat channel", row.SettledSat)
	}
	t.Logf("page swept %d sat of the 500,000 sat channel", row.SettledSat)
	waitFor(t, 15*time.Second, "the page shows the breach close", func() (bool, string) {
		got := pageText(ctx, fmt.Sprintf(`tr[data-channel-point="%s"]`, point))
		return strings.Contains(got, "breach close"), got
	})
}
