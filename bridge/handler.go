//go:build !js

package bridge

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"time"

	"github.com/coder/websocket"
)

// Handler is the server side of the bridge: an http.Handler for
// /bridge?target=HOST:PORT that relays one TCP stream per WebSocket under a
// Policy. Mount it on a mux, expose WriteMetrics at /metrics, and call
// Shutdown when the server stops, because http.Server.Shutdown does not
// close hijacked (WebSocket) connections.
type Handler struct {
	policy  Policy
	log     *slog.Logger
	limiter *limiter
	metrics metrics
	bufs    *bufferPool // relay buffers, lent to streams while data moves

	// dialCtx is cancelled by Shutdown to abandon dials in progress.
	dialCtx    context.Context
	cancelDial context.CancelFunc

	mu      sync.Mutex
	closed  bool
	tap     Tap
	streams map[*stream]struct{}
	active  sync.WaitGroup // every request past the pre-upgrade checks
}

// NewHandler returns a Handler enforcing policy (zero fields take their
// defaults). A nil logger means slog.Default().
func NewHandler(policy Policy, logger *slog.Logger) *Handler {
	if logger == nil {
		logger = slog.Default()
	}
	logger = logger.With("component", "bridge")
	p := policy.withDefaults(logger)
	ctx, cancel := context.WithCancel(context.Background())
	return &Handler{
		policy:     p,
		log:        logger,
		limiter:    newLimiter(&p, time.Now),
		bufs:       newBufferPool(p.BufferSize),
		dialCtx:    ctx,
		cancelDial: cancel,
		streams:    make(map[*stream]struct{}),
	}
}

// ServeHTTP checks the request, upgrades it, applies the per-client limits
// and the destination policy, connects, and relays until either side ends.
// Malformed requests get plain HTTP errors; refusals a browser must be able
// to read are sent as a WebSocket close after the upgrade.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.URL.Query().Get("target")
	host, port, err := ParseTarget(target)
	if err != nil {
		h.refuseHTTP(w, r, http.StatusBadRequest, reasonBadRequest, err.Error())
		return
	}
	if !isWebSocketUpgrade(r) {
		w.Header().Set("Upgrade", "websocket")
		h.refuseHTTP(w, r, http.StatusUpgradeRequired, reasonNotWebSocket,
			"this endpoint relays TCP over WebSocket: open it with a WebSocket client (ws:// or wss://), not a plain HTTP request")
		return
	}
	if !h.policy.originAllowed(r) {
		h.refuseHTTP(w, r, http.StatusForbidden, reasonOrigin,
			fmt.Sprintf("origin %q is not allowed to use this bridge", clip(r.Header.Get("Origin"), 100)))
		return
	}
	if !h.enter() {
		h.refuseHTTP(w, r, http.StatusServiceUnavailable, reasonShuttingDown, "server shutting down")
		return
	}
	defer h.active.Done()
	hw := &hijackRecorder{ResponseWriter: w}
	ws, err := websocket.Accept(hw, r, &websocket.AcceptOptions{
		InsecureSkipVerify: true, // originAllowed has already applied the Origin policy
		CompressionMode:    websocket.CompressionDisabled,
	})
	if err != nil {
		h.log.Info("websocket upgrade failed", "client", r.RemoteAddr, "err", err)
		return
	}
	ws.SetReadLimit(h.policy.MaxFrameSize) // a backstop: pumpUp enforces the limit first
	h.serveStream(&wsConn{Conn: ws, raw: hw.conn}, remoteIP(r), target, host, port)
}

// hijackRecorder keeps the connection websocket.Accept hijacks, so that
// closes can put a deadline on it (see wsConn.closeBounded).
type hijackRecorder struct {
	http.ResponseWriter
	conn net.Conn
}

// Hijack hands the connection to coder/websocket and remembers it.
func (w *hijackRecorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, fmt.Errorf("bridge: hijack: %w", err)
	}
	w.conn = c
	return c, brw, nil
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *hijackRecorder) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// serveStream runs the checks that need an upgraded connection to be
// reported, dials, and relays.
func (h *Handler) serveStream(ws *wsConn, client netip.Addr, target, host string, port uint16) {
	release, why, ok := h.limiter.admit(client)
	if !ok {
		h.refuseWS(ws, client, target, verdict{websocket.StatusTryAgainLater, h.limitMessage(why), why})
		return
	}
	defer release()
	if !h.policy.portAllowed(port) {
		ref := h.policy.portRefusal(port)
		h.refuseWS(ws, client, target, verdict{websocket.StatusPolicyViolation, ref.msg, ref.reason})
		return
	}
	tcp, err := h.dialTarget(h.dialCtx, host, port)
	if err != nil {
		v := classifyDialError(err, host, h.policy.ConnectTimeout, h.dialCtx.Err() != nil)
		h.refuseWS(ws, client, target, v)
		return
	}
	s := newStream(h, ws, tcp, client, target)
	if !h.register(s) {
		_ = tcp.Close()
		h.refuseWS(ws, client, target, verdict{websocket.StatusGoingAway, "server shutting down", reasonShuttingDown})
		return
	}
	defer h.unregister(s)
	s.run()
}

