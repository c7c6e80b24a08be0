package itest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/chain"
	"lnwasm/node"
	"lnwasm/node/channel"
	"lnwasm/node/keys"
	"lnwasm/node/store"
	"lnwasm/server/devnet"
)

// lndChannel is one row of lncli listchannels.
type lndChannel struct {
	Active        bool   `json:"active"`
	RemotePubkey  string `json:"remote_pubkey"`
	ChannelPoint  string `json:"channel_point"`
	Capacity      string `json:"capacity"`
	LocalBalance  string `json:"local_balance"`
	RemoteBalance string `json:"remote_balance"`
	CommitType    string `json:"commitment_type"`
	Initiator     bool   `json:"initiator"`
	FeePerKw      string `json:"fee_per_kw"`
}

// hubChannel finds the hub's view of a channel point.
func hubChannel(t testing.TB, d *devnet.Devnet, point string) (*lndChannel, error) {
	var res struct {
		Channels []lndChannel `json:"channels"`
	}
	if err := d.Hub.CLI(context.Background(), &res, "listchannels"); err != nil {
		return nil, err
	}
	for i := range res.Channels {
		if res.Channels[i].ChannelPoint == point {
			return &res.Channels[i], nil
		}
	}
	return nil, nil
}

// nativeNode is our node, native, on the playground's chain, dialing lnd
// over plain TCP, with a funded wallet.
func nativeNode(t testing.TB, d *devnet.Devnet, log *slog.Logger, fundSat int64) (*node.Node, *chain.Neutrino) {
	return nativeNodeOn(t, d, log, fundSat, store.NewMemory())
}

