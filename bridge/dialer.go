//go:build !js

package bridge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
	"syscall"
	"time"

	"github.com/coder/websocket"
)

// maxReason is the longest close reason a WebSocket close frame can carry
// (125 bytes of control payload minus the 2-byte code).
const maxReason = 123

// refusal is a request the bridge turns down for a reason it can name.
type refusal struct {
	reason refuseReason
	msg    string
}

// Error is the reason a person reads.
func (r *refusal) Error() string { return r.msg }

// verdict is how a stream that did not connect is closed and counted.
type verdict struct {
	code   websocket.StatusCode
	reason string
	label  refuseReason
}

// dialTarget connects to host:port. The destination policy runs in the
// dialer's Control hook, on each resolved IP right before connect(2), so a
// refused address never gets a SYN and DNS rebinding cannot get around it.
func (h *Handler) dialTarget(ctx context.Context, host string, port uint16) (net.Conn, error) {
	d := net.Dialer{
		Timeout:        h.policy.ConnectTimeout,
		ControlContext: h.control,
	}
	return d.DialContext(ctx, "tcp", net.JoinHostPort(host, strconv.Itoa(int(port))))
}

// control is the connect-time policy check; address is the resolved
// "IP:port" the socket is about to connect to.
func (h *Handler) control(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		h.metrics.dialsBlocked.Add(1)
		return &refusal{reason: reasonPolicyPrivate, msg: fmt.Sprintf("refused: cannot check address %q", clip(address, 60))}
	}
	if !h.policy.portAllowed(ap.Port()) {
		h.metrics.dialsBlocked.Add(1)
		return h.policy.portRefusal(ap.Port())
	}
	if r := h.policy.checkIP(ap.Addr()); r != nil {
		h.metrics.dialsBlocked.Add(1)
		return r
	}
	h.metrics.dialsAllowed.Add(1)
	return nil
}

// classifyDialError turns a failed dial into the close the client sees:
// 1008 for a policy refusal, 1001 if the server is shutting down, and 1014
// with the cause (timeout, DNS, connection refused...) otherwise.
func classifyDialError(err error, host string, timeout time.Duration, shuttingDown bool) verdict {
	var ipr *ipRefusal
	var ref *refusal
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &ipr):
		return verdict{websocket.StatusPolicyViolation, ipr.describe(host), reasonPolicyPrivate}
	case errors.As(err, &ref):
		return verdict{websocket.StatusPolicyViolation, ref.msg, ref.reason}
	case shuttingDown:
		return verdict{websocket.StatusGoingAway, "server shutting down", reasonShuttingDown}
	case isTimeout(err):
		return verdict{websocket.StatusBadGateway, fmt.Sprintf("peer unreachable: no connection to %s within %s", host, timeout), reasonDialTimeout}
	case errors.As(err, &dnsErr):
		msg := "no such host"
		if !dnsErr.IsNotFound {
			msg = "DNS lookup failed"
		}
		return verdict{websocket.StatusBadGateway, fmt.Sprintf("peer unreachable: %s: %s", host, msg), reasonDialFailed}
	default:
		return verdict{websocket.StatusBadGateway, "peer unreachable: " + errnoText(err), reasonDialFailed}
	}
}

// isTimeout reports whether err is the connect timeout expiring.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// closeReason makes s fit a close frame, cutting on a UTF-8 boundary.
func closeReason(s string) string {
	if len(s) <= maxReason {
		return s
	}
	return clip(s, maxReason-3) + "..."
}
