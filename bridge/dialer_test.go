//go:build !js

package bridge

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestClassifyDialError(t *testing.T) {
	opErr := func(err error) error { return &net.OpError{Op: "dial", Net: "tcp", Err: err} }
	ipr := &ipRefusal{ip: netip.MustParseAddr("10.0.0.1"), class: ClassPrivate, why: "server does not allow private targets"}
	tests := []struct {
		name     string
		err      error
		shutdown bool
		code     websocket.StatusCode
		label    refuseReason
		reason   string
	}{
		{"ip refusal", opErr(ipr), false, websocket.StatusPolicyViolation, reasonPolicyPrivate,
			"refused: peer.example resolves to 10.0.0.1, a private address (server does not allow private targets)"},
		{"port refusal", opErr(&refusal{reason: reasonPolicyPort, msg: "refused: port 22 is not allowed (allowed: 9735)"}), false,
			websocket.StatusPolicyViolation, reasonPolicyPort, "refused: port 22 is not allowed (allowed: 9735)"},
		{"refusal wins over shutdown", opErr(ipr), true, websocket.StatusPolicyViolation, reasonPolicyPrivate, "refused: "},
		{"shutdown", opErr(context.Canceled), true, websocket.StatusGoingAway, reasonShuttingDown, "server shutting down"},
		{"timeout", opErr(context.DeadlineExceeded), false, websocket.StatusBadGateway, reasonDialTimeout,
			"peer unreachable: no connection to peer.example within 10s"},
		{"os timeout", opErr(os.ErrDeadlineExceeded), false, websocket.StatusBadGateway, reasonDialTimeout, "within 10s"},
		{"no such host", opErr(&net.DNSError{Err: "no such host", Name: "peer.example", IsNotFound: true}), false,
			websocket.StatusBadGateway, reasonDialFailed, "peer unreachable: peer.example: no such host"},
		{"refused", opErr(os.NewSyscallError("connect", syscall.ECONNREFUSED)), false,
			websocket.StatusBadGateway, reasonDialFailed, "peer unreachable: connection refused"},
		{"other", errors.New("something odd"), false, websocket.StatusBadGateway, reasonDialFailed, "peer unreachable: something odd"},
	}
	for _, tt := range tests {
		v := classifyDialError(tt.err, "peer.example", 10*time.Second, tt.shutdown)
		if v.code != tt.code || v.label != tt.label || !strings.HasPrefix(v.reason, tt.reason) && !strings.Contains(v.reason, tt.reason) {
			t.Errorf("%s: got %d %s %q, want %d %s %q", tt.name, v.code, refuseLabels[v.label], v.reason,
				tt.code, refuseLabels[tt.label], tt.reason)
		}
	}
}