// nativeNodeWith builds our native node on st with a backend of its own.
func nativeNodeWith(t testing.TB, d *devnet.Devnet, log *slog.Logger, st store.Store) (*node.Node, *chain.Neutrino) {
	t.Helper()
	backend := nativeBackend(t, d, log)
	var dialer net.Dialer
	n, err := node.New(node.Config{
		Network: &chaincfg.RegressionNetParams, Store: st, Logger: log, Chain: backend,
		Scrypt: keys.ScryptParams{LogN: 10, R: 8, P: 1},
		Dial: func(ctx context.Context, addr string) (net.Conn, error) {
			return dialer.DialContext(ctx, "tcp", addr)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return n, backend
}

// nativeNodeOn is nativeNode on a given store.
func nativeNodeOn(t testing.TB, d *devnet.Devnet, log *slog.Logger, fundSat int64, st store.Store) (*node.Node, *chain.Neutrino) {
	t.Helper()
	n, backend := nativeNodeWith(t, d, log, st)
	createFunded(t, d, backend, n, fundSat)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := n.Connect(ctx, d.Hub.Pubkey, d.Hub.P2PAddr); err != nil {
		t.Fatal(err)
	}
	return n, backend
}

// createFunded creates n's wallet and has the faucet pay it fundSat,
// waiting until the wallet holds it confirmed.
func createFunded(t testing.TB, d *devnet.Devnet, backend *chain.Neutrino, n *node.Node, fundSat int64) {
	t.Helper()
	if _, err := n.CreateWallet("correct horse", ""); err != nil {
		t.Fatal(err)
	}
	addr, err := n.NewAddress("p2wkh")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.Faucet(addr.String(), fundSat); err != nil {
		t.Fatal(err)
	}
	mineWait(t, d, backend, 1)
	waitFor(t, 60*time.Second, "our wallet sees the faucet", func() (bool, string) {
		b, err := n.WalletBalance()
		return err == nil && b.ConfirmedSat == fundSat, fmt.Sprintf("%+v %v", b, err)
	})
}

// mineWait mines blocks and waits until our backend has them.
func mineWait(t testing.TB, d *devnet.Devnet, backend *chain.Neutrino, blocks uint32) {
	t.Helper()
	if _, err := d.Btcd.Mine(blocks); err != nil {
		t.Fatal(err)
	}
	want, _ := d.Btcd.Height()
	waitFor(t, 60*time.Second, "backend at the new block", func() (bool, string) {
		b, err := backend.BestBlock()
		return err == nil && int64(b.Height) == want, fmt.Sprintf("%d", b.Height)
	})
}

// ourChannel is our node's view of a channel point.
func ourChannel(n *node.Node, point string) *channel.Info {
	for _, c := range n.ChannelInfos() {
		if c.ChannelPoint.String() == point {
			return &c
		}
	}
	return nil
}

// waitActive mines until both sides report the channel active.
func waitActive(t testing.TB, d *devnet.Devnet, backend *chain.Neutrino, n *node.Node, point string) {
	t.Helper()
	mineWait(t, d, backend, 3)
	waitFor(t, 90*time.Second, "both sides report the channel active", func() (bool, string) {
		ours := ourChannel(n, point)
		lc, err := hubChannel(t, d, point)
		if ours == nil || lc == nil {
			return false, fmt.Sprintf("ours=%v lnd=%v err=%v", ours, lc, err)
		}
		return ours.Phase == channel.PhaseNormal && lc.Active, fmt.Sprintf("ours=%s lnd active=%v", ours.Phase, lc.Active)
	})
}

// TestNativeChannelOpenCloseWithLnd: we open an anchors channel to the
// hub; both sides report it active; a disconnect and reestablish keep it
// active; we close it cooperatively and our wallet receives exactly what
// the closing transaction pays us.
func TestNativeChannelOpenCloseWithLnd(t *testing.T) {
	t.Parallel()
	d, log := startPlayground(t)
	n, backend := nativeNode(t, d, log, 2_000_000)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	op, err := n.OpenChannel(ctx, node.OpenChannelRequest{NodePubkey: d.Hub.Pubkey, LocalFundingSat: 500_000, PushSat: 10_000})
	if err != nil {
		t.Fatalf("open channel: %v", err)
	}
	point := op.String()
	pool, _ := d.Btcd.RPC().GetRawMempool()
	if len(pool) != 1 || *pool[0] != op.Hash {
		t.Fatalf("mempool %v, want the funding tx %s", pool, op.Hash)
	}
	waitActive(t, d, backend, n, point)
	lc, _ := hubChannel(t, d, point)
	ours := ourChannel(n, point)
	if lc.CommitType != "ANCHORS" || lc.Capacity != "500000" || lc.Initiator {
		t.Errorf("lnd sees %+v, want a 500000 sat ANCHORS channel we opened", lc)
	}
	if got := strconv.FormatUint(ours.LocalMsat/1000, 10); got != lc.RemoteBalance {
		t.Errorf("our balance %s sat, lnd says we have %s", got, lc.RemoteBalance)
	}
	if lc.LocalBalance != "10000" {
		t.Errorf("lnd's balance %s, want the 10000 sat push", lc.LocalBalance)
	}

	// We are the opener: our update_fee moves lnd's commitment too.
	if err := n.UpdateChannelFee(point, 5000); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "lnd follows our update_fee", func() (bool, string) {
		lc, err := hubChannel(t, d, point)
		return lc != nil && lc.FeePerKw == "5000", fmt.Sprintf("%+v %v", lc, err)
	})
	if err := n.UpdateChannelFee(point, 100); err == nil {
		t.Error("a fee rate below the 253 sat/kw floor was accepted")
	}

	// Disconnect in the middle of an update (update_fee and
	// commitment_signed just sent, lnd's revocation not yet back): the
	// reestablish completes it, and the channel is active again.
	if err := n.UpdateChannelFee(point, 3000); err != nil {
		t.Fatal(err)
	}
	if err := n.Disconnect(d.Hub.Pubkey); err != nil {
		t.Fatal(err)
	}
	if err := n.Connect(ctx, d.Hub.Pubkey, d.Hub.P2PAddr); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 30*time.Second, "the update completes after the reestablish", func() (bool, string) {
		lc, err := hubChannel(t, d, point)
		return lc != nil && lc.Active && lc.FeePerKw == "3000" && ourChannel(n, point).Phase == channel.PhaseNormal,
			fmt.Sprintf("%+v %v", lc, err)
	})
	if c := ourChannel(n, point); c.NumHTLCs != 0 {
		t.Errorf("%d HTLCs after the reestablish", c.NumHTLCs)
	}

	before, _ := n.WalletBalance()
	txid, err := n.CloseChannel(ctx, point, 0, false)
	if err != nil {
		t.Fatalf("close: %v", err)
	}
	waitFor(t, 30*time.Second, "the closing tx reaches btcd", func() (bool, string) {
		pool, _ := d.Btcd.RPC().GetRawMempool()
		return len(pool) == 1 && pool[0].String() == txid, fmt.Sprint(pool)
	})
	mineWait(t, d, backend, 1)
	waitFor(t, 60*time.Second, "our channel is closed and the wallet has the funds", func() (bool, string) {
		c := ourChannel(n, point)
		b, _ := n.WalletBalance()
		return c.Phase == channel.PhaseClosed && b.ConfirmedSat == before.ConfirmedSat+c.CloseLocalSat,
			fmt.Sprintf("phase %s, balance %+v, close pays us %d", c.Phase, b, c.CloseLocalSat)
	})
	c := ourChannel(n, point)
	if c.CloseLocalSat < 480_000 || c.CloseLocalSat > 490_000 {
		t.Errorf("the close paid us %d sat of our ~490000", c.CloseLocalSat)
	}
	waitFor(t, 60*time.Second, "lnd lists the channel as closed", func() (bool, string) {
		var res struct {
			Channels []struct {
				ChannelPoint string `json:"channel_point"`
				CloseType    string `json:"close_type"`
			} `json:"channels"`
		}
		_ = d.Hub.CLI(context.Background(), &res, "closedchannels")
		for _, ch := range res.Channels {
			if ch.ChannelPoint == point {
				return ch.CloseType == "COOPERATIVE_CLOSE", ch.CloseType
			}
		}
		return false, "not listed"
	})
}

// TestNativeChannelLndOpensAndCloses: lnd opens a static-remotekey
// channel to us and we accept; then lnd closes it cooperatively.
func TestNativeChannelLndOpensAndCloses(t *testing.T) {
	t.Parallel()
	d, log := startPlayground(t)
	n, backend := nativeNode(t, d, log, 100_000)
	_ = backend
	var res struct {
		FundingTxid string `json:"funding_txid"`
		OutputIndex int    `json:"output_index"`
	}
	err := d.Hub.CLI(context.Background(), &res, "openchannel", "--node_key", n.IdentityPubkey(),
		"--local_amt", "300000", "--push_amt", "20000", "--channel_type", "tweakless")
	if err != nil {
		t.Fatalf("lnd opens to us: %v", err)
	}
	point := fmt.Sprintf("%s:%d", res.FundingTxid, res.OutputIndex)
	waitActive(t, d, backend, n, point)
	ours := ourChannel(n, point)
	if ours.Opener || ours.LocalMsat != 20_000_000 || ours.Type.String() != "static_remotekey" {
		t.Errorf("our view %+v, want lnd's static-remotekey channel with our 20000 sat", ours)
	}
	if got := hubClosesNative(t, d, backend, n, point); got != 20_000 {
		t.Errorf("lnd's close paid us %d sat, want our 20000", got)
	}

	// Now we open a static-remotekey channel with the 20000 sat (and the
	// faucet's), and lnd closes it.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	op, err := n.OpenChannel(ctx, node.OpenChannelRequest{NodePubkey: d.Hub.Pubkey, LocalFundingSat: 50_000, CommitmentType: "static_remote_key"})
	if err != nil {
		t.Fatalf("open a static-remotekey channel: %v", err)
	}
	point = op.String()
	waitActive(t, d, backend, n, point)
	if lc, _ := hubChannel(t, d, point); lc.CommitType != "STATIC_REMOTE_KEY" {
		t.Errorf("lnd sees commitment type %s", lc.CommitType)
	}
	if got := hubClosesNative(t, d, backend, n, point); got < 40_000 {
		t.Errorf("lnd's close paid us %d sat of our 50000", got)
	}
}

// hubClosesNative has the hub close a channel cooperatively, mines the
// closing tx, and returns what it paid us once our wallet holds exactly
// that on top of what it had.
func hubClosesNative(t *testing.T, d *devnet.Devnet, backend *chain.Neutrino, n *node.Node, point string) int64 {
	t.Helper()
	before, _ := n.WalletBalance()
	txid, output := splitPoint(t, point)
	if err := d.Hub.CLI(context.Background(), nil, "closechannel", "--funding_txid", txid, "--output_index", output, "--block=false"); err != nil {
		t.Fatalf("lnd closes: %v", err)
	}
	waitFor(t, 30*time.Second, "the closing tx reaches btcd", func() (bool, string) {
		pool, _ := d.Btcd.RPC().GetRawMempool()
		return len(pool) == 1, fmt.Sprint(pool)
	})
	mineWait(t, d, backend, 1)
	var paid int64
	waitFor(t, 60*time.Second, "closed, and the wallet holds what the close paid us", func() (bool, string) {
		c := ourChannel(n, point)
		b, _ := n.WalletBalance()
		paid = c.CloseLocalSat
		return c.Phase == channel.PhaseClosed && paid > 0 && b.ConfirmedSat == before.ConfirmedSat+paid,
			fmt.Sprintf("phase %s, balance %+v, close pays us %d", c.Phase, b, paid)
	})
	return paid
}

func splitPoint(t *testing.T, point string) (string, string) {
	i := strings.LastIndexByte(point, ':')
	if i < 0 {
		t.Fatalf("bad channel point %q", point)
	}
	return point[:i], point[i+1:]
}
