package itest

import (
	"context"
	"crypto/rand"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/chromedp/chromedp"

	"lnwasm/node/lnwire"
	"lnwasm/node/noise"
)

// fakePeer is a Lightning listener that misbehaves in one way after the
// handshake, to test what the page's caller is told.
type fakePeer struct {
	key  *btcec.PrivateKey
	addr string
}

func (f *fakePeer) uri() string {
	return fmt.Sprintf("%x@%s", f.key.PubKey().SerializeCompressed(), f.addr)
}

func startFakePeer(t *testing.T, behave func(c *noise.Conn, raw net.Conn)) *fakePeer {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	key, _ := btcec.NewPrivateKey()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				nc, err := noise.Server(c, key)
				if err == nil {
					behave(nc, c)
				}
			}()
		}
	}()
	return &fakePeer{key: key, addr: l.Addr().String()}
}

// requiresUnknownFeature sends an init that requires feature bit 100.
func requiresUnknownFeature(c *noise.Conn, _ net.Conn) {
	f := lnwire.DefaultFeatures()
	f.Set(lnwire.FeatureBit(100))
	raw, _ := lnwire.WriteMessage(&lnwire.Init{Features: f})
	_ = c.WriteMessage(raw)
	_, _ = c.ReadMessage()
	time.Sleep(2 * time.Second)
}

// garbles answers the handshake, then sends bytes that are no frame.
func garbles(_ *noise.Conn, raw net.Conn) {
	junk := make([]byte, 200)
	_, _ = rand.Read(junk)
	_, _ = raw.Write(junk)
	time.Sleep(2 * time.Second)
}

