// Package bridge relays one TCP stream over one WebSocket, because a web page
// cannot open TCP sockets but must reach Bitcoin P2P and Lightning peers.
//
// The server side is Handler, an http.Handler mounted at
// /bridge?target=HOST:PORT. It enforces a destination Policy on the resolved
// IP inside the dialer's Control hook (so DNS rebinding cannot get around it
// and a refused address never gets a SYN), an Origin allowlist, per-IP
// stream caps and connect-rate limits, timeouts, a maximum frame size and
// bounded buffering in both directions. WriteMetrics exposes its counters in
// the Prometheus text format; Shutdown closes its streams, which
// http.Server.Shutdown does not do for hijacked connections.
//
// The client side is Dial, which returns a net.Conn and compiles both
// natively and under GOOS=js (where the browser's WebSocket carries it).
// Server code is built only with !js, so the wasm binary carries the client
// alone.
//
// The wire protocol (see protocol.go): after the upgrade the server sends
// one text frame, "connected", once the TCP connection is up, or an
// "error CODE REASON" text frame followed by a close frame with that code
// (1008 refused by policy, 1013 try again later, 1014 peer unreachable,
// 1001 shutting down). Then only binary frames flow. Malformed requests get
// plain HTTP errors instead: 400 for a bad target, 426 for a request that is
// not a WebSocket upgrade, 403 for a page origin that is not allowed.
//
// The package does not know about Bitcoin or Lightning: it relays bytes.
package bridge
