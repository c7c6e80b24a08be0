//go:build !js

package bridge

import (
	"errors"
	"io"
	"runtime"
	"sync"
	"syscall"
	"testing"
	"time"
)

// needFDs makes sure the process may open n descriptors, raising the soft
// limit if the hard one allows.
func needFDs(t *testing.T, n uint64) {
	t.Helper()
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("getrlimit: %v", err)
	}
	if lim.Cur >= n {
		return
	}
	if lim.Max < n {
		t.Skipf("need %d file descriptors, hard limit is %d", n, lim.Max)
	}
	lim.Cur = n
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		t.Skipf("raise fd limit to %d: %v", n, err)
	}
}

// streamEnd is how one client stream ended: how long after Dial returned,
// and with what read error.
type streamEnd struct {
	lived time.Duration
	err   error
}

// openAndAwaitClose dials n streams, 32 at a time, each with a reader that
// reports how the stream ended.
func openAndAwaitClose(t *testing.T, b *testBridge, target string, n int) <-chan streamEnd {
	results := make(chan streamEnd, n)
	jobs := make(chan struct{})
	var dialers sync.WaitGroup
	for range 32 {
		dialers.Add(1)
		go func() {
			defer dialers.Done()
			for range jobs {
				// The clock starts before the dial: the bridge's idle
				// timer cannot start earlier, so a correct bridge never
				// closes a stream sooner than the timeout after this,
				// however long the dial itself takes under load.
				opened := time.Now()
				c, err := dialT(t, b.url, target)
				if err != nil {
					results <- streamEnd{err: err}
					continue
				}
				go func() {
					_, err := c.Read(make([]byte, 1))
					lived := time.Since(opened)
					_ = c.Close()
					results <- streamEnd{lived: lived, err: err}
				}()
			}
		}()
	}
	for range n {
		jobs <- struct{}{}
	}
	close(jobs)
	dialers.Wait()
	return results
}

func TestThousandIdleStreamsClose(t *testing.T) {
	const streams = 1000
	const idle = 300 * time.Millisecond
	needFDs(t, 4*streams+500) // client ws, server ws, server tcp, target tcp
	target := listen(t, "127.0.0.1:0", sink)
	p := openPolicy(target.port)
	p.IdleTimeout = idle
	b := startBridge(t, p)
	runtime.GC()
	baseline := runtime.NumGoroutine()

	results := openAndAwaitClose(t, b, target.addr(), streams)
	timeout := time.After(60 * time.Second)
	var shortest, longest time.Duration = time.Hour, 0
	for i := range streams {
		select {
		case r := <-results:
			if !errors.Is(r.err, io.EOF) {
				t.Fatalf("stream %d ended with %v, want EOF (normal closure)", i, r.err)
			}
			shortest, longest = min(shortest, r.lived), max(longest, r.lived)
		case <-timeout:
			t.Fatalf("only %d of %d idle streams closed within 60s", i, streams)
		}
	}
	t.Logf("%d idle streams closed; lifetimes %s..%s", streams, shortest, longest)
	if shortest < idle {
		t.Errorf("a stream was closed after %s, before the %s idle timeout", shortest, idle)
	}
	eventually(t, 10*time.Second, "streams_open back to 0", func() bool {
		return metric(t, b.h, "lnwasm_bridge_streams_open") == 0
	})
	if n := metric(t, b.h, `lnwasm_bridge_stream_closes_total{cause="idle_timeout"}`); n != streams {
		t.Errorf("idle_timeout closes = %d, want %d", n, streams)
	}
	const margin = 10
	eventually(t, 15*time.Second, "goroutines back to baseline", func() bool {
		runtime.GC()
		n := runtime.NumGoroutine()
		if n > baseline+margin {
			return false
		}
		t.Logf("goroutines: baseline %d, now %d", baseline, n)
		return true
	})
	if n := target.accepted.Load(); n != streams {
		t.Errorf("target accepted %d connections, want %d", n, streams)
	}
}

func TestTrafficKeepsStreamAlive(t *testing.T) {
	const idle = 300 * time.Millisecond
	target := listen(t, "127.0.0.1:0", echo)
	p := openPolicy(target.port)
	p.IdleTimeout = idle
	b := startBridge(t, p)
	c, err := dialT(t, b.url, target.addr())
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4)
	for i := range 10 { // 10 × 100ms: over three idle timeouts
		time.Sleep(idle / 3)
		if _, err := c.Write([]byte("ping")); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := io.ReadFull(c, buf); err != nil {
			t.Fatalf("stream closed despite traffic after %d pings: %v", i, err)
		}
	}
	quietSince := time.Now()
	_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := c.Read(buf); !errors.Is(err, io.EOF) {
		t.Fatalf("read after going quiet: %v, want EOF from the idle timeout", err)
	}
	if d := time.Since(quietSince); d < idle-50*time.Millisecond || d > idle+time.Second {
		t.Errorf("closed %s after going quiet, want about %s", d, idle)
	}
}
