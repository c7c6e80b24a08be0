package noise

import (
	"errors"
	"fmt"
)

// ErrHandshake matches, via errors.Is, every error that ends a handshake:
// a malformed or unauthenticated act from the peer, or an I/O failure while
// exchanging acts. The concrete type is *HandshakeError, whose Reason says
// which; the connection must be dropped either way.
var ErrHandshake = errors.New("noise: handshake failed")

// Reasons a handshake fails, wrapped by HandshakeError so that callers can
// tell a peer that does not speak BOLT 8 (ErrBadVersion, ErrActSize) from one
// that is not who we think it is (ErrBadMAC).
var (
	// ErrActSize means an act did not have its fixed size (50, 50 or 66
	// bytes); over a connection it is a short read.
	ErrActSize = errors.New("wrong act size")
	// ErrBadVersion means an act's leading version byte was not 0.
	ErrBadVersion = errors.New("unknown handshake version")
	// ErrBadPubKey means a key in an act is not a valid compressed
	// secp256k1 point.
	ErrBadPubKey = errors.New("invalid public key")
	// ErrBadMAC means a Poly1305 tag did not verify: the acts were tampered
	// with, or the two sides disagree about a static key.
	ErrBadMAC = errors.New("MAC check failed")
)

// ErrState is returned when a handshake method is called out of order or
// after the handshake has failed or finished. It is a bug in the caller, not
// in the peer, so it does not match ErrHandshake.
var ErrState = errors.New("noise: handshake method called in the wrong state")

// ErrMessageTooLarge is returned for a message longer than MaxMessageSize.
// Nothing is encrypted, so the Cipher and the Conn remain usable.
var ErrMessageTooLarge = errors.New("noise: message exceeds 65535 bytes")

// ErrBadFrame is returned when a frame from the peer fails to decrypt or has
// an impossible size. The receiving Cipher is out of step with the peer from
// then on, so a Conn that sees it closes itself.
var ErrBadFrame = errors.New("noise: bad frame")

// HandshakeError says which act failed and why. Its Unwrap gives both
// ErrHandshake and Reason, so errors.Is works for either.
type HandshakeError struct {
	// Act is the act being processed when the handshake failed: 1, 2 or 3.
	Act int
	// Reason is one of ErrActSize, ErrBadVersion, ErrBadPubKey, ErrBadMAC
	// (possibly wrapped with detail), or an I/O or context error.
	Reason error
	// Hint, if set, says in words what the failure means for the caller.
	Hint string
}

// actNames spells act numbers the way BOLT 8 does, so that messages read
// like the spec.
var actNames = [...]string{1: "act one", 2: "act two", 3: "act three"}

// Error renders e.g. "noise: act two: MAC check failed: the peer is not the
// node whose public key was given".
func (e *HandshakeError) Error() string {
	act := fmt.Sprintf("act %d", e.Act)
	if e.Act > 0 && e.Act < len(actNames) {
		act = actNames[e.Act]
	}
	msg := fmt.Sprintf("noise: %s: %v", act, e.Reason)
	if e.Hint != "" {
		msg += ": " + e.Hint
	}
	return msg
}

// Unwrap lets errors.Is match both ErrHandshake and the reason.
func (e *HandshakeError) Unwrap() []error {
	return []error{ErrHandshake, e.Reason}
}

// handshakeErr builds a *HandshakeError; a helper because every failure path
// in the state machines needs one.
func handshakeErr(act int, reason error, hint string) error {
	return &HandshakeError{Act: act, Reason: reason, Hint: hint}
}
