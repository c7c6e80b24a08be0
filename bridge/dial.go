package bridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/coder/websocket"
)

// clientFrameSize is the largest binary frame Dial's connection writes.
// Writes are split so that a caller writing a large buffer (a Bitcoin block,
// say) never trips the server's MaxFrameSize, which must be at least this.
const clientFrameSize = 64 << 10

// Dial opens a relayed TCP stream to target (HOST:PORT) through the bridge
// at bridgeURL (e.g. ws://127.0.0.1:8080/bridge). It returns once the
// server has connected to the target. If the server refuses or cannot reach
// the target, the error is a *CloseError carrying the server's reason; see
// IsRefused, IsUnreachable and IsTryLater.
//
// ctx bounds only the dial; the returned net.Conn lives until Close.
// Every Write is sent as one or more binary frames of at most 64 KiB.
func Dial(ctx context.Context, bridgeURL, target string) (net.Conn, error) {
	u, err := targetURL(bridgeURL, target)
	if err != nil {
		return nil, err
	}
	c, resp, err := websocket.Dial(ctx, u, nil)
	if err != nil {
		return nil, fmt.Errorf("bridge: dial %s via %s: %w%s", target, bridgeURL, err, responseHint(resp))
	}
	if err := awaitConnected(ctx, c, target); err != nil {
		abandon(c)
		return nil, err
	}
	// NetConn's context bounds the conn's whole life, so it must not be the
	// dial ctx: it is cancelled only by Close.
	life, cancel := context.WithCancel(context.Background())
	nc := websocket.NetConn(life, c, websocket.MessageBinary)
	return &clientConn{Conn: nc, cancel: cancel}, nil
}

// abandon closes a conn that will not be used, in the background. It
// uses 1000 because browsers reject other codes from scripts (so CloseNow's
// 1001 would leave the socket open under GOOS=js), and the background
// because a close handshake with a server that never answers takes seconds.
func abandon(c *websocket.Conn) {
	go func() { _ = c.Close(websocket.StatusNormalClosure, "") }()
}

// targetURL adds the escaped target query parameter to the bridge URL, so
// that IPv6 brackets and colons survive and an existing query is kept.
func targetURL(bridgeURL, target string) (string, error) {
	if _, _, err := ParseTarget(target); err != nil {
		return "", fmt.Errorf("bridge: %w", err)
	}
	u, err := url.Parse(bridgeURL)
	if err != nil {
		return "", fmt.Errorf("bridge: bad bridge URL %q: %w", bridgeURL, err)
	}
	switch u.Scheme {
	case "ws", "wss", "http", "https":
	default:
		return "", fmt.Errorf("bridge: bad bridge URL %q: scheme must be ws or wss", bridgeURL)
	}
	q := u.Query()
	q.Set("target", target)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// awaitConnected reads the server's first frame: ConnectedMessage means the
// stream is up; a refusal frame or a close frame carries the server's
// reason for not connecting.
func awaitConnected(ctx context.Context, c *websocket.Conn, target string) error {
	typ, msg, err := c.Read(ctx)
	if err != nil {
		var ce websocket.CloseError
		if errors.As(err, &ce) {
			return &CloseError{Target: target, Code: ce.Code, Reason: ce.Reason}
		}
		return fmt.Errorf("bridge: waiting for %s to connect: %w", target, err)
	}
	if typ == websocket.MessageText {
		if string(msg) == ConnectedMessage {
			return nil
		}
		if code, reason, ok := parseRefusal(string(msg)); ok {
			return &CloseError{Target: target, Code: code, Reason: reason}
		}
	}
	return fmt.Errorf("bridge: %s: unexpected first frame (%v, %d bytes): not a bridge server?", target, typ, len(msg))
}

// responseHint adds the HTTP status and the start of the body of a failed
// upgrade to the error, because that is where the server explains a 400 or
// 403. Browsers hide both, so under GOOS=js resp is nil and this is empty.
func responseHint(resp *http.Response) string {
	if resp == nil || resp.StatusCode == 0 {
		return ""
	}
	hint := fmt.Sprintf(" (HTTP %d", resp.StatusCode)
	if resp.Body != nil {
		// coder/websocket keeps only the first 1024 bytes of the body.
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
		if text := strings.TrimSpace(string(body)); text != "" {
			hint += ": " + clip(text, 200)
		}
	}
	return hint + ")"
}

// clientConn splits large writes into frames and ends the conn's context on
// Close, so that nothing of the conn outlives it.
type clientConn struct {
	net.Conn
	cancel context.CancelFunc
}

// Write sends p as frames of at most clientFrameSize bytes, because one
// frame per Write would let a caller exceed the server's frame limit.
func (c *clientConn) Write(p []byte) (int, error) {
	written := 0
	for len(p) > 0 {
		n := min(len(p), clientFrameSize)
		m, err := c.Conn.Write(p[:n])
		written += m
		if err != nil {
			return written, err
		}
		p = p[n:]
	}
	return written, nil
}

// Close closes the WebSocket with a normal closure and releases its context.
func (c *clientConn) Close() error {
	err := c.Conn.Close()
	c.cancel()
	return err
}

// CloseError is how the bridge server explained ending a stream, either
// before it connected (Dial's error) or later. Code is the WebSocket close
// code; Reason is text meant for a person.
type CloseError struct {
	Target string
	Code   websocket.StatusCode
	Reason string
}

// Error reads like "bridge: 127.0.0.1:9735: refused: ... (close 1008)".
func (e *CloseError) Error() string {
	reason := e.Reason
	if reason == "" {
		reason = "closed without a reason"
	}
	return fmt.Sprintf("bridge: %s: %s (close %d)", e.Target, reason, int(e.Code))
}

// IsRefused reports whether the bridge's policy refused the target (close
// 1008): retrying will not help; the user must pick another target or
// server.
func IsRefused(err error) bool { return closeCode(err) == websocket.StatusPolicyViolation }

// IsUnreachable reports whether the bridge could not connect to the target
// (close 1014): the peer is down or the address wrong.
func IsUnreachable(err error) bool { return closeCode(err) == websocket.StatusBadGateway }

// IsTryLater reports whether the bridge is busy for this client (close
// 1013: too many streams or connects); retrying after a pause may work.
func IsTryLater(err error) bool { return closeCode(err) == websocket.StatusTryAgainLater }

// closeCode finds the close code in err, whether it came from Dial or from
// a later read on the conn, or -1 if err is not a close.
func closeCode(err error) websocket.StatusCode {
	var ce *CloseError
	if errors.As(err, &ce) {
		return ce.Code
	}
	return websocket.CloseStatus(err)
}
