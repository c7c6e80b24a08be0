package itest

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/bridge"
	"lnwasm/node"
	"lnwasm/node/keys"
	"lnwasm/node/store"
	"lnwasm/server/devnet"
)

// hubPeers is the part of lnd's listpeers the tests read.
type hubPeers struct {
	Peers []struct {
		PubKey   string                     `json:"pub_key"`
		Features map[string]json.RawMessage `json:"features"`
	} `json:"peers"`
}

// hubSees reports whether the hub lists pub, and with which feature bits.
func hubSees(ctx context.Context, hub *devnet.Lnd, pub string) (bool, []string, error) {
	var ps hubPeers
	if err := hub.CLI(ctx, &ps, "listpeers"); err != nil {
		return false, nil, err
	}
	for _, p := range ps.Peers {
		if p.PubKey == pub {
			var bits []string
			for b := range p.Features {
				bits = append(bits, b)
			}
			return true, bits, nil
		}
	}
	return false, nil, nil
}

// TestNativeNodeConnectsToHub: our node, native, dials the playground's lnd
// through our bridge, stays connected with pings for a minute, and comes
// back after the bridge drops the stream.
func TestNativeNodeConnectsToHub(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	d, log := startPlayground(t)
	_, hubPort, _ := net.SplitHostPort(d.Hub.P2PAddr)
	pol := bridge.DefaultPolicy(18444)
	pol.AllowPrivate = true
	pol.AllowPorts = append(pol.AllowPorts, uint16(mustAtoi(t, hubPort)))
	br := bridge.NewHandler(pol, log)
	mux := http.NewServeMux()
	mux.Handle("/bridge", br)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	bridgeURL := "ws" + strings.TrimPrefix(srv.URL, "http") + "/bridge"

	n, err := node.New(node.Config{
		Network: &chaincfg.RegressionNetParams, Store: store.NewMemory(), Logger: log,
		Scrypt: keys.ScryptParams{LogN: 10, R: 8, P: 1}, PingInterval: 5 * time.Second,
		Dial: func(ctx context.Context, addr string) (net.Conn, error) { return bridge.Dial(ctx, bridgeURL, addr) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := n.CreateWallet("correct horse", ""); err != nil {
		t.Fatal(err)
	}
	me := n.IdentityPubkey()
	cctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := n.Connect(cctx, d.Hub.Pubkey, d.Hub.P2PAddr); err != nil {
		t.Fatalf("connect to the hub: %v", err)
	}
	waitFor(t, 30*time.Second, "the hub lists our node", func() (bool, string) {
		ok, bits, err := hubSees(ctx, d.Hub, me)
		return ok, fmt.Sprintf("seen=%v bits=%v err=%v", ok, bits, err)
	})
	_, bits, _ := hubSees(ctx, d.Hub, me)
	for _, want := range []string{"0", "8", "12", "14", "23", "45"} {
		if !containsStr(bits, want) {
			t.Errorf("lnd does not list our feature bit %s (it lists %v)", want, bits)
		}
	}

	// A minute of pings: every one answered, the connection never dropped.
	time.Sleep(60 * time.Second)
	peers := n.ListPeers()
	if len(peers) != 1 || !peers[0].Connected || peers[0].PingRTT <= 0 {
		t.Fatalf("after 60 s: %+v", peers)
	}
	if ok, _, _ := hubSees(ctx, d.Hub, me); !ok {
		t.Fatal("after 60 s the hub no longer lists us")
	}

	if dropped := br.Drop(d.Hub.P2PAddr); dropped != 1 {
		t.Fatalf("bridge dropped %d streams, want 1", dropped)
	}
	waitFor(t, 10*time.Second, "our node notices the drop", func() (bool, string) {
		p := n.ListPeers()
		return len(p) == 1 && !p[0].Connected, fmt.Sprintf("%+v", p)
	})
	waitFor(t, 30*time.Second, "our node reconnects", func() (bool, string) {
		p := n.ListPeers()
		return len(p) == 1 && p[0].Connected, fmt.Sprintf("%+v", p)
	})
	waitFor(t, 30*time.Second, "the hub lists us again", func() (bool, string) {
		ok, _, err := hubSees(ctx, d.Hub, me)
		return ok, fmt.Sprintf("err=%v", err)
	})
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func mustAtoi(t *testing.T, s string) int {
	t.Helper()
	var n int
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil {
		t.Fatalf("port %q: %v", s, err)
	}
	return n
}
