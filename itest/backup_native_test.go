package itest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"

	"lnwasm/chain"
	"lnwasm/node"
	"lnwasm/node/backup"
	"lnwasm/node/channel"
	"lnwasm/node/keys"
	"lnwasm/node/store"
	"lnwasm/server/devnet"
)

// TestNativeBackupRestore: our node opens a channel to lnd, pays it
// 150,000 sat and exports a backup; the node is gone. A new node on an
// empty store refuses the backup with a wrong password (nothing stored),
// then restores it: the wallet from the seed and the channel as a record
// that knows no commitment. It dials lnd and asks it to close (a
// channel_reestablish with next_commitment_number 0); lnd broadcasts its
// commitment and we sweep our output of it to the wallet.
func TestNativeBackupRestore(t *testing.T) {
	t.Parallel()
	d, log, peer := playgroundWithLnd(t, "scb", 100_000)
	n, backend := shortDelayNode(t, d, log, 1_000_000)
	point := openTo(t, d, backend, n, peer, 600_000, 0, "anchors")
	payLnd(t, n, peer, 150_000)
	var ours *channel.Info
	var lnds *lndChannel
	waitFor(t, 30*time.Second, "the paid HTLC leaves both commitments", func() (bool, string) {
		ours, lnds = ourChannel(n, point), lndChannelOf(peer, point)
		return ours.NumHTLCs == 0 && lnds != nil && lnds.LocalBalance == "150000", fmt.Sprintf("%+v %+v", ours, lnds)
	})
	localSat := int64(ours.LocalMsat / 1000)
	lndRemoteSat, _ := strconv.ParseInt(lnds.RemoteBalance, 10, 64)
	t.Logf("at export: our balance %d sat (our commitment at %d sat/kw), lnd's view of it %d sat (lnd's commitment at %s sat/kw)",
		localSat, ours.FeeratePerKw, lndRemoteSat, lnds.FeePerKw)
	onchain, _ := n.WalletBalance()
	data := exportBackup(t, n)
	if err := n.LockWallet(); err != nil {
		t.Fatal(err)
	}
	if err := backend.Stop(); err != nil {
		t.Fatal(err)
	}

	st := store.NewMemory()
	n2, backend2 := nativeNodeWith(t, d, log, st)
	restoreRefused(t, n2, st, data)
	count, err := n2.RestoreWallet("another password", data, "correct horse")
	if err != nil || count != 1 {
		t.Fatalf("restore: %d channels, %v", count, err)
	}
	if c := ourChannel(n2, point); c == nil || c.Phase != channel.PhaseFailed || !c.DataLoss || !c.Restored {
		t.Fatalf("restored channel: %+v", c)
	}
	waitFor(t, 60*time.Second, "the restored wallet finds our on-chain coins", func() (bool, string) {
		b, err := n2.WalletBalance()
		return err == nil && b.ConfirmedSat == onchain.ConfirmedSat, fmt.Sprintf("%+v %v", b, err)
	})
	if _, err := n2.CloseChannel(context.Background(), point, 0, true); !errors.Is(err, channel.ErrDataLoss) {
		t.Errorf("force close of a restored channel: %v, want ErrDataLoss", err)
	}
	commit := lndClosesRestored(t, d, peer, point)
	logLnd(t, peer, point)
	before, _ := n2.WalletBalance()
	mineWait(t, d, backend2, 1)
	time.Sleep(3 * time.Second)
	mineWait(t, d, backend2, 1)
	c := waitResolved(t, n2, point, "REMOTE_FORCE_CLOSE", before.ConfirmedSat)
	toRemote := outputValue(t, commit, n2, point)
	t.Logf("lnd's commitment %s pays our to_remote %d sat; we swept %d sat (sweep fee %d sat); wallet %d → %d sat",
		commit.TxHash(), toRemote, c.CloseLocalSat, toRemote-c.CloseLocalSat, before.ConfirmedSat, before.ConfirmedSat+c.CloseLocalSat)
	if toRemote != lndRemoteSat || c.CloseLocalSat > toRemote || toRemote-c.CloseLocalSat > 2_000 {
		t.Errorf("swept %d sat of a %d sat to_remote; lnd had our balance at %d sat", c.CloseLocalSat, toRemote, lndRemoteSat)
	}
	if diff := localSat - toRemote; diff > 1_000 || diff < -1_000 {
		t.Errorf("our balance was %d sat, lnd's commitment pays us %d", localSat, toRemote)
	}
	lndListsClosedForce(t, d, backend2, peer, point)
	if c := ourChannel(n2, point); c.Phase != channel.PhaseClosed || c.CloseKind != "REMOTE_FORCE_CLOSE" {
		t.Errorf("our channel ends %s %s", c.Phase, c.CloseKind)
	}
}

// shortDelayNode is nativeNode asking its peers for a 12-block
// to_self_delay instead of 2016, so that lnd's own output of the
// commitment it broadcasts matures, and lnd lists the channel closed,
// within the test.
func shortDelayNode(t *testing.T, d *devnet.Devnet, log *slog.Logger, fundSat int64) (*node.Node, *chain.Neutrino) {
	t.Helper()
	backend := nativeBackend(t, d, log)
	pol := channel.DefaultPolicy()
	pol.ToSelfDelay = 12
	var dialer net.Dialer
	n, err := node.New(node.Config{Network: &chaincfg.RegressionNetParams, Store: store.NewMemory(), Logger: log,
		Chain: backend, Scrypt: keys.ScryptParams{LogN: 10, R: 8, P: 1}, ChannelPolicy: &pol,
		Dial: func(ctx context.Context, addr string) (net.Conn, error) { return dialer.DialContext(ctx, "tcp", addr) }})
	if err != nil {
		t.Fatal(err)
	}
	createFunded(t, d, backend, n, fundSat)
	return n, backend
}

