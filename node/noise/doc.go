// Package noise implements the BOLT 8 transport: the Noise_XK handshake that
// authenticates two Lightning nodes by their static secp256k1 keys, and the
// ChaCha20-Poly1305 framing, with key rotation, of every message after it.
//
// It owns, in layers:
//
//   - Initiator and Responder: the handshake as a pure state machine. Acts go
//     in and out as byte slices; nothing here reads or writes a connection,
//     so the BOLT 8 Appendix A vectors drive it directly (ephemeral keys are
//     injected with WithEphemeralGen).
//   - Cipher, EncryptFrame, DecryptHeader and DecryptBody: the message phase
//     as pure functions over a Cipher, bounded so that no frame can make us
//     allocate more than MaxMessageSize+MACSize bytes.
//   - Conn: the only part that does I/O. Client and Server run the handshake
//     over a caller-supplied net.Conn under a deadline, then carry whole
//     Lightning messages with ReadMessage and WriteMessage.
//
// It does not own: dialling or listening (the caller supplies the net.Conn,
// natively a TCP socket, in the browser a bridge WebSocket), the contents of
// messages (node/lnwire), the BOLT 1 init exchange, pings and reconnects
// (node/peer), or where static keys come from (node/keys). It has no
// platform-specific code and runs unchanged under GOOS=js GOARCH=wasm.
package noise
