//go:build !js

package bridge

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"slices"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

// websockifyPath is Debian's websockify, the reference relay the bridge
// is compared with when it is installed.
const websockifyPath = "/usr/bin/websockify"

// transport opens a stream to the echo target one way or another.
type transport struct {
	name string
	dial func(b *testing.B) net.Conn
}

// transports starts an echo target and, for the bridge and websockify,
// the relay in front of it. It runs once per top-level benchmark, outside
// the timed sub-benchmarks.
func transports(b *testing.B) []transport {
	target := listen(b, "127.0.0.1:0", echo)
	br := startBridge(b, openPolicy(target.port))
	ts := []transport{
		{"tcp", func(b *testing.B) net.Conn {
			c, err := net.Dial("tcp", target.addr())
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { _ = c.Close() })
			return c
		}},
		{"bridge", func(b *testing.B) net.Conn {
			c, err := dialT(b, br.url, target.addr())
			if err != nil {
				b.Fatal(err)
			}
			return c
		}},
	}
	wsURL := startWebsockify(b, target.addr())
	return append(ts, transport{"websockify", func(b *testing.B) net.Conn {
		if wsURL == "" {
			b.Skipf("%s is not installed", websockifyPath)
		}
		return dialWebsockify(b, wsURL)
	}})
}

// startWebsockify runs websockify in front of echoAddr and returns its
// URL, or "" if it is not installed.
func startWebsockify(b *testing.B, echoAddr string) string {
	if _, err := os.Stat(websockifyPath); err != nil {
		return ""
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	var out bytes.Buffer
	cmd := exec.Command(websockifyPath, addr, echoAddr)
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so that the per-connection children it forks
	// are ended with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		b.Fatalf("start websockify: %v", err)
	}
	b.Cleanup(func() { stopGroup(cmd) })
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			_ = c.Close()
			return "ws://" + addr + "/"
		}
		if time.Now().After(deadline) {
			b.Fatalf("websockify did not listen on %s: %v\n%s", addr, err, out.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stopGroup ends the websockify process group this benchmark started.
func stopGroup(cmd *exec.Cmd) {
	pgid := cmd.Process.Pid
	_ = syscall.Kill(-pgid, syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
		<-done
	}
}

// dialWebsockify is a raw client: websockify relays binary frames with no
// connected handshake.
func dialWebsockify(b *testing.B, u string) net.Conn {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		b.Fatalf("dial websockify: %v", err)
	}
	life, stop := context.WithCancel(context.Background())
	nc := websocket.NetConn(life, c, websocket.MessageBinary)
	b.Cleanup(func() { _ = nc.Close(); stop() })
	return nc
}

// BenchmarkRoundTrip64 measures a 64-byte ping-pong through an echo
// target: direct TCP, the bridge, and websockify. p50/p99 are per round
// trip.
func BenchmarkRoundTrip64(b *testing.B) {
	for _, tr := range transports(b) {
		b.Run(tr.name, func(b *testing.B) {
			c := tr.dial(b)
			msg, got := bytes.Repeat([]byte{'p'}, 64), make([]byte, 64)
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for range b.N {
				start := time.Now()
				if _, err := c.Write(msg); err != nil {
					b.Fatal(err)
				}
				if _, err := io.ReadFull(c, got); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			reportPercentiles(b, lat)
		})
	}
}

// reportPercentiles adds p50 and p99 round-trip times to the result.
func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))].Nanoseconds()) }
	b.ReportMetric(at(0.50), "p50-ns")
	b.ReportMetric(at(0.99), "p99-ns")
}

// BenchmarkThroughput1MiB sends 1 MiB per op to an echo target and reads
// it back; MB/s counts one direction.
func BenchmarkThroughput1MiB(b *testing.B) {
	const chunk = 1 << 20
	for _, tr := range transports(b) {
		b.Run(tr.name, func(b *testing.B) {
			c := tr.dial(b)
			out, in := bytes.Repeat([]byte{'x'}, chunk), make([]byte, chunk)
			b.SetBytes(chunk)
			b.ResetTimer()
			werr := make(chan error, 1)
			go func() {
				for range b.N {
					if _, err := c.Write(out); err != nil {
						werr <- fmt.Errorf("write: %w", err)
						return
					}
				}
				werr <- nil
			}()
			for range b.N {
				if _, err := io.ReadFull(c, in); err != nil {
					b.Fatalf("read: %v", err)
				}
			}
			if err := <-werr; err != nil {
				b.Fatal(err)
			}
		})
	}
}
