//go:build !js

package bridge

import (
	"net/netip"
	"strings"
	"testing"
	"time"
)

// fakeClock is a settable clock for the limiter.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time              { return c.t }
func (c *fakeClock) add(d time.Duration)         { c.t = c.t.Add(d) }
func newFakeClock() *fakeClock                   { return &fakeClock{t: time.Unix(1_700_000_000, 0)} }
func addr(s string) netip.Addr                   { return netip.MustParseAddr(s) }
func limiterFor(p Policy, c *fakeClock) *limiter { return newLimiter(&p, c.now) }

func TestLimiterTokenBucket(t *testing.T) {
	clk := newFakeClock()
	l := limiterFor(Policy{MaxStreamsPerIP: -1, ConnectRate: 2, ConnectBurst: 3}, clk)
	ip := addr("198.51.100.9")
	for i := range 3 {
		if _, _, ok := l.admit(ip); !ok {
			t.Fatalf("connect %d within burst refused", i+1)
		}
	}
	if _, why, ok := l.admit(ip); ok || why != reasonRateLimit {
		t.Fatalf("4th connect: ok=%v why=%v, want rate limit", ok, why)
	}
	if _, _, ok := l.admit(addr("198.51.100.10")); !ok {
		t.Fatal("another client was limited by this one's bucket")
	}
	clk.add(400 * time.Millisecond) // 0.8 tokens at 2/s: not yet
	if _, _, ok := l.admit(ip); ok {
		t.Fatal("connect allowed before a whole token was earned")
	}
	clk.add(100 * time.Millisecond) // now 1.0
	if _, _, ok := l.admit(ip); !ok {
		t.Fatal("connect refused after a token was earned")
	}
	clk.add(time.Hour) // refill caps at burst
	for i := range 3 {
		if _, _, ok := l.admit(ip); !ok {
			t.Fatalf("connect %d after long pause refused", i+1)
		}
	}
	if _, _, ok := l.admit(ip); ok {
		t.Fatal("bucket refilled beyond its burst")
	}
}

func TestLimiterStreamCap(t *testing.T) {
	clk := newFakeClock()
	l := limiterFor(Policy{MaxStreamsPerIP: 2, ConnectRate: -1}, clk)
	ip := addr("203.0.113.5")
	r1, _, ok1 := l.admit(ip)
	_, _, ok2 := l.admit(ip)
	if !ok1 || !ok2 {
		t.Fatal("streams within the cap refused")
	}
	if _, why, ok := l.admit(ip); ok || why != reasonPerIPCap {
		t.Fatalf("3rd stream: ok=%v why=%v, want per-IP cap", ok, why)
	}
	r1()
	r1() // release is idempotent: must not free a second slot
	if _, _, ok := l.admit(ip); !ok {
		t.Fatal("stream refused after one was released")
	}
	if _, _, ok := l.admit(ip); ok {
		t.Fatal("double release freed two slots")
	}
}

func TestLimiterGroupsIPv6By64(t *testing.T) {
	l := limiterFor(Policy{MaxStreamsPerIP: 1, ConnectRate: -1}, newFakeClock())
	if _, _, ok := l.admit(addr("2001:db8:1:2::1")); !ok {
		t.Fatal("first stream refused")
	}
	if _, _, ok := l.admit(addr("2001:db8:1:2:ffff::9")); ok {
		t.Fatal("another address in the same /64 got its own cap")
	}
	if _, _, ok := l.admit(addr("2001:db8:1:3::1")); !ok {
		t.Fatal("a different /64 was capped")
	}
	if _, _, ok := l.admit(addr("::ffff:192.0.2.1")); !ok {
		t.Fatal("IPv4-mapped client refused")
	}
	if _, _, ok := l.admit(addr("192.0.2.1")); ok {
		t.Fatal("IPv4 and its mapped form were counted apart")
	}
}

func TestLimiterForgetsIdleClients(t *testing.T) {
	clk := newFakeClock()
	l := limiterFor(Policy{MaxStreamsPerIP: 4, ConnectRate: 1, ConnectBurst: 2}, clk)
	release, _, _ := l.admit(addr("192.0.2.1"))
	_, _, _ = l.admit(addr("192.0.2.2")) // stays open
	release3, _, _ := l.admit(addr("192.0.2.3"))
	release()
	release3()
	clk.add(2 * sweepEvery)
	_, _, _ = l.admit(addr("192.0.2.4")) // triggers the sweep
	// .1 and .3 have no open stream and a full bucket: forgotten.
	if n := l.size(); n != 2 {
		t.Fatalf("limiter remembers %d clients, want 2 (one open, one new)", n)
	}
}

func TestStreamCapThroughHandler(t *testing.T) {
	target := listen(t, "127.0.0.1:0", sink)
	p := openPolicy(target.port)
	p.MaxStreamsPerIP = 3
	b := startBridge(t, p)
	var conns []interface{ Close() error }
	for i := range 3 {
		c, err := dialT(t, b.url, target.addr())
		if err != nil {
			t.Fatalf("stream %d within the cap: %v", i+1, err)
		}
		conns = append(conns, c)
	}
	_, err := dialT(t, b.url, target.addr())
	if !IsTryLater(err) || !strings.Contains(err.Error(), "3 streams open") {
		t.Fatalf("4th stream: %v, want 1013 naming the cap", err)
	}
	if n := metric(t, b.h, `lnwasm_bridge_refusals_total{reason="per_ip_cap"}`); n != 1 {
		t.Errorf("per_ip_cap refusals = %d, want 1", n)
	}
	_ = conns[0].Close()
	eventually(t, 5*time.Second, "slot freed after a stream closed", func() bool {
		return metric(t, b.h, "lnwasm_bridge_streams_open") == 2
	})
	if _, err := dialT(t, b.url, target.addr()); err != nil {
		t.Fatalf("stream after one closed: %v", err)
	}
}

func TestRateLimitThroughHandler(t *testing.T) {
	target := listen(t, "127.0.0.1:0", sink)
	p := openPolicy(target.port)
	p.ConnectRate = 0.01 // one token per 100s: none earned during the test
	p.ConnectBurst = 2
	b := startBridge(t, p)
	for i := range 2 {
		if _, err := dialT(t, b.url, target.addr()); err != nil {
			t.Fatalf("connect %d within the burst: %v", i+1, err)
		}
	}
	_, err := dialT(t, b.url, target.addr())
	if !IsTryLater(err) || !strings.Contains(err.Error(), "too many connects") {
		t.Fatalf("3rd connect: %v, want 1013 rate limit", err)
	}
	if n := metric(t, b.h, `lnwasm_bridge_refusals_total{reason="rate_limit"}`); n != 1 {
		t.Errorf("rate_limit refusals = %d, want 1", n)
	}
	if n := target.accepted.Load(); n != 2 {
		t.Errorf("target accepted %d connections, want 2 (the rate-limited one must not dial)", n)
	}
}
