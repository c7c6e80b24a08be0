package itest

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"lnwasm/bridge"
	"lnwasm/node/store"
)

// faultProxy sits between the bridge and a Lightning peer and breaks the
// stream on command: cut it after a few more bytes (mid-message), or
// stall the connections open now (bytes stop flowing, nothing closes).
type faultProxy struct {
	ln     net.Listener
	target atomic.Value // string: where accepted connections go
	mu     sync.Mutex
	conns  []*proxied
	cutAt  atomic.Int64 // bytes still to forward before cutting; 0: off
	cuts   atomic.Int32
	down   atomic.Bool // refuse new connections (the target is "gone")
}

type proxied struct {
	client, peer net.Conn
	stalled      atomic.Bool
}

func (c *proxied) close() {
	_ = c.client.Close()
	_ = c.peer.Close()
}

func startFaultProxy(t *testing.T, target string) *faultProxy {
	p := listenFaultProxy(t)
	p.setTarget(target)
	return p
}

// listenFaultProxy listens before the target is known: a server's bridge
// must be told the proxy's port when it starts, before its peers exist.
// Connections accepted before setTarget are closed.
func listenFaultProxy(t *testing.T) *faultProxy {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &faultProxy{ln: ln}
	t.Cleanup(func() {
		_ = ln.Close()
		p.mu.Lock()
		defer p.mu.Unlock()
		for _, c := range p.conns {
			c.close()
		}
	})
	go p.accept()
	return p
}

func (p *faultProxy) addr() string { return p.ln.Addr().String() }

func (p *faultProxy) setTarget(target string) { p.target.Store(target) }

func (p *faultProxy) accept() {
	for {
		client, err := p.ln.Accept()
		if err != nil {
			return
		}
		target, _ := p.target.Load().(string)
		if p.down.Load() || target == "" {
			_ = client.Close()
			continue
		}
		peer, err := net.Dial("tcp", target)
		if err != nil {
			_ = client.Close()
			continue
		}
		c := &proxied{client: client, peer: peer}
		p.mu.Lock()
		p.conns = append(p.conns, c)
		p.mu.Unlock()
		go p.pipe(c, client, peer)
		go p.pipe(c, peer, client)
	}
}

// pipe forwards one direction; a stalled connection forwards nothing
// more, and an armed cut forwards the last few bytes and closes both.
func (p *faultProxy) pipe(c *proxied, from, to net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		for c.stalled.Load() {
			time.Sleep(50 * time.Millisecond)
		}
		if n > 0 {
			if left := p.cutAt.Load(); left > 0 {
				if int64(n) >= left && p.cutAt.CompareAndSwap(left, 0) {
					_, _ = to.Write(buf[:left-1])
					p.cuts.Add(1)
					c.close()
					return
				}
				p.cutAt.Add(-int64(n))
			}
			if _, werr := to.Write(buf[:n]); werr != nil {
				c.close()
				return
			}
		}
		if err != nil {
			c.close()
			return
		}
	}
}

// cutAfter arms a cut: the stream closes after n-1 more bytes, whichever
// direction carries them.
func (p *faultProxy) cutAfter(n int64) { p.cutAt.Store(n) }

// stall freezes every connection open now; new ones flow.
func (p *faultProxy) stall() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.stalled.Store(true)
	}
	return len(p.conns)
}

// goDown closes every connection and refuses new ones until goUp, as a
// peer that crashed and is restarting looks from outside.
func (p *faultProxy) goDown() int {
	p.down.Store(true)
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.close()
	}
	n := len(p.conns)
	p.conns = nil
	return n
}

func (p *faultProxy) goUp() { p.down.Store(false) }

// startBridge runs our real bridge in this process, open to loopback
// targets, and returns its URL.
func startInProcessBridge(t *testing.T, log *slog.Logger, ports ...uint16) string {
	h := bridge.NewHandler(bridge.Policy{AllowPorts: ports, AllowPrivate: true, MaxStreamsPerIP: -1, ConnectRate: -1}, log)
	mux := http.NewServeMux()
	mux.Handle("/bridge", h)
	srv := httptest.NewServer(mux)
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.Shutdown(ctx)
		srv.Close()
	})
	return "ws" + srv.URL[len("http"):] + "/bridge"
}

func portNumber(t *testing.T, addr string) uint16 {
	_, ps, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.Atoi(ps)
	if err != nil {
		t.Fatal(err)
	}
	return uint16(n)
}

// errInjected is the storage fault.
var errInjected = errors.New("injected storage fault: disk full")

// flakyStore fails writes once its budget of successful ones is spent
// (reads still work, as on a full disk); a budget below 0 is no limit.
type flakyStore struct {
	store.Store
	budget  atomic.Int64
	refused atomic.Int32
}

func newFlakyStore() *flakyStore {
	s := &flakyStore{Store: store.NewMemory()}
	s.budget.Store(-1)
	return s
}

func (s *flakyStore) Update(fn func(tx store.Tx) error) error {
	for {
		b := s.budget.Load()
		if b < 0 {
			return s.Store.Update(fn)
		}
		if b == 0 {
			s.refused.Add(1)
			return errInjected
		}
		if s.budget.CompareAndSwap(b, b-1) {
			return s.Store.Update(fn)
		}
	}
}
