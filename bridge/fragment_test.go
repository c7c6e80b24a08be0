//go:build !js

package bridge

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
)

const (
	// fragLimit is the bridge's MaxFrameSize in the fragment tests: the
	// smallest that Dial clients work with.
	fragLimit = clientFrameSize
	// fragStreams is how many streams flood fragments at once.
	fragStreams = 8
	// fragSlack is how much the bridge process may grow while streams it
	// already holds are flooded with fragments: the runtime's own caches
	// move by a MiB or so under load, and gathering the fragments of even
	// one stream would take far more.
	fragSlack = 4 << 20
)

// recorder is a target that keeps every byte each connection sends it.
type recorder struct {
	*listener
	total atomic.Int64
	mu    sync.Mutex
	got   []*bytes.Buffer
}

func newRecorder(t *testing.T) *recorder {
	r := &recorder{}
	r.listener = listen(t, "127.0.0.1:0", func(c net.Conn) {
		buf := &bytes.Buffer{}
		r.mu.Lock()
		r.got = append(r.got, buf)
		r.mu.Unlock()
		p := make([]byte, 4<<10)
		for {
			n, err := c.Read(p)
			r.mu.Lock()
			buf.Write(p[:n])
			r.mu.Unlock()
			r.total.Add(int64(n))
			if err != nil {
				return
			}
		}
	})
	return r
}

// byFirstByte returns what each connection received, keyed by its first
// byte: the fragment tests start stream i's data with byte i.
func (r *recorder) byFirstByte() map[byte][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	m := make(map[byte][]byte)
	for _, b := range r.got {
		if b.Len() > 0 {
			m[b.Bytes()[0]] = bytes.Clone(b.Bytes())
		}
	}
	return m
}

// fragPolicy is openPolicy with the fragment tests' message limit.
func fragPolicy(port uint16) Policy {
	p := openPolicy(port)
	p.MaxFrameSize = fragLimit
	return p
}

// fragData is the message stream i sends: n bytes starting with i.
func fragData(i, n int) []byte {
	b := pattern(i, 0)
	for len(b) < n {
		b = append(b, b...)
	}
	b = b[:n]
	b[0] = byte(i)
	return b
}

