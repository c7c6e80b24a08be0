//go:build !js

package bridge

import (
	"bufio"
	"fmt"
	"io"
	"sync/atomic"
)

// refuseReason labels why a request never became a relaying stream; the
// label set is fixed so /metrics has stable series.
type refuseReason int

const (
	reasonBadRequest refuseReason = iota
	reasonNotWebSocket
	reasonOrigin
	reasonShuttingDown
	reasonPerIPCap
	reasonRateLimit
	reasonPolicyPort
	reasonPolicyPrivate
	reasonDialFailed
	reasonDialTimeout
	numRefuseReasons
)

var refuseLabels = [numRefuseReasons]string{
	reasonBadRequest:    "bad_request",
	reasonNotWebSocket:  "not_websocket",
	reasonOrigin:        "origin",
	reasonShuttingDown:  "shutting_down",
	reasonPerIPCap:      "per_ip_cap",
	reasonRateLimit:     "rate_limit",
	reasonPolicyPort:    "policy_port",
	reasonPolicyPrivate: "policy_private",
	reasonDialFailed:    "dial_failed",
	reasonDialTimeout:   "dial_timeout",
}

// closeCause labels how a relaying stream ended.
type closeCause int

const (
	causePeerClosed closeCause = iota
	causePeerError
	causeClientClosed
	causeClientError
	causeIdle
	causeTooBig
	causeProtocol
	causeShutdown
	causeDropped
	numCloseCauses
)

var causeLabels = [numCloseCauses]string{
	causePeerClosed:   "peer_closed",
	causePeerError:    "peer_error",
	causeClientClosed: "client_closed",
	causeClientError:  "client_error",
	causeIdle:         "idle_timeout",
	causeTooBig:       "message_too_big",
	causeProtocol:     "protocol_error",
	causeShutdown:     "shutdown",
	causeDropped:      "dropped",
}

// metrics are plain atomics: the bridge needs a handful of series and no
// client library.
type metrics struct {
	streamsOpen  atomic.Int64
	streamsTotal atomic.Uint64
	bytesUp      atomic.Uint64 // client → target
	bytesDown    atomic.Uint64 // target → client
	dialsAllowed atomic.Uint64 // Control hook let a connect(2) happen
	dialsBlocked atomic.Uint64 // Control hook refused before connect(2)
	refusals     [numRefuseReasons]atomic.Uint64
	closes       [numCloseCauses]atomic.Uint64
}

// WriteMetrics writes the bridge's metrics in the Prometheus text format,
// for the server's /metrics handler.
func (h *Handler) WriteMetrics(w io.Writer) error {
	m := &h.metrics
	bw := bufio.NewWriter(w)
	family(bw, "streams_open", "gauge", "Streams currently relaying between a WebSocket and a TCP peer.")
	fmt.Fprintf(bw, "lnwasm_bridge_streams_open %d\n", m.streamsOpen.Load())
	family(bw, "streams_total", "counter", "Streams that connected to their target and started relaying.")
	fmt.Fprintf(bw, "lnwasm_bridge_streams_total %d\n", m.streamsTotal.Load())
	family(bw, "bytes_total", "counter", "Bytes relayed, by direction.")
	fmt.Fprintf(bw, "lnwasm_bridge_bytes_total{direction=\"client_to_target\"} %d\n", m.bytesUp.Load())
	fmt.Fprintf(bw, "lnwasm_bridge_bytes_total{direction=\"target_to_client\"} %d\n", m.bytesDown.Load())
	family(bw, "refusals_total", "counter", "Requests that did not become a stream, by reason.")
	for i, label := range refuseLabels {
		fmt.Fprintf(bw, "lnwasm_bridge_refusals_total{reason=%q} %d\n", label, m.refusals[i].Load())
	}
	family(bw, "stream_closes_total", "counter", "Streams ended after connecting, by cause.")
	for i, label := range causeLabels {
		fmt.Fprintf(bw, "lnwasm_bridge_stream_closes_total{cause=%q} %d\n", label, m.closes[i].Load())
	}
	family(bw, "dials_total", "counter", "Resolved addresses the connect-time policy check let through or blocked before any SYN.")
	fmt.Fprintf(bw, "lnwasm_bridge_dials_total{result=\"allowed\"} %d\n", m.dialsAllowed.Load())
	fmt.Fprintf(bw, "lnwasm_bridge_dials_total{result=\"blocked\"} %d\n", m.dialsBlocked.Load())
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("bridge: write metrics: %w", err)
	}
	return nil
}

// family writes the HELP and TYPE lines that precede a metric's samples.
func family(w io.Writer, name, typ, help string) {
	fmt.Fprintf(w, "# HELP lnwasm_bridge_%s %s\n# TYPE lnwasm_bridge_%s %s\n", name, help, name, typ)
}
