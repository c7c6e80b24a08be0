package peer

import (
	"context"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/lnwire"
	"lnwasm/node/noise"
)

type pair struct {
	a, b   *Peer
	errA   error
	errB   error
	gotB   chan lnwire.Message
	bNoise *noise.Conn
}

// connectPair runs Dial on one end of a pipe and a noise server plus Start
// on the other, as two nodes would over TCP.
func connectPair(t *testing.T, cfgA, cfgB Config) *pair {
	t.Helper()
	ca, cb := net.Pipe()
	keyB, _ := btcec.NewPrivateKey()
	cfgB.Local = keyB
	pr := &pair{gotB: make(chan lnwire.Message, 16)}
	if cfgB.Handler == nil {
		cfgB.Handler = func(_ *Peer, m lnwire.Message) { pr.gotB <- m }
	}
	cfgA.Dial = func(context.Context, string) (net.Conn, error) { return ca, nil }
	done := make(chan struct{})
	go func() {
		defer close(done)
		nc, err := noise.Server(cb, keyB)
		if err != nil {
			pr.errB = err
			return
		}
		pr.bNoise = nc
		pr.b, pr.errB = Start(context.Background(), cfgB, nc, "pipe")
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	pr.a, pr.errA = Dial(ctx, cfgA, keyB.PubKey(), "pipe")
	<-done
	t.Cleanup(func() {
		if pr.a != nil {
			pr.a.Close()
		}
		if pr.b != nil {
			pr.b.Close()
		}
	})
	return pr
}

func baseConfig() Config {
	k, _ := btcec.NewPrivateKey()
	return Config{Local: k, Features: lnwire.DefaultFeatures(), Chain: *chaincfg.RegressionNetParams.GenesisHash}
}

func TestInitPingAndDispatch(t *testing.T) {
	a, b := baseConfig(), baseConfig()
	a.PingInterval, a.PongTimeout = 20*time.Millisecond, time.Second
	pr := connectPair(t, a, b)
	if pr.errA != nil || pr.errB != nil {
		t.Fatalf("connect: %v / %v", pr.errA, pr.errB)
	}
	if !pr.a.Agreed().Supports(lnwire.StaticRemoteKeyRequired) {
		t.Errorf("agreed features %v lack static_remotekey", pr.a.Agreed())
	}
	deadline := time.Now().Add(3 * time.Second)
	for pr.a.Stats().PongsReceived < 3 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if st := pr.a.Stats(); st.PongsReceived < 3 || st.PingRTT <= 0 {
		t.Fatalf("pings not answered: %+v", st)
	}
	// An unknown odd message is ignored; a known one reaches the handler.
	if err := pr.a.Send(&lnwire.Unknown{MsgType: 32769, Payload: []byte{1}}); err != nil {
		t.Fatal(err)
	}
	if err := pr.a.Send(&lnwire.Warning{Data: []byte("hello")}); err != nil {
		t.Fatal(err)
	}
	if err := pr.a.Send(&lnwire.Shutdown{ScriptPubKey: []byte{0, 20}}); err != nil {
		t.Fatal(err)
	}
	select {
	case m := <-pr.gotB:
		if m.Type() != lnwire.MsgShutdown {
			t.Fatalf("handler got %s first, want shutdown (odd unknown and warning are not dispatched)", m.Type())
		}
	case <-time.After(3 * time.Second):
		t.Fatal("handler got nothing")
	}
	if pr.b.Err() != nil {
		t.Fatalf("b closed: %v", pr.b.Err())
	}
}

func TestUnknownEvenMessageCloses(t *testing.T) {
	pr := connectPair(t, baseConfig(), baseConfig())
	if pr.errA != nil || pr.errB != nil {
		t.Fatalf("connect: %v / %v", pr.errA, pr.errB)
	}
	raw := []byte{0x80, 0x00, 1, 2, 3} // type 32768: even, unknown
	if err := pr.bNoise.WriteMessage(raw); err != nil {
		t.Fatal(err)
	}
	select {
	case <-pr.a.Done():
		var ue *lnwire.ErrUnknownEven
		if !errors.As(pr.a.Err(), &ue) {
			t.Fatalf("closed with %v, want ErrUnknownEven", pr.a.Err())
		}
	case <-time.After(3 * time.Second):
		t.Fatal("unknown even message did not close the connection")
	}
}

func TestRequiredUnknownFeatureRefused(t *testing.T) {
	a, b := baseConfig(), baseConfig()
	b.Features.Set(lnwire.FeatureBit(100)) // even: required, unknown to a
	pr := connectPair(t, a, b)
	var ur *lnwire.ErrUnknownRequired
	if !errors.As(pr.errA, &ur) || !strings.Contains(pr.errA.Error(), "100") {
		t.Fatalf("dial: %v, want ErrUnknownRequired naming bit 100", pr.errA)
	}
}

func TestWrongChainRefused(t *testing.T) {
	a, b := baseConfig(), baseConfig()
	b.Chain = *chaincfg.MainNetParams.GenesisHash
	pr := connectPair(t, a, b)
	if !errors.Is(pr.errA, ErrWrongChain) {
		t.Fatalf("dial: %v, want ErrWrongChain", pr.errA)
	}
}

func TestWrongKeyFailsHandshake(t *testing.T) {
	a := baseConfig()
	ca, cb := net.Pipe()
	a.Dial = func(context.Context, string) (net.Conn, error) { return ca, nil }
	real, _ := btcec.NewPrivateKey()
	claimed, _ := btcec.NewPrivateKey()
	go func() { _, _ = noise.Server(cb, real) }()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := Dial(ctx, a, claimed.PubKey(), "pipe")
	var he *noise.HandshakeError
	if !errors.As(err, &he) {
		t.Fatalf("dial with the wrong key: %v, want a handshake error", err)
	}
}

// TestNoPongCloses: a peer that completes init but never answers pings (it
// keeps reading, so writes do not block) is dropped after PongTimeout.
func TestNoPongCloses(t *testing.T) {
	a := baseConfig()
	a.PingInterval, a.PongTimeout = 20*time.Millisecond, 60*time.Millisecond
	ca, cb := net.Pipe()
	a.Dial = func(context.Context, string) (net.Conn, error) { return ca, nil }
	keyB, _ := btcec.NewPrivateKey()
	go func() {
		nc, err := noise.Server(cb, keyB)
		if err != nil {
			return
		}
		raw, _ := lnwire.WriteMessage(&lnwire.Init{Features: lnwire.DefaultFeatures()})
		_ = nc.WriteMessage(raw)
		for {
			if _, err := nc.ReadMessage(); err != nil {
				return
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	p, err := Dial(ctx, a, keyB.PubKey(), "pipe")
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	select {
	case <-p.Done():
		if !strings.Contains(p.Err().Error(), "no pong") {
			t.Fatalf("closed with %v, want no pong", p.Err())
		}
	case <-time.After(3 * time.Second):
		t.Fatal("a peer that stopped answering was not dropped")
	}
}

// TestMalformedGossipWarnsAndStays: BOLT 7 lets us keep a peer that relays
// a bad announcement; we warn and read on.
func TestMalformedGossipWarnsAndStays(t *testing.T) {
	pr := connectPair(t, baseConfig(), baseConfig())
	if pr.errA != nil || pr.errB != nil {
		t.Fatalf("connect: %v / %v", pr.errA, pr.errB)
	}
	if err := pr.bNoise.WriteMessage([]byte{0x01, 0x02, 0xde, 0xad}); err != nil { // channel_update, truncated
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)
	if err := pr.a.Err(); err != nil {
		t.Fatalf("a malformed channel_update closed the connection: %v", err)
	}
	if err := pr.bNoise.WriteMessage([]byte{0x00, 0x26, 0x01}); err != nil { // shutdown, truncated
		t.Fatal(err)
	}
	select {
	case <-pr.a.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("a malformed channel message did not close the connection")
	}
}