func portOf(t *testing.T, addr string) string {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestPagePeerHubAndBadInput: from the wasm build in Chromium, driven
// through window.lnwasm and the page's form: connect to the playground's
// lnd, a minute of pings, reconnect after the bridge drops the stream, and
// a clear error code for each kind of bad peer.
func TestPagePeerHubAndBadInput(t *testing.T) {
	t.Parallel()
	feat := startFakePeer(t, requiresUnknownFeature)
	garble := startFakePeer(t, garbles)
	s := startServer(t, "-allow-ports", strings.Join([]string{"9735", portOf(t, feat.addr), portOf(t, garble.addr)}, ","))
	info := s.hubInfo(t)
	ctx := newBrowser(t, "")
	if err := chromedp.Run(ctx, chromedp.Navigate(s.URL+"/")); err != nil {
		t.Fatal(err)
	}
	waitPageSynced(t, ctx, s.info(t).Height)
	if got := call(t, ctx, "connect", fmt.Sprintf(`{pubkey: %q, host: %q}`, info.pubkey, info.host)); !strings.HasPrefix(got, "ERR WALLET_LOCKED") {
		t.Errorf("connect before a wallet exists: %s", got)
	}
	if got := call(t, ctx, "createWallet", `{password: "correct horse battery"}`); strings.HasPrefix(got, "ERR") {
		t.Fatal(got)
	}
	me := identityOf(t, ctx)
	err := runFor(ctx, 60*time.Second, chromedp.WaitVisible("#connect-hub", chromedp.ByQuery),
		chromedp.Click("#connect-hub", chromedp.ByQuery),
		chromedp.WaitVisible(`#peer-rows tr[data-connected="true"]`, chromedp.ByQuery))
	if err != nil {
		t.Fatalf("connect through the page: %v; status %q", err, pageText(ctx, "#peers-status"))
	}
	waitFor(t, 30*time.Second, "the hub lists the page's node", func() (bool, string) {
		raw := s.hubPeersRaw(t)
		return strings.Contains(raw, me), raw
	})
	hubView := s.hubPeersRaw(t)
	for _, bit := range []string{`"0"`, `"8"`, `"12"`, `"14"`, `"23"`, `"45"`} {
		if !strings.Contains(hubView, bit) {
			t.Errorf("lnd does not list our feature %s: %s", bit, hubView)
		}
	}

	badInputs(t, ctx, info, feat, garble)

	time.Sleep(60 * time.Second)
	peers := call(t, ctx, "listPeers", "")
	if !strings.Contains(peers, `"connected":true`) || strings.Contains(peers, `"pingMs":0,`) {
		t.Fatalf("after 60 s: %s", peers)
	}
	if !strings.Contains(s.hubPeersRaw(t), me) {
		t.Fatal("after 60 s the hub no longer lists the page's node")
	}
	if n := s.dropStreams(t, info.host); n != 1 {
		t.Fatalf("dropped %d streams to the hub, want 1", n)
	}
	waitFor(t, 60*time.Second, "the page reconnects", func() (bool, string) {
		p := call(t, ctx, "listPeers", "")
		return strings.Contains(p, `"connected":true`) && strings.Contains(s.hubPeersRaw(t), me), p
	})
	if s.metric(t, `lnwasm_bridge_stream_closes_total{cause="dropped"}`) != "1" {
		t.Errorf("the drop is not in /metrics")
	}
}

// badInputs: each bad peer gives a clear error code and the page lives on.
func badInputs(t *testing.T, ctx context.Context, hub hubAddr, feat, garble *fakePeer) {
	wrongKey, _ := btcec.NewPrivateKey()
	for _, tc := range []struct{ name, pubkey, host, want string }{
		{"wrong key for host", fmt.Sprintf("%x", wrongKey.PubKey().SerializeCompressed()), hub.host, "HANDSHAKE_FAILED"},
		{"unreachable", fmt.Sprintf("%x", wrongKey.PubKey().SerializeCompressed()), "127.0.0.1:9735", "PEER_UNREACHABLE"},
		{"bridge refusal", fmt.Sprintf("%x", wrongKey.PubKey().SerializeCompressed()), "127.0.0.1:1", "BRIDGE_REFUSED"},
		{"unknown even feature", fmt.Sprintf("%x", feat.key.PubKey().SerializeCompressed()), feat.addr, "FEATURES_INCOMPATIBLE"},
		{"garbled frame", fmt.Sprintf("%x", garble.key.PubKey().SerializeCompressed()), garble.addr, "PEER_PROTOCOL"},
		{"malformed pubkey", "02abcd", hub.host, "INVALID_PUBKEY"},
		{"malformed host", hub.pubkey, "nohost", "INVALID_HOST"},
	} {
		got := call(t, ctx, "connect", fmt.Sprintf(`{pubkey: %q, host: %q}`, tc.pubkey, tc.host))
		if !strings.HasPrefix(got, "ERR "+tc.want+": ") || len(got) < len(tc.want)+20 {
			t.Errorf("%s: %s, want %s with a message", tc.name, got, tc.want)
		} else {
			t.Logf("%s: %s", tc.name, got)
		}
		if tc.want == "HANDSHAKE_FAILED" && !strings.Contains(got, "not the node whose public key was given") {
			t.Errorf("wrong key: %s does not tell the person the key is wrong", got)
		}
	}
	if _, err := getInfo(ctx); err != nil {
		t.Fatalf("the page stopped answering after bad input: %v", err)
	}
}

func identityOf(t *testing.T, ctx context.Context) string {
	raw, err := getInfoRaw(ctx)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(raw, `"identityPubkey":"`)
	if i < 0 || len(raw) < i+18+66 {
		t.Fatalf("no identity in %s", raw)
	}
	return raw[i+18 : i+18+66]
}

type hubAddr struct{ pubkey, host string }

func (s *server) hubInfo(t *testing.T) hubAddr {
	var info struct {
		Hub struct {
			Pubkey string `json:"pubkey"`
			Host   string `json:"host"`
		} `json:"hub"`
	}
	s.getJSON(t, "/devnet/info", &info)
	if info.Hub.Pubkey == "" {
		t.Fatal("the playground has no hub")
	}
	return hubAddr{info.Hub.Pubkey, info.Hub.Host}
}

func (s *server) hubPeersRaw(t *testing.T) string {
	_, body := get(t, s.URL+"/devnet/hub/peers", nil)
	return body
}

func (s *server) dropStreams(t *testing.T, target string) int {
	r, err := httpPost(s.URL+"/devnet/bridge/drop", fmt.Sprintf(`{"target":%q}`, target))
	if err != nil {
		t.Fatal(err)
	}
	var out struct {
		Dropped int `json:"dropped"`
	}
	if err := decodeJSON(r, &out); err != nil {
		t.Fatal(err)
	}
	return out.Dropped
}

func (s *server) metric(t *testing.T, series string) string {
	_, body := get(t, s.URL+"/metrics", nil)
	for _, line := range strings.Split(body, "\n") {
		if strings.HasPrefix(line, series+" ") {
			return strings.TrimPrefix(line, series+" ")
		}
	}
	return ""
}
