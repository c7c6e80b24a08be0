// Command server serves the lnwasm page and its WebAssembly engine, mounts the
// WebSocket-to-TCP bridge at /bridge, and exposes /healthz and /metrics.
// With -devnet it also runs the regtest playground (see server/devnet).
package main
