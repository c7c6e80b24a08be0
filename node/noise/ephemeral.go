package noise

import (
	"crypto/rand"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
)

// randomEphemeral draws a handshake's ephemeral key from crypto/rand, retrying
// the rare 32 bytes that are not a valid scalar. btcec.NewPrivateKey does
// the same through crypto/ecdsa.GenerateKey, and that one call links
// crypto/ecdsa's NIST curves (about 0.8 MB of wasm) into the page's engine
// for a curve it never uses.
func randomEphemeral() (*btcec.PrivateKey, error) {
	var b [32]byte
	defer clear(b[:])
	for {
		if _, err := rand.Read(b[:]); err != nil {
			return nil, fmt.Errorf("ephemeral key: %w", err)
		}
		var s btcec.ModNScalar
		if overflow := s.SetBytes(&b); overflow == 0 && !s.IsZero() {
			return btcec.PrivKeyFromScalar(&s), nil
		}
	}
}
