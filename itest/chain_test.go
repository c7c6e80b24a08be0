package itest

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"os"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/bridge"
	"lnwasm/chain"
	"lnwasm/chain/kvdb"
)

// startNativeChain runs the same chain code the page runs, natively, dialing
// the chain peer through the server's bridge.
func startNativeChain(t testing.TB, s *server, journal kvdb.Journal, dataDir string) *chain.Neutrino {
	t.Helper()
	n := newNativeChain(t, s, journal, dataDir)
	if err := n.Start(); err != nil {
		t.Fatalf("start neutrino: %v", err)
	}
	return n
}

// newNativeChain builds the backend without starting it.
func newNativeChain(t testing.TB, s *server, journal kvdb.Journal, dataDir string) *chain.Neutrino {
	t.Helper()
	db, err := kvdb.Open(journal)
	if err != nil {
		t.Fatalf("open kvdb: %v", err)
	}
	dial := func(ctx context.Context, _, addr string) (net.Conn, error) {
		return bridge.Dial(ctx, s.bridgeURL(), addr)
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	n, err := chain.NewNeutrino(chain.NeutrinoConfig{
		Params: &chaincfg.RegressionNetParams, DataDir: dataDir, DB: db,
		Peers: []string{s.info(t).ChainPeer}, Dial: dial, Logger: log,
	})
	if err != nil {
		t.Fatalf("new neutrino: %v", err)
	}
	t.Cleanup(func() { _ = n.Stop() })
	return n
}

// waitSynced waits until both header chains reach height.
func waitSynced(t testing.TB, n *chain.Neutrino, height int64) {
	t.Helper()
	waitFor(t, 2*time.Minute, fmt.Sprintf("native sync to %d", height), func() (bool, string) {
		p := n.Progress()
		best, err := n.BestBlock()
		ok := err == nil && int64(best.Height) == height && int64(p.HeaderHeight) == height && p.Synced
		return ok, fmt.Sprintf("%+v best=%d err=%v", p, best.Height, err)
	})
}

func TestNativeChainSyncsThroughBridge(t *testing.T) {
	s := startServer(t)
	info := s.info(t)
	if info.Height < 300 {
		t.Fatalf("playground height %d, want at least 300", info.Height)
	}
	journal := kvdb.NewMemJournal()
	dir := t.TempDir()
	n := startNativeChain(t, s, journal, dir)
	waitSynced(t, n, info.Height)

	sub, err := n.SubscribeBlocks()
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Cancel()
	want := s.mine(t, 10)
	waitSynced(t, n, want)
	seen := map[uint32]bool{}
	timeout := time.After(30 * time.Second)
	for len(seen) < 10 {
		select {
		case ev := <-sub.Events:
			if !ev.Disconnected {
				seen[ev.Block.Height] = true
			}
		case <-timeout:
			t.Fatalf("block notifications: saw %d of 10 (%v)", len(seen), seen)
		}
	}
	for h := uint32(info.Height) + 1; h <= uint32(want); h++ {
		if !seen[h] {
			t.Errorf("no block notification for height %d", h)
		}
	}

	// A restart from the same stores resumes at the tip instead of genesis.
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	again := startNativeChain(t, s, journal, dir)
	if p := again.Progress(); int64(p.HeaderHeight) != want {
		t.Fatalf("restarted backend resumed at header height %d, want %d", p.HeaderHeight, want)
	}
	waitSynced(t, again, want)
}
