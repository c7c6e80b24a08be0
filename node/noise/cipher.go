package noise

import (
	"crypto/cipher"
	"encoding/binary"
)

// rotateInterval is when a transport key is replaced. BOLT 8: "A key is to
// be rotated after a party sends or decrypts 1000 messages with it. This can
// be properly accounted for by rotating the key once the nonce dedicated to
// it exceeds 1000." Each Lightning message uses two nonces (length, body),
// so a key carries 500 messages.
const rotateInterval = 1000

// Cipher is one direction of a BOLT 8 session: a key, its nonce, and the
// chaining key its rotations derive from. A Session holds two, Send and
// Recv, which rotate independently. A Cipher is not safe for concurrent use;
// Conn gives each direction its own lock.
type Cipher struct {
	key   [keySize]byte
	ck    [keySize]byte
	nonce uint64
	aead  cipher.AEAD
	// nonceBuf is reused so that sealing a message allocates nothing beyond
	// its output.
	nonceBuf [12]byte
}

// newCipher starts a direction at nonce 0 with key k, rotating from ck (the
// chaining key at the end of act three).
func newCipher(k, ck [keySize]byte) *Cipher {
	return &Cipher{key: k, ck: ck, aead: mustAEAD(&k)}
}

// seal encrypts plaintext with an empty AD under the current nonce, appends
// the ciphertext and tag to dst and advances the nonce.
func (c *Cipher) seal(dst, plaintext []byte) []byte {
	dst = c.aead.Seal(dst, c.currentNonce(), plaintext, nil)
	c.advance()
	return dst
}

// open decrypts ciphertext (with its tag) under the current nonce, appending
// the plaintext to dst. The nonce advances only when the tag verifies, so a
// failed open leaves the Cipher where it was.
func (c *Cipher) open(dst, ciphertext []byte) ([]byte, error) {
	p, err := c.aead.Open(dst, c.currentNonce(), ciphertext, nil)
	if err != nil {
		return nil, err
	}
	c.advance()
	return p, nil
}

// currentNonce encodes the nonce per BOLT 8 (32 zero bits, then 64 bits
// little-endian) into the reused buffer.
func (c *Cipher) currentNonce() []byte {
	binary.LittleEndian.PutUint64(c.nonceBuf[4:], c.nonce)
	return c.nonceBuf[:]
}

// advance counts one use of the key and rotates it at rotateInterval.
func (c *Cipher) advance() {
	c.nonce++
	if c.nonce == rotateInterval {
		c.rotate()
	}
}

// rotate implements "Lightning Message Key Rotation": ck', k' = HKDF(ck, k);
// n = 0; k = k'; ck = ck'. The old key is overwritten so that a later leak
// cannot decrypt earlier messages.
func (c *Cipher) rotate() {
	c.ck, c.key = hkdf2(c.ck[:], c.key[:])
	c.nonce = 0
	c.aead = mustAEAD(&c.key)
}
