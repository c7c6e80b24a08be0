package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
)

// TestPageBackupRestore is recovery as a person does it in the page: open
// a channel to the hub, export the encrypted backup from Settings (a file
// download), wipe the wallet from Settings, then restore from that file on
// the first-run screen. The restored node asks the hub to close; the hub
// force-closes and our balance comes back to the wallet.
func TestPageBackupRestore(t *testing.T) {
	t.Parallel()
	s := startServer(t, "-devnet-shop=false")
	ctx := fundedPage(t, s, nil)
	downloads := t.TempDir()
	if err := chromedp.Run(ctx, browser.SetDownloadBehavior(browser.SetDownloadBehaviorBehaviorAllow).WithDownloadPath(downloads)); err != nil {
		t.Fatal(err)
	}
	hub := s.hubInfo(t)
	if got := call(t, ctx, "connect", fmt.Sprintf(`{pubkey: %q, host: %q}`, hub.pubkey, hub.host)); strings.HasPrefix(got, "ERR") {
		t.Fatal(got)
	}
	point := openPageChannel(t, ctx, s, hub.pubkey, 400_000, 0)
	local := s.hubChannel(t, point).RemoteBalance
	file := exportFromSettings(t, ctx, downloads)
	onchain := balanceOf(t, ctx, call(t, ctx, "walletBalance", "")).ConfirmedSat

	err := runFor(ctx, 60*time.Second, gotoView("settings"),
		chromedp.SendKeys("#wipe-confirm", "wipe", chromedp.ByQuery),
		chromedp.Click("#wipe", chromedp.ByQuery),
		chromedp.WaitVisible("#create-form", chromedp.ByQuery))
	if err != nil {
		t.Fatalf("wipe: %v (%s)", err, pageText(ctx, "#settings-status"))
	}
	restoreFromFile(t, ctx, file)

	waitFor(t, 60*time.Second, "the hub force-closes the restored channel", func() (bool, string) {
		// Broadcast and unconfirmed, lnd lists it as waiting to close.
		var pending struct {
			Channels []any `json:"waiting_close_channels"`
		}
		s.getJSON(t, "/devnet/hub/pendingchannels", &pending)
		return len(pending.Channels) == 1, fmt.Sprintf("%+v; peers %s; engine log: %s", pending, call(t, ctx, "listPeers", ""), pageLog(ctx, 15))
	})
	s.mine(t, 1)
	var settled int64
	waitFor(t, 120*time.Second, "our output swept to the wallet", func() (bool, string) {
		s.mine(t, 1)
		var closed struct {
			Channels []struct {
				ChannelPoint string `json:"channelPoint"`
				CloseType    string `json:"closeType"`
				Settled      int64  `json:"settledBalanceSat"`
			} `json:"channels"`
		}
		raw := call(t, ctx, "closedChannels", "")
		_ = json.Unmarshal([]byte(raw), &closed)
		for _, c := range closed.Channels {
			if c.ChannelPoint == point && c.CloseType == "REMOTE_FORCE_CLOSE" {
				settled = c.Settled
				return settled > 0, raw
			}
		}
		return false, raw
	})
	waitFor(t, 60*time.Second, "the wallet holds the sweep", func() (bool, string) {
		b := balanceOf(t, ctx, call(t, ctx, "walletBalance", ""))
		return b.ConfirmedSat == onchain+settled, fmt.Sprintf("%+v, want %d + %d", b, onchain, settled)
	})
	ours, _ := strconv.ParseInt(local, 10, 64)
	t.Logf("restored from %s: our balance was %d sat, %d sat came back (sweep fee %d sat)", filepath.Base(file), ours, settled, ours-settled)
}

// pageLog is the engine's last n log lines (window.lnwasmLog).
func pageLog(ctx context.Context, n int) string {
	var lines []string
	_ = runFor(ctx, 5*time.Second, chromedp.Evaluate(fmt.Sprintf(`(window.lnwasmLog || []).slice(-%d)`, n), &lines))
	return strings.Join(lines, "\n")
}

// exportFromSettings exports the backup from the Settings view and
// returns the downloaded file.
func exportFromSettings(t *testing.T, ctx context.Context, dir string) string {
	t.Helper()
	err := runFor(ctx, 60*time.Second, gotoView("settings"),
		chromedp.SendKeys("#backup-password", "correct horse battery", chromedp.ByQuery),
		chromedp.Click("#backup-export", chromedp.ByQuery))
	if err != nil {
		t.Fatal(err)
	}
	var file string
	waitFor(t, 30*time.Second, "the backup downloaded", func() (bool, string) {
		got := pageText(ctx, "#settings-status")
		files, _ := filepath.Glob(filepath.Join(dir, "*.lnwasm"))
		if len(files) == 1 {
			file = files[0]
		}
		return strings.HasPrefix(got, "Backup exported: seed and 1 channels") && file != "", got
	})
	if st, err := os.Stat(file); err != nil || st.Size() < 100 {
		t.Fatalf("backup file %s: %v", file, err)
	}
	return file
}

// restoreFromFile restores on the first-run screen: "a backup file", the
// file, its password, a new password.
func restoreFromFile(t *testing.T, ctx context.Context, file string) {
	t.Helper()
	fill := func(password string) error {
		return runFor(ctx, 60*time.Second,
			chromedp.Click(`input[name="create-kind"][value="backup"]`, chromedp.ByQuery),
			chromedp.SetUploadFiles("#restore-file", []string{file}, chromedp.ByQuery),
			chromedp.Evaluate(`for (const id of ["restore-file-password", "create-password"]) document.getElementById(id).value = ""`, nil),
			chromedp.SendKeys("#restore-file-password", password, chromedp.ByQuery),
			chromedp.SendKeys("#create-password", "a new password here", chromedp.ByQuery),
			chromedp.Click("#create-form button[type=submit]", chromedp.ByQuery))
	}
	// A wrong password for the file is refused and creates nothing.
	if err := fill("not the password"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the wrong password refused", func() (bool, string) {
		got := pageText(ctx, "#wallet-status")
		return strings.HasPrefix(got, "WRONG_PASSWORD"), got
	})
	if info, _ := getInfoRaw(ctx); !strings.Contains(info, `"walletState":"none"`) {
		t.Fatalf("after a wrong backup password: %s", info)
	}
	if err := fill("correct horse battery"); err != nil {
		t.Fatal(err)
	}
	if err := runFor(ctx, 60*time.Second, chromedp.WaitVisible("#channel-rows", chromedp.ByQuery)); err != nil {
		t.Fatalf("restore: %v (%s)", err, pageText(ctx, "#wallet-status"))
	}
	if got := pageText(ctx, "#channels-status"); !strings.HasPrefix(got, "Restored from the backup: asking the peers of 1 channels") {
		t.Errorf("after the restore the page says %q", got)
	}
}
