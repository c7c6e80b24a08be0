//go:build !js

package bridge

import (
	"io"
	"net"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
)

// backpressureBound is far above what kernel socket buffers on loopback
// can hold (a few MB each) and far below what an unbounded queue fed at
// loopback speed reaches in the seconds the test runs.
const backpressureBound = 64 << 20

// stalled polls counter until it has not moved for 500ms and returns its
// value, failing if it is still moving after 15s.
func stalled(t *testing.T, what string, counter func() int64) int64 {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	last, since := counter(), time.Now()
	for time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		if n := counter(); n != last {
			last, since = n, time.Now()
			if n > backpressureBound {
				t.Fatalf("%s reached %d bytes without stalling: buffering is not bounded", what, n)
			}
			continue
		}
		if time.Since(since) >= 500*time.Millisecond {
			return last
		}
	}
	t.Fatalf("%s still moving after 15s (at %d bytes)", what, last)
	return 0
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

func TestBackpressureTargetToClient(t *testing.T) {
	var written atomic.Int64
	target := listen(t, "127.0.0.1:0", func(c net.Conn) {
		chunk := make([]byte, 32<<10)
		for {
			n, err := c.Write(chunk)
			written.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	b := startBridge(t, openPolicy(target.port))
	heapBefore := heapInUse()
	c, err := dialT(t, b.url, target.addr())
	if err != nil {
		t.Fatal(err)
	}
	// The client does not read: the flood must stall.
	flood := stalled(t, "target's writes", written.Load)
	forwarded := metric(t, b.h, `lnwasm_bridge_bytes_total{direction="target_to_client"}`)
	heapGrowth := int64(heapInUse()) - int64(heapBefore)
	t.Logf("stalled: target wrote %d bytes, bridge forwarded %d, heap grew %d", flood, forwarded, heapGrowth)
	if forwarded > backpressureBound || flood > backpressureBound {
		t.Fatalf("forwarded %d / wrote %d bytes before stalling, bound %d", forwarded, flood, backpressureBound)
	}
	if heapGrowth > 16<<20 {
		t.Errorf("heap grew %d bytes while the client was not reading", heapGrowth)
	}
	// Reading again resumes the flood: it was backpressure, not a dead stream.
	go func() { _, _ = io.Copy(io.Discard, c) }()
	eventually(t, 10*time.Second, "flood resumed once the client read", func() bool {
		return written.Load() > flood+backpressureBound/4
	})
}

func TestBackpressureClientToTarget(t *testing.T) {
	release := make(chan struct{})
	target := listen(t, "127.0.0.1:0", func(c net.Conn) {
		<-release // does not read until told
		sink(c)
	})
	b := startBridge(t, openPolicy(target.port))
	t.Cleanup(func() {
		select {
		case <-release:
		default:
			close(release)
		}
	})
	c, err := dialT(t, b.url, target.addr())
	if err != nil {
		t.Fatal(err)
	}
	var sent atomic.Int64
	go func() {
		chunk := make([]byte, 64<<10)
		for {
			n, err := c.Write(chunk)
			sent.Add(int64(n))
			if err != nil {
				return
			}
		}
	}()
	stuck := stalled(t, "client's writes", sent.Load)
	forwarded := metric(t, b.h, `lnwasm_bridge_bytes_total{direction="client_to_target"}`)
	t.Logf("stalled: client sent %d bytes, bridge forwarded %d", stuck, forwarded)
	if forwarded > backpressureBound {
		t.Fatalf("forwarded %d bytes to a target that does not read", forwarded)
	}
	close(release)
	eventually(t, 10*time.Second, "client writes resumed once the target read", func() bool {
		return sent.Load() > stuck+backpressureBound/4
	})
}
