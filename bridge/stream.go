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
// reads (backpressure) and nothing queues without bound.
type stream struct {
	h       *Handler
	ws      *websocket.Conn
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

func newStream(h *Handler, ws *websocket.Conn, tcp net.Conn, client netip.Addr, target string) *stream {
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

// pumpDown copies target → client, one binary message per TCP read.
func (s *stream) pumpDown() {
	buf := make([]byte, s.h.policy.BufferSize)
	for {
		n, err := s.tcp.Read(buf)
		if n > 0 {
			s.touch()
			if tap := s.h.tapFn(); tap != nil {
				tap(s.target, false, buf[:n])
			}
			if werr := s.ws.Write(context.Background(), websocket.MessageBinary, buf[:n]); werr != nil {
				s.closeWith(causeClientError, websocket.StatusInternalError, "client write failed")
				return
			}
			s.down.Add(int64(n))
			s.h.metrics.bytesDown.Add(uint64(n))
			s.touch()
		}
		if errors.Is(err, io.EOF) {
			s.closeWith(causePeerClosed, websocket.StatusNormalClosure, "peer closed")
			return
		}
		if err != nil {
			s.closeWith(causePeerError, websocket.StatusBadGateway, "peer connection error: "+errnoText(err))
			return
		}
	}
}

// pumpUp copies client → target. Messages are streamed through a fixed
// buffer, so MaxFrameSize bounds a message but not memory; a message over
// the limit ends the stream with 1009 after its first MaxFrameSize bytes.
func (s *stream) pumpUp() {
	buf := make([]byte, s.h.policy.BufferSize)
	w := &tcpWriter{s: s}
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
		if _, err := io.CopyBuffer(w, r, buf); err != nil {
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
// loop; the WebSocket close handshake is bounded by the library (~10s).
func (s *stream) closeWith(cause closeCause, code websocket.StatusCode, reason string) {
	s.closeOnce.Do(func() {
		s.closed.Store(true)
		s.cause = cause
		_ = s.tcp.Close()
		_ = s.ws.Close(code, closeReason(reason))
		s.h.metrics.closes[cause].Add(1)
	})
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
