//go:build !js

package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// connectedWriteTimeout bounds sending the connected frame, so a client
// that stops reading right after the upgrade does not hold a connection.
const connectedWriteTimeout = 10 * time.Second

// stream is one relayed connection. Two blocking copies with fixed buffers
// move the bytes, so a side that stops reading stalls the other side's
// reads (backpressure) and nothing queues without bound: each direction
// holds at most one BufferSize buffer, borrowed only while data moves.
type stream struct {
	h       *Handler
	ws      *wsConn
	tcp     net.Conn
	client  netip.Addr
	target  string
	started time.Time

	lastActive atomic.Int64 // time.Since(started) at the last byte moved
	up, down   atomic.Int64 // bytes client→target, target→client
	idle       *time.Timer

	closeOnce sync.Once
	closed    atomic.Bool // set when closing starts; stops the idle timer re-arming
	cause     closeCause  // set inside closeOnce
}

func newStream(h *Handler, ws *wsConn, tcp net.Conn, client netip.Addr, target string) *stream {
	return &stream{h: h, ws: ws, tcp: tcp, client: client, target: target, started: time.Now()}
}

// run tells the client it is connected and relays until both directions
// have stopped; it returns only when every goroutine of the stream is done.
func (s *stream) run() {
	m := &s.h.metrics
	m.streamsOpen.Add(1)
	m.streamsTotal.Add(1)
	defer m.streamsOpen.Add(-1)

	ctx, cancel := context.WithTimeout(context.Background(), connectedWriteTimeout)
	err := s.ws.Write(ctx, websocket.MessageText, []byte(ConnectedMessage))
	cancel()
	if err != nil {
		s.closeWith(causeClientError, websocket.StatusInternalError, "could not send connected")
		s.logEnd()
		return
	}
	s.startIdleTimer()
	upDone := make(chan struct{})
	go func() {
		defer close(upDone)
		s.pumpUp()
	}()
	s.pumpDown()
	<-upDone
	if s.idle != nil {
		s.idle.Stop()
	}
	s.logEnd()
}

// waitBufferSize is the buffer a stream waits for its target with. Most
// streams are idle most of the time (a Lightning peer between messages)
// and a blocking read needs a buffer; a BufferSize one for each direction
// of each idle stream was two thirds of what a stream cost
// (TestLoad5000Streams: 94 KiB per stream before, 33 KiB after).
const waitBufferSize = 4 << 10

// bufferPool lends BufferSize relay buffers to streams that are moving
// data.
type bufferPool struct {
	pool sync.Pool
}

func newBufferPool(size int) *bufferPool {
	bp := &bufferPool{}
	bp.pool.New = func() any {
		b := make([]byte, size)
		return &b
	}
	return bp
}

// get lends a buffer; put must give it back once nothing refers to it.
func (bp *bufferPool) get() *[]byte  { return bp.pool.Get().(*[]byte) }
func (bp *bufferPool) put(b *[]byte) { bp.pool.Put(b) }

// pumpDown copies target → client, one binary message per TCP read. It
// waits for the target with a waitBufferSize buffer; a read that fills it
// means more is queued, so it borrows a BufferSize buffer and keeps it
// until a read comes back short, which is when the target has paused.
func (s *stream) pumpDown() {
	wait := make([]byte, min(waitBufferSize, s.h.policy.BufferSize))
	for {
		n, err := s.tcp.Read(wait)
		if !s.relayDown(wait[:n], err) {
			return
		}
		if n == len(wait) && n < s.h.policy.BufferSize && !s.drainDown() {
			return
		}
	}
}

// drainDown relays through a borrowed buffer until a read returns less
// than a full one; false means the stream is ending.
func (s *stream) drainDown() bool {
	buf := s.h.bufs.get()
	defer s.h.bufs.put(buf)
	for {
		n, err := s.tcp.Read(*buf)
		if !s.relayDown((*buf)[:n], err) {
			return false
		}
		if n < len(*buf) {
			return true
		}
	}
}

// relayDown sends p, what one read from the target returned with err, to
// the client; false means the stream is ending.
func (s *stream) relayDown(p []byte, err error) bool {
	if len(p) > 0 {
		s.touch()
		if tap := s.h.tapFn(); tap != nil {
			tap(s.target, false, p)
		}
		if werr := s.ws.Write(context.Background(), websocket.MessageBinary, p); werr != nil {
			s.closeWith(causeClientError, websocket.StatusInternalError, "client write failed")
			return false
		}
		s.down.Add(int64(len(p)))
		s.h.metrics.bytesDown.Add(uint64(len(p)))
		s.touch()
	}
	switch {
	case errors.Is(err, io.EOF):
		s.closeWith(causePeerClosed, websocket.StatusNormalClosure, "peer closed")
		return false
	case err != nil:
		s.closeWith(causePeerError, websocket.StatusBadGateway, "peer connection error: "+errnoText(err))
		return false
	}
	return true
}

// pumpUp copies client → target. Messages are streamed through a fixed
// buffer, so MaxFrameSize bounds a message but not memory; a message over
// the limit ends the stream with 1009 after its first MaxFrameSize bytes.
func (s *stream) pumpUp() {
	w := &tcpWriter{s: s}
	msg := &messageLimit{}
	for {
		typ, r, err := s.ws.Reader(context.Background())
		if err != nil {
			s.endFromClient(err)
			return
		}
		if typ != websocket.MessageBinary {
			s.closeWith(causeProtocol, websocket.StatusUnsupportedData, "only binary frames may follow connected")
			return
		}
		msg.r, msg.left = r, s.h.policy.MaxFrameSize
		if err := s.copyMessage(w, msg); err != nil {
			switch {
			case w.err != nil:
				s.closeWith(causePeerError, websocket.StatusBadGateway, "peer connection error: "+errnoText(w.err))
			case errors.Is(err, websocket.ErrMessageTooBig):
				s.closeWith(causeTooBig, websocket.StatusMessageTooBig,
					fmt.Sprintf("message too big: limit is %d bytes", s.h.policy.MaxFrameSize))
			default:
				s.endFromClient(err)
			}
			return
		}
	}
}

