// Package devnet runs the regtest playground behind `server -devnet`: a btcd
// node in regtest on loopback serving compact filters, an initial chain, and
// the /devnet/ HTTP endpoints (info, mine). It builds btcd from the Go module
// proxy once and caches the binary, and it stops every process it started.
package devnet
