//go:build !js

package bridge

import (
	"context"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const (
	// slowSlack absorbs what the bridge process allocates besides its
	// streams while the tests run (HTTP requests for /metrics, timers).
	slowSlack = 4 << 20
	// slowFloodPerStream stops a test whose flood never stalls before it
	// eats the machine: far above the 8 MiB or so that the kernel's socket
	// buffers hold for one loopback stream.
	slowFloodPerStream = 32 << 20
)

// slowStreams is how many streams stall at once in the slow-reader tests:
// 200, or 50 under the race detector, where filling the kernel's buffers
// of 200 streams through instrumented WebSocket code takes half a minute.
func slowStreams() int {
	if raceEnabled {
		return 50
	}
	return 200
}

// floodTarget is a target whose connections, once flood is closed, write
// as fast as they can until the connection breaks, counting the bytes.
type floodTarget struct {
	*listener
	flood   chan struct{}
	written atomic.Int64
}

func newFloodTarget(t *testing.T) *floodTarget {
	ft := &floodTarget{flood: make(chan struct{})}
	ft.listener = listen(t, "127.0.0.1:0", func(c net.Conn) {
		<-ft.flood
		chunk := make([]byte, 32<<10)
		for {
			n, err := c.Write(chunk)
			ft.written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	return ft
}

// TestSlowClientReaders: 200 clients (50 under -race) stop reading while their targets
// flood them. Every flood must stall, and the bridge must hold no more
// than its per-stream cost for them, however much the targets try to send.
func TestSlowClientReaders(t *testing.T) {
	n := slowStreams()
	target := newFloodTarget(t)
	child := startChildBridge(t, openPolicy(target.port))
	base := child.mem(t)
	conns := openStreams(t, child.url, target.addr(), n)
	idle := child.mem(t)

	close(target.flood) // no client reads
	flooded := waitStall(t, "targets' writes", target.written.Load, int64(n)*slowFloodPerStream)
	stalled := child.mem(t)
	forwarded := child.metric(t, `lnwasm_bridge_bytes_total{direction="target_to_client"}`)
	t.Logf("%d streams stalled: targets wrote %s (%s per stream), the bridge forwarded %s",
		n, mib(uint64(flooded)), kib(float64(flooded)/float64(n)), mib(uint64(forwarded)))
	checkSlowMemory(t, n, base, idle, stalled)

	// Reading again resumes every flood: it was backpressure, not dead streams.
	var read atomic.Int64
	for _, c := range conns {
		go func() {
			n, _ := io.Copy(io.Discard, c)
			read.Add(n)
		}()
	}
	eventually(t, 20*time.Second, "floods resumed once the clients read", func() bool {
		return target.written.Load() > flooded+int64(n)<<20
	})
	closeAll(conns)
}

// TestSlowTargetReaders: 200 targets (50 under -race) stop reading while their clients
// keep sending. Every client must stall, with the bridge holding no more
// than its per-stream cost.
func TestSlowTargetReaders(t *testing.T) {
	release := make(chan struct{})
	target := listen(t, "127.0.0.1:0", func(c net.Conn) {
		<-release // does not read until told
		sink(c)
	})
	t.Cleanup(func() { closeOnce(release) })
	n := slowStreams()
	child := startChildBridge(t, openPolicy(target.port))
	base := child.mem(t)
	conns := openStreams(t, child.url, target.addr(), n)
	idle := child.mem(t)

	var sent atomic.Int64
	stop := make(chan struct{})
	var writers sync.WaitGroup
	for _, c := range conns {
		writers.Go(func() { floodConn(c, &sent, stop) })
	}
	flooded := waitStall(t, "clients' writes", sent.Load, int64(n)*slowFloodPerStream)
	stalled := child.mem(t)
	forwarded := child.metric(t, `lnwasm_bridge_bytes_total{direction="client_to_target"}`)
	t.Logf("%d streams stalled: clients sent %s (%s per stream), the bridge forwarded %s",
		n, mib(uint64(flooded)), kib(float64(flooded)/float64(n)), mib(uint64(forwarded)))
	checkSlowMemory(t, n, base, idle, stalled)

	closeOnce(release)
	eventually(t, 20*time.Second, "clients' writes resumed once the targets read", func() bool {
		return sent.Load() > flooded+int64(n)<<20
	})
	close(stop)
	writers.Wait()
	// The targets hang up first: otherwise each client's close frame waits
	// behind the megabytes still queued for its target.
	target.closeConns()
	closeAll(conns)
}

// closeConns closes every connection the target accepted.
func (l *listener) closeConns() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		_ = c.Close()
	}
}

// checkSlowMemory asserts the slow-reader bounds: a stalled stream may
// hold one borrowed relay buffer per direction besides what an open
// stream holds, and nothing more however much the other side sends.
func checkSlowMemory(t *testing.T, n int, base, idle, stalled memReport) {
	t.Helper()
	added := float64(stalled.held()) - float64(idle.held())
	t.Logf("bridge heap+stack: %s before, %s with %d idle streams, %s stalled (%s per stream; the flood added %s per stream)",
		mib(base.held()), mib(idle.held()), n, mib(stalled.held()),
		kib(perStream(stalled.held(), base.held(), n)), kib(added/float64(n)))
	const capPerStream = 2 * DefaultBufferSize
	if limit := float64(n*capPerStream + slowSlack); added > limit {
		t.Errorf("the flood grew the bridge by %.0f bytes, more than %d per stream", added, capPerStream)
	}
	limit := float64(n*(loadBytesPerStream+capPerStream) + slowSlack)
	if held := float64(stalled.held()) - float64(base.held()); held > limit {
		t.Errorf("%d stalled streams hold %.0f bytes, bound %.0f", n, held, limit)
	}
}

// openStreams dials n streams, loadDialers at a time.
func openStreams(t *testing.T, bridgeURL, target string, n int) []net.Conn {
	t.Helper()
	conns, errs := openParallel(n, func(int) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		return Dial(ctx, bridgeURL, target)
	})
	t.Cleanup(func() { closeAll(conns) })
	if err := errs.first(); err != nil {
		t.Fatalf("%d of %d streams failed to open; first: %v", errs.count(), n, err)
	}
	return conns
}

// floodConn writes to c until stop is closed or the write fails.
func floodConn(c net.Conn, sent *atomic.Int64, stop <-chan struct{}) {
	chunk := make([]byte, 64<<10)
	for {
		select {
		case <-stop:
			return
		default:
		}
		n, err := c.Write(chunk)
		sent.Add(int64(n))
		if err != nil {
			return
		}
	}
}

// waitStall polls counter until it has not moved for 500ms and returns
// its value, failing if it passes bound or still moves after 30s.
func waitStall(t *testing.T, what string, counter func() int64, bound int64) int64 {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	last, since := counter(), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if n := counter(); n != last {
			if n > bound {
				t.Fatalf("%s reached %d bytes without stalling: buffering is not bounded", what, n)
			}
			last, since = n, time.Now()
			continue
		}
		if time.Since(since) >= 500*time.Millisecond {
			return last
		}
	}
	t.Fatalf("%s still moving after 30s (at %d bytes)", what, last)
	return 0
}

// closeOnce closes ch unless it is closed already; only the test goroutine
// and its cleanups call it.
func closeOnce(ch chan struct{}) {
	select {
	case <-ch:
	default:
		close(ch)
	}
}
