package bridge

import (
	"strconv"
	"strings"

	"github.com/coder/websocket"
)

// The wire protocol, shared by Handler and Dial. One WebSocket carries one
// TCP stream:
//
//   - After the upgrade the server either connects to the target and sends
//     one text frame, ConnectedMessage, or refuses: it sends one text frame
//     "error CODE REASON" and then closes with the same code and reason.
//   - After ConnectedMessage only binary frames flow, both ways; their
//     boundaries carry no meaning.
//   - The stream ends with a close frame: 1000 "peer closed" when the
//     target closed, 1000 with an "idle timeout" reason, 1001 on server
//     shutdown, 1009 for a client frame over the limit, 1014 for a target
//     connection error.
//
// Refusal codes: 1008 policy (port, address, ...), 1013 per-client limit
// (try again later), 1014 target unreachable, 1001 server shutting down.
//
// The "error" frame duplicates the close frame because coder/websocket
// under GOOS=js does not surface a received close frame's code and reason
// (Read returns net.ErrClosed; coder/websocket PR #505), and Dial must tell
// a refusal from an unreachable peer in the browser too.
const (
	// ConnectedMessage is the text frame that says the TCP connection to
	// the target is up.
	ConnectedMessage = "connected"
	// refusalPrefix starts the text frame that explains a refusal.
	refusalPrefix = "error "
)

// formatRefusal is the refusal text frame for code and reason.
func formatRefusal(code websocket.StatusCode, reason string) string {
	return refusalPrefix + strconv.Itoa(int(code)) + " " + reason
}

// parseRefusal reads a refusal text frame; ok is false if msg is not one.
func parseRefusal(msg string) (code websocket.StatusCode, reason string, ok bool) {
	rest, ok := strings.CutPrefix(msg, refusalPrefix)
	if !ok {
		return 0, "", false
	}
	codeStr, reason, _ := strings.Cut(rest, " ")
	n, err := strconv.Atoi(codeStr)
	if err != nil || n < 1000 || n > 4999 {
		return 0, "", false
	}
	return websocket.StatusCode(n), reason, true
}
