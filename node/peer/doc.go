// Package peer runs one Lightning connection: the BOLT 8 handshake (through
// node/noise), the BOLT 1 init exchange and feature negotiation, ping/pong
// liveness, and the dispatch of every other message to a handler. It closes
// the connection where BOLT 1 says it must (an unknown even message, a
// required feature we do not know, no pong) with an error a person can read.
//
// Reconnecting is the caller's job (node keeps its peers and redials with
// backoff); a Peer is one connection, from handshake to close.
package peer
