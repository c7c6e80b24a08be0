package lnwire

import (
	"fmt"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// Signed is a gossip message whose own signatures cover its bytes:
// channel_announcement, node_announcement and channel_update. Verifying
// them is the graph's job; this package only guarantees that a decoded
// message re-encodes byte for byte, so that SignedData gives back exactly
// the bytes the origin node signed, unknown extension records included.
type Signed interface {
	Message
	// SignedData is the part of the message the signatures cover.
	SignedData() ([]byte, error)
}

// SignedHash is the digest a Signed message's signatures are made over.
//
// BOLT 7: MUST compute the double-SHA256 hash `h` of the message [...]
// MUST set `signature` to the signature of the double-SHA256 of the entire
// remaining packet after `signature`.
func SignedHash(m Signed) (chainhash.Hash, error) {
	data, err := m.SignedData()
	if err != nil {
		return chainhash.Hash{}, err
	}
	return chainhash.DoubleHashH(data), nil
}

// signedTail encodes m (type included, as a peer would receive it) and
// returns the bytes from offset within the body on. It goes through
// WriteMessage so that a message too large to send has no signed data
// either.
func signedTail(m Message, offset int) ([]byte, error) {
	b, err := WriteMessage(m)
	if err != nil {
		return nil, err
	}
	if len(b) < 2+offset {
		return nil, fmt.Errorf("lnwire: %s of %d bytes is shorter than its signatures", m.Type(), len(b))
	}
	return b[2+offset:], nil
}