// limitMessage explains a per-client limit in words.
func (h *Handler) limitMessage(why refuseReason) string {
	if why == reasonPerIPCap {
		return fmt.Sprintf("try again later: your address already has %d streams open (the limit)", h.policy.MaxStreamsPerIP)
	}
	return fmt.Sprintf("try again later: too many connects from your address (limit %g/s, burst %d)",
		h.policy.ConnectRate, h.policy.ConnectBurst)
}

// refuseHTTP answers a request that is not upgraded with a status and a
// body a person can read.
func (h *Handler) refuseHTTP(w http.ResponseWriter, r *http.Request, status int, why refuseReason, msg string) {
	h.metrics.refusals[why].Add(1)
	level := slog.LevelInfo
	if why == reasonOrigin {
		level = slog.LevelWarn
	}
	h.log.Log(context.Background(), level, "bridge request refused", "client", r.RemoteAddr,
		"status", status, "reason", refuseLabels[why], "detail", msg)
	http.Error(w, "bridge: "+msg, status)
}

// refuseWS closes an upgraded connection that will not become a stream,
// with the close code and reason the client's Dial reports.
func (h *Handler) refuseWS(ws *wsConn, client netip.Addr, target string, v verdict) {
	h.metrics.refusals[v.label].Add(1)
	h.log.Info("bridge stream refused", "client", client, "target", target,
		"code", int(v.code), "reason", refuseLabels[v.label], "detail", v.reason)
	reason := closeReason(v.reason)
	// The text frame first: under GOOS=js Dial cannot see the close frame's
	// reason (see protocol.go). It is small, so the write does not block on
	// a client that is not reading yet.
	ctx, cancel := context.WithTimeout(context.Background(), connectedWriteTimeout)
	err := ws.Write(ctx, websocket.MessageText, []byte(formatRefusal(v.code, reason)))
	cancel()
	if err != nil {
		_ = ws.CloseNow()
		return
	}
	ws.closeBounded(v.code, reason)
}

// enter admits a request unless the handler is shut down; the caller must
// call h.active.Done.
func (h *Handler) enter() bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.active.Add(1)
	return true
}

// register records a stream so Shutdown can close it.
func (h *Handler) register(s *stream) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	h.streams[s] = struct{}{}
	return true
}

func (h *Handler) unregister(s *stream) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.streams, s)
}

// Shutdown refuses new streams, abandons dials, closes every stream with
// 1001 (going away) and waits for them to end or ctx to expire.
func (h *Handler) Shutdown(ctx context.Context) error {
	h.mu.Lock()
	h.closed = true
	streams := make([]*stream, 0, len(h.streams))
	for s := range h.streams {
		streams = append(streams, s)
	}
	h.mu.Unlock()
	h.cancelDial()
	for _, s := range streams {
		go s.closeWith(causeShutdown, websocket.StatusGoingAway, "server shutting down")
	}
	done := make(chan struct{})
	go func() {
		h.active.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("bridge: shutdown: streams still closing: %w", ctx.Err())
	}
}

// Tap is called with a copy-free view of every relayed chunk: up is client
// → target. It exists for the playground's leak test (does any secret ever
// cross the bridge?) and must not keep p.
type Tap func(target string, up bool, p []byte)

// SetTap installs a tap before the handler serves; nil removes it.
func (h *Handler) SetTap(t Tap) {
	h.mu.Lock()
	h.tap = t
	h.mu.Unlock()
}

func (h *Handler) tapFn() Tap {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.tap
}

// Drop closes every open stream to target (every stream if target is
// empty) with 1001, as a network failure would end them, and keeps serving
// new ones. Operators use it to move clients off a peer; the regtest
// playground uses it to show that nodes reconnect. It returns how many
// streams it closed.
func (h *Handler) Drop(target string) int {
	h.mu.Lock()
	var victims []*stream
	for s := range h.streams {
		if target == "" || s.target == target {
			victims = append(victims, s)
		}
	}
	h.mu.Unlock()
	for _, s := range victims {
		go s.closeWith(causeDropped, websocket.StatusGoingAway, "stream dropped by the server")
	}
	return len(victims)
}

// Close is Shutdown without a deadline: each WebSocket close handshake is
// itself bounded (closeHandshakeTimeout), so it returns.
func (h *Handler) Close() error {
	return h.Shutdown(context.Background())
}
