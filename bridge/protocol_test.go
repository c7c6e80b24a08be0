package bridge

import (
	"errors"
	"testing"

	"github.com/coder/websocket"
)

func TestRefusalFrameRoundTrip(t *testing.T) {
	reason := "refused: 10.0.0.1 is a private address (server does not allow private targets)"
	code, got, ok := parseRefusal(formatRefusal(websocket.StatusPolicyViolation, reason))
	if !ok || code != websocket.StatusPolicyViolation || got != reason {
		t.Fatalf("parseRefusal = %d %q %v", code, got, ok)
	}
	for _, bad := range []string{"connected", "error", "error x reason", "error 99 low", "error 5000 high", "Error 1008 x"} {
		if _, _, ok := parseRefusal(bad); ok {
			t.Errorf("parseRefusal(%q) accepted", bad)
		}
	}
	if _, r, ok := parseRefusal("error 1013"); !ok || r != "" {
		t.Errorf("code without reason: %q %v", r, ok)
	}
}

func TestCloseErrorHelpers(t *testing.T) {
	err := error(&CloseError{Target: "a:1", Code: websocket.StatusBadGateway, Reason: "peer unreachable: connection refused"})
	if !IsUnreachable(err) || IsRefused(err) || IsTryLater(err) {
		t.Error("1014 misclassified")
	}
	if want := "bridge: a:1: peer unreachable: connection refused (close 1014)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	// A close seen later, on the conn, is classified the same way.
	if !IsRefused(websocket.CloseError{Code: websocket.StatusPolicyViolation}) {
		t.Error("websocket.CloseError 1008 not seen as refused")
	}
	if IsRefused(nil) || IsUnreachable(errors.New("connection reset")) {
		t.Error("non-close errors classified as closes")
	}
}