// payLnd has our node pay an invoice of l for sat.
func payLnd(t *testing.T, n *node.Node, l *devnet.Lnd, sat int64) {
	t.Helper()
	var inv struct {
		Req string `json:"payment_request"`
	}
	if err := l.CLI(context.Background(), &inv, "addinvoice", "--amt", strconv.FormatInt(sat, 10)); err != nil {
		t.Fatal(err)
	}
	paySucceeds(t, n, inv.Req)
}

// exportBackup exports n's backup, first with a wrong password.
func exportBackup(t *testing.T, n *node.Node) []byte {
	t.Helper()
	if _, _, err := n.ExportBackup("wrong horse"); !errors.Is(err, keys.ErrWrongPassword) {
		t.Fatalf("export with a wrong password: %v", err)
	}
	data, count, err := n.ExportBackup("correct horse")
	if err != nil || count != 1 {
		t.Fatalf("export: %d channels, %v", count, err)
	}
	t.Logf("backup: %d bytes, %d channel", len(data), count)
	return data
}

// restoreRefused tries the backup with a wrong password and checks the
// store kept nothing.
func restoreRefused(t *testing.T, n *node.Node, st *store.Memory, data []byte) {
	t.Helper()
	if _, err := n.RestoreWallet("another password", data, "wrong horse"); !errors.Is(err, backup.ErrWrongPassword) {
		t.Fatalf("restore with a wrong backup password: %v", err)
	}
	if state, _ := n.WalletState(); state != "none" || len(n.ChannelInfos()) != 0 {
		t.Fatalf("after a refused restore: wallet %s, %d channels", state, len(n.ChannelInfos()))
	}
	_ = st.View(func(tx store.Tx) error {
		for _, b := range []string{"wallet", "channels", "peer-addrs", "channel-meta"} {
			_ = tx.ForEach([]byte(b), func(k, _ []byte) error {
				t.Errorf("a refused restore left %s/%x", b, k)
				return nil
			})
		}
		return nil
	})
}

// lndClosesRestored waits for lnd's commitment spending the funding
// output: the restored node asked for it; nobody ran closechannel.
func lndClosesRestored(t *testing.T, d *devnet.Devnet, l *devnet.Lnd, point string) *wire.MsgTx {
	t.Helper()
	op, err := wire.NewOutPointFromString(point)
	if err != nil {
		t.Fatal(err)
	}
	var commit *wire.MsgTx
	waitFor(t, 90*time.Second, "lnd force closes at our channel_reestablish", func() (bool, string) {
		commit = mempoolSpender(d, func(in wire.OutPoint) bool { return in == *op })
		lc := lndChannelOf(l, point)
		return commit != nil, fmt.Sprintf("lnd's channel %+v", lc)
	})
	return commit
}

// outputValue is the value of the commitment output our claim sweeps.
func outputValue(t *testing.T, commit *wire.MsgTx, n *node.Node, point string) int64 {
	t.Helper()
	kind, claims, err := n.Claims(point)
	if err != nil || len(claims) != 1 || claims[0].What != "to_remote" {
		t.Fatalf("claims on lnd's commitment (%s): %+v %v", kind, claims, err)
	}
	for _, o := range commit.TxOut {
		if o.Value == claims[0].ValueSat {
			return o.Value
		}
	}
	t.Fatalf("no output of %d sat in lnd's commitment", claims[0].ValueSat)
	return 0
}

// lndListsClosedForce mines until lnd lists the channel closed by its
// own force close.
func lndListsClosedForce(t *testing.T, d *devnet.Devnet, backend *chain.Neutrino, l *devnet.Lnd, point string) {
	t.Helper()
	var why string
	for i := 0; i < 30; i++ {
		var res struct {
			Channels []struct {
				ChannelPoint string `json:"channel_point"`
				CloseType    string `json:"close_type"`
			} `json:"channels"`
		}
		deadline := time.Now().Add(2 * time.Second)
		for why = "not listed"; time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			_ = l.CLI(context.Background(), &res, "closedchannels")
			for _, ch := range res.Channels {
				if ch.ChannelPoint == point && ch.CloseType == "LOCAL_FORCE_CLOSE" {
					t.Logf("lnd's closedchannels lists %s as %s", point, ch.CloseType)
					return
				} else if ch.ChannelPoint == point {
					why = ch.CloseType
				}
			}
		}
		mineWait(t, d, backend, 1)
	}
	t.Fatalf("lnd does not list %s closed by its force close: %s", point, why)
}

// logLnd copies lnd's log lines about the resynchronisation and the close
// into the test log.
func logLnd(t *testing.T, l *devnet.Lnd, point string) {
	t.Helper()
	f, err := os.Open(filepath.Join(l.Dir, "logs", "bitcoin", "regtest", "lnd.log"))
	if err != nil {
		t.Logf("lnd's log: %v", err)
		return
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	s.Buffer(make([]byte, 64<<10), 1<<20)
	for s.Scan() {
		line := s.Text()
		for _, w := range []string{"sync failed", "synchroniz", "data loss", "force clos", "Force clos", "restored"} {
			if strings.Contains(line, w) {
				t.Logf("lnd: %s", line)
				break
			}
		}
	}
}