// sendFragments sends p as continuation frames of size bytes each (the
// first is a binary frame if first is set) and marks the last fin if fin
// is set.
func sendFragments(ws *rawWS, p []byte, size int, first, fin bool) error {
	for len(p) > 0 {
		n := min(size, len(p))
		op := byte(wsOpContinuation)
		if first {
			op, first = wsOpBinary, false
		}
		if err := ws.writeFrame(fin && n == len(p), op, p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return ws.flush()
}

// eachStream runs f on every stream at once and fails on the first error.
func eachStream(t *testing.T, wss []*rawWS, f func(i int, ws *rawWS) error) {
	t.Helper()
	var errs errorList
	var wg sync.WaitGroup
	for i, ws := range wss {
		wg.Go(func() { errs.add(f(i, ws)) })
	}
	wg.Wait()
	if err := errs.first(); err != nil {
		t.Fatalf("%d streams failed; first: %v", errs.count(), err)
	}
}

func openRaw(t *testing.T, child *childBridge, target string, n int) []*rawWS {
	wss := make([]*rawWS, n)
	for i := range wss {
		wss[i] = dialRawWS(t, child.url, target)
	}
	return wss
}

// TestFragmentFloodIsStreamed: 8 clients each send a message at the size
// limit as 65,536 one-byte fragments. The bridge must relay the first half
// before the message ends (so it does not gather fragments), grow by no
// more than fragSlack while doing it, and deliver every byte in order with
// the streams still open afterwards.
func TestFragmentFloodIsStreamed(t *testing.T) {
	target := newRecorder(t)
	child := startChildBridge(t, fragPolicy(target.port))
	wss := openRaw(t, child, target.addr(), fragStreams)
	idle := child.mem(t)
	half := fragLimit / 2
	start := time.Now()
	eachStream(t, wss, func(i int, ws *rawWS) error {
		return sendFragments(ws, fragData(i, fragLimit)[:half], 1, true, false)
	})
	eventually(t, 60*time.Second, "the first half of every message relayed before its end", func() bool {
		return target.total.Load() == int64(fragStreams*half)
	})
	mid := child.mem(t)
	eachStream(t, wss, func(i int, ws *rawWS) error {
		if err := sendFragments(ws, fragData(i, fragLimit)[half:], 1, false, true); err != nil {
			return err
		}
		return sendFragments(ws, []byte("end"), 3, true, true)
	})
	eventually(t, 60*time.Second, "every message relayed", func() bool {
		return target.total.Load() == int64(fragStreams*(fragLimit+3))
	})
	t.Logf("%d streams relayed %d one-byte fragments each in %s; bridge heap+stack %s with the streams idle, %s mid-message",
		fragStreams, fragLimit, time.Since(start).Round(time.Millisecond), mib(idle.held()), mib(mid.held()))
	if grew := int64(mid.held()) - int64(idle.held()); grew > fragSlack {
		t.Errorf("the bridge grew by %d bytes while fragments flowed, bound %d", grew, fragSlack)
	}
	got := target.byFirstByte()
	for i := range fragStreams {
		if want := append(fragData(i, fragLimit), "end"...); !bytes.Equal(got[byte(i)], want) {
			t.Errorf("stream %d: target received %d bytes, not the %d sent", i, len(got[byte(i)]), len(want))
		}
	}
	if n := child.metric(t, "lnwasm_bridge_streams_open"); n != fragStreams {
		t.Errorf("streams_open = %d after the flood, want %d", n, fragStreams)
	}
}

// TestFragmentTinyMessages: 8 clients each send 20,000 one-byte messages.
// Every byte arrives in order and the bridge does not grow.
func TestFragmentTinyMessages(t *testing.T) {
	const msgs = 20000
	target := newRecorder(t)
	child := startChildBridge(t, fragPolicy(target.port))
	wss := openRaw(t, child, target.addr(), fragStreams)
	idle := child.mem(t)
	eachStream(t, wss, func(i int, ws *rawWS) error {
		data := fragData(i, msgs)
		for j := range data {
			if err := ws.writeFrame(true, wsOpBinary, data[j:j+1]); err != nil {
				return err
			}
		}
		return ws.flush()
	})
	eventually(t, 60*time.Second, "every message relayed", func() bool {
		return target.total.Load() == fragStreams*msgs
	})
	after := child.mem(t)
	t.Logf("bridge heap+stack %s with %d idle streams, %s after %d one-byte messages on each",
		mib(idle.held()), fragStreams, mib(after.held()), msgs)
	if grew := int64(after.held()) - int64(idle.held()); grew > fragSlack {
		t.Errorf("the bridge grew by %d bytes, bound %d", grew, fragSlack)
	}
	got := target.byFirstByte()
	for i := range fragStreams {
		if !bytes.Equal(got[byte(i)], fragData(i, msgs)) {
			t.Errorf("stream %d: target received %d bytes, not the %d sent", i, len(got[byte(i)]), msgs)
		}
	}
}

// TestFragmentedMessageOverLimit: a message over MaxFrameSize ends its
// stream with 1009 and the bridge's reason however it is cut: one-byte
// fragments, 1 KiB fragments, or a single frame whose header claims a
// terabyte. The bridge relays at most the limit, allocates nothing for the
// claimed length, and ends the streams although the clients never answer
// the close.
func TestFragmentedMessageOverLimit(t *testing.T) {
	target := newRecorder(t)
	child := startChildBridge(t, fragPolicy(target.port))
	base := child.mem(t)
	over := fragLimit + 1024
	cases := []struct {
		name string
		send func(i int, ws *rawWS) error
	}{
		{"one-byte fragments", func(i int, ws *rawWS) error {
			return sendFragments(ws, fragData(i, over), 1, true, false)
		}},
		{"1 KiB fragments", func(i int, ws *rawWS) error {
			return sendFragments(ws, fragData(i, over), 1024, true, false)
		}},
		{"one frame claiming 1 TiB", func(i int, ws *rawWS) error {
			return ws.startFrame(wsOpBinary, 1<<40, fragData(i, over))
		}},
	}
	for i, tc := range cases {
		ws := dialRawWS(t, child.url, target.addr())
		if err := tc.send(i, ws); err != nil {
			t.Fatalf("%s: send: %v", tc.name, err)
		}
		code, reason, err := ws.readClose(15 * time.Second)
		if want := fmt.Sprintf("message too big: limit is %d bytes", fragLimit); err != nil ||
			code != int(websocket.StatusMessageTooBig) || reason != want {
			t.Errorf("%s: close %d %q %v, want 1009 %q", tc.name, code, reason, err, want)
		}
	}
	// The clients never answer the close: the bridge must give up on them.
	start := time.Now()
	eventually(t, closeHandshakeTimeout+5*time.Second, "every over-limit stream ended", func() bool {
		return child.metric(t, "lnwasm_bridge_streams_open") == 0
	})
	t.Logf("the streams ended %s after their clients stopped answering", time.Since(start).Round(100*time.Millisecond))
	if n := child.metric(t, `lnwasm_bridge_stream_closes_total{cause="message_too_big"}`); n != int64(len(cases)) {
		t.Errorf("message_too_big closes = %d, want %d", n, len(cases))
	}
	got := target.byFirstByte()
	for i, tc := range cases {
		if n := len(got[byte(i)]); n > fragLimit || !bytes.Equal(got[byte(i)], fragData(i, over)[:n]) {
			t.Errorf("%s: target received %d bytes (limit %d) or other bytes than sent", tc.name, n, fragLimit)
		} else {
			t.Logf("%s: target received %d bytes", tc.name, n)
		}
	}
	after := child.mem(t)
	if grew := int64(after.held()) - int64(base.held()); grew > fragSlack {
		t.Errorf("the bridge holds %d bytes more after the over-limit streams closed, bound %d", grew, fragSlack)
	}
}

// TestFragmentEmptyFlood: a client that sends empty continuation frames
// without end never reaches the size limit and moves no byte. The bridge
// must not grow while it floods, and the idle timeout must end the stream.
func TestFragmentEmptyFlood(t *testing.T) {
	const idle = time.Second
	target := newRecorder(t)
	p := fragPolicy(target.port)
	p.IdleTimeout = idle
	child := startChildBridge(t, p)
	ws := dialRawWS(t, child.url, target.addr())
	before := child.mem(t)
	var frames atomic.Int64
	stop := make(chan struct{})
	flooding := make(chan struct{})
	go func() {
		defer close(flooding)
		floodEmpty(ws, &frames, stop)
	}()
	start := time.Now()
	time.Sleep(idle / 2)
	mid := child.mem(t)
	code, reason, err := ws.readClose(idle + 10*time.Second)
	closedAfter := time.Since(start)
	close(stop)
	<-flooding
	t.Logf("sent %d empty fragments; closed %d %q after %s; bridge heap+stack %s before, %s mid-flood",
		frames.Load(), code, reason, closedAfter.Round(time.Millisecond), mib(before.held()), mib(mid.held()))
	if err != nil || code != int(websocket.StatusNormalClosure) || !strings.HasPrefix(reason, "idle timeout") {
		t.Errorf("close %d %q %v, want 1000 idle timeout", code, reason, err)
	}
	if grew := int64(mid.held()) - int64(before.held()); grew > fragSlack {
		t.Errorf("the bridge grew by %d bytes during the flood, bound %d", grew, fragSlack)
	}
	eventually(t, 20*time.Second, "the flooded stream ended", func() bool {
		return child.metric(t, "lnwasm_bridge_streams_open") == 0
	})
	if n := child.metric(t, `lnwasm_bridge_stream_closes_total{cause="idle_timeout"}`); n != 1 {
		t.Errorf("idle_timeout closes = %d, want 1", n)
	}
}

// floodEmpty starts a binary message and sends empty continuation frames
// in batches until stop is closed or a write fails.
func floodEmpty(ws *rawWS, frames *atomic.Int64, stop <-chan struct{}) {
	if ws.writeFrame(false, wsOpBinary, nil) != nil {
		return
	}
	for {
		select {
		case <-stop:
			return
		default:
		}
		for range 4096 {
			if ws.writeFrame(false, wsOpContinuation, nil) != nil {
				return
			}
		}
		_ = ws.c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if ws.flush() != nil {
			return
		}
		frames.Add(4096)
	}
}

// TestFragmentUnfinishedFrameCannotPinStream: a client that starts a frame
// claiming a gigabyte and goes silent, once the bridge has stopped reading
// it (a text frame after connected) or while the bridge waits for the
// answer to its close (after a refusal), must not hold the request past
// the close handshake bound: Shutdown returns within it.
func TestFragmentUnfinishedFrameCannotPinStream(t *testing.T) {
	target := listen(t, "127.0.0.1:0", sink)
	b := startBridge(t, fragPolicy(target.port))

	text := dialRawWS(t, b.url, target.addr())
	if err := text.startFrame(wsOpText, 1<<30, []byte("not binary")); err != nil {
		t.Fatal(err)
	}
	if code, reason, err := text.readClose(10 * time.Second); err != nil || code != int(websocket.StatusUnsupportedData) {
		t.Errorf("text frame: close %d %q %v, want 1003", code, reason, err)
	}

	refused := upgradeRawWS(t, b.url, loopTarget(1)) // a port the policy refuses
	if code, reason, err := refused.readClose(10 * time.Second); err != nil || code != int(websocket.StatusPolicyViolation) {
		t.Errorf("refused: close %d %q %v, want 1008", code, reason, err)
	}
	if err := refused.startFrame(wsOpBinary, 1<<30, []byte("instead of a close")); err != nil {
		t.Fatal(err)
	}

	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 3*closeHandshakeTimeout)
	defer cancel()
	if err := b.h.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown with two silent clients: %v", err)
	}
	t.Logf("Shutdown returned after %s", time.Since(start).Round(100*time.Millisecond))
	if d := time.Since(start); d > closeHandshakeTimeout+2*time.Second {
		t.Errorf("Shutdown took %s, want about the %s close handshake bound", d, closeHandshakeTimeout)
	}
	if n := metric(t, b.h, "lnwasm_bridge_streams_open"); n != 0 {
		t.Errorf("streams_open = %d after Shutdown", n)
	}
}