// copyMessage relays one message through a borrowed buffer, so a stream
// waiting for the client's next message holds none.
func (s *stream) copyMessage(w *tcpWriter, msg *messageLimit) error {
	buf := s.h.bufs.get()
	defer s.h.bufs.put(buf)
	_, err := io.CopyBuffer(w, msg, *buf)
	return err
}

// messageLimit fails a message on its first byte past the limit, before
// that byte is relayed. coder/websocket's own read limit lets one more byte
// through and then sends its own close frame ("read limited at N+1
// bytes"), so the client would never read the bridge's reason; it stays
// set as a backstop.
type messageLimit struct {
	r    io.Reader
	left int64
	one  [1]byte
}

// Read passes the message through until the limit, then reads one byte
// more to tell a message that ends exactly at the limit from a longer one.
func (m *messageLimit) Read(p []byte) (int, error) {
	if m.left == 0 {
		n, err := m.r.Read(m.one[:])
		if n > 0 {
			return 0, websocket.ErrMessageTooBig
		}
		return 0, err
	}
	if int64(len(p)) > m.left {
		p = p[:m.left]
	}
	n, err := m.r.Read(p)
	m.left -= int64(n)
	return n, err
}

// endFromClient handles the WebSocket side ending: a close frame from the
// client is a normal end; anything else is a broken client connection.
func (s *stream) endFromClient(err error) {
	if websocket.CloseStatus(err) != -1 {
		s.closeWith(causeClientClosed, websocket.StatusNormalClosure, "")
		return
	}
	s.closeWith(causeClientError, websocket.StatusInternalError, "client read failed")
}

// tcpWriter counts bytes written to the target and keeps the write error
// apart from read errors; it also hides net.TCPConn's ReadFrom, which
// would bypass the fixed buffer.
type tcpWriter struct {
	s   *stream
	err error
}

func (w *tcpWriter) Write(p []byte) (int, error) {
	w.s.touch()
	if tap := w.s.h.tapFn(); tap != nil {
		tap(w.s.target, true, p)
	}
	n, err := w.s.tcp.Write(p)
	w.s.up.Add(int64(n))
	w.s.h.metrics.bytesUp.Add(uint64(n))
	w.s.touch()
	if err != nil {
		w.err = err
	}
	return n, err
}

// closeWith ends the stream once: the first cause wins and later callers
// wait until the close is done. Closing TCP first unblocks the TCP read
// loop; the WebSocket close handshake takes at most closeHandshakeTimeout.
func (s *stream) closeWith(cause closeCause, code websocket.StatusCode, reason string) {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.cause = cause
		_ = s.tcp.Close()
		s.ws.closeBounded(code, closeReason(reason))
		s.h.metrics.closes[cause].Add(1)
	})
}

// closeHandshakeTimeout bounds a WebSocket close handshake: the close
// frame's write and the wait for the client's reply. A client that is
// alive answers in a round trip.
const closeHandshakeTimeout = 5 * time.Second

// wsConn is the WebSocket with the connection it was hijacked from, which
// closeBounded needs.
type wsConn struct {
	*websocket.Conn
	raw net.Conn
}

// closeBounded closes with code and reason within closeHandshakeTimeout.
// coder/websocket bounds its own wait for the client's close frame except
// while it skips the unread rest of a data frame: a client that starts a
// frame claiming a terabyte (or any frame the bridge stopped reading:
// over the size limit, a text frame) and then goes silent would hold the
// stream, its goroutines and buffers forever, past the idle timeout, and
// hang Shutdown. A deadline on the raw connection ends that wait.
func (c *wsConn) closeBounded(code websocket.StatusCode, reason string) {
	if c.raw != nil {
		_ = c.raw.SetDeadline(time.Now().Add(closeHandshakeTimeout))
	}
	_ = c.Close(code, reason)
}

// touch records activity for the idle timeout.
func (s *stream) touch() {
	s.lastActive.Store(int64(time.Since(s.started)))
}

// startIdleTimer arms the idle check; the timer is assigned before it can
// first fire, so checkIdle may use s.idle.
func (s *stream) startIdleTimer() {
	d := s.h.policy.IdleTimeout
	if d <= 0 {
		return
	}
	s.touch()
	s.idle = time.AfterFunc(math.MaxInt64, s.checkIdle)
	s.idle.Reset(d)
}

// checkIdle closes the stream if nothing moved for IdleTimeout, and
// otherwise re-arms for the remaining time.
func (s *stream) checkIdle() {
	if s.closed.Load() {
		return
	}
	d := s.h.policy.IdleTimeout
	quiet := time.Since(s.started) - time.Duration(s.lastActive.Load())
	if quiet >= d {
		s.closeWith(causeIdle, websocket.StatusNormalClosure, fmt.Sprintf("idle timeout: no data either way for %s", d))
		return
	}
	s.idle.Reset(d - quiet)
}

// logEnd records how the stream ended.
func (s *stream) logEnd() {
	s.h.log.Debug("bridge stream closed", "client", s.client, "target", s.target,
		"cause", causeLabels[s.cause], "bytes_up", s.up.Load(), "bytes_down", s.down.Load(),
		"duration", time.Since(s.started).Round(time.Millisecond))
}

// errnoText is the short cause of a socket error ("connection reset by
// peer") rather than Go's long op/address chain.
func errnoText(err error) string {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno.Error()
	}
	return clip(err.Error(), 80)
}
