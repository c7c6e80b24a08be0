package noise

import (
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/btcec/v2"
	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/hkdf"
)

// protocolName and prologue seed the handshake hash. BOLT 8: "h =
// SHA-256(protocolName)", "ck = h", "h = SHA-256(h || prologue)".
const (
	protocolName = "Noise_XK_secp256k1_ChaChaPoly_SHA256"
	prologue     = "lightning"
)

// keySize is the size of every key, chaining key and hash in BOLT 8.
const keySize = 32

// symmetricState is the running handshake state of BOLT 8: the chaining key
// ck, the handshake hash h and the latest temporary key temp_k1/2/3. Both
// roles share it; only the order of operations differs.
type symmetricState struct {
	ck    [keySize]byte
	h     [keySize]byte
	tempK [keySize]byte
}

// newSymmetricState performs "Handshake State Initialization" up to, and
// including, mixing in the responder's static key, which both sides know
// before act one (as rs for the initiator, ls for the responder).
func newSymmetricState(responderStatic *btcec.PublicKey) *symmetricState {
	s := &symmetricState{}
	s.h = sha256.Sum256([]byte(protocolName))
	s.ck = s.h
	s.mixHash([]byte(prologue))
	s.mixHash(responderStatic.SerializeCompressed())
	return s
}

// mixHash sets h = SHA-256(h || data).
func (s *symmetricState) mixHash(data []byte) {
	d := sha256.New()
	d.Write(s.h[:])
	d.Write(data)
	d.Sum(s.h[:0])
}

// mixKey sets ck, temp_k = HKDF(ck, ikm).
func (s *symmetricState) mixKey(ikm []byte) {
	s.ck, s.tempK = hkdf2(s.ck[:], ikm)
}

// encryptAndHash computes c = encryptWithAD(temp_k, n, h, plaintext), then
// h = SHA-256(h || c), and returns c appended to dst.
func (s *symmetricState) encryptAndHash(dst []byte, n uint64, plaintext []byte) []byte {
	start := len(dst)
	dst = encryptWithAD(dst, &s.tempK, n, s.h[:], plaintext)
	s.mixHash(dst[start:])
	return dst
}

// decryptAndHash computes p = decryptWithAD(temp_k, n, h, c) and, only if
// the MAC verifies, h = SHA-256(h || c).
func (s *symmetricState) decryptAndHash(n uint64, c []byte) ([]byte, error) {
	p, err := decryptWithAD(&s.tempK, n, s.h[:], c)
	if err != nil {
		return nil, err
	}
	s.mixHash(c)
	return p, nil
}

// split derives the transport keys: BOLT 8 "sk, rk = HKDF(ck, zero)" for the
// initiator ("rk, sk" for the responder). Each Cipher gets its own copy of ck
// as the salt for its key rotations.
func (s *symmetricState) split() (first, second *Cipher) {
	k1, k2 := hkdf2(s.ck[:], nil)
	return newCipher(k1, s.ck), newCipher(k2, s.ck)
}

// wipe zeroes the handshake secrets once they are no longer needed.
func (s *symmetricState) wipe() {
	*s = symmetricState{}
}

// hkdf2 is BOLT 8's HKDF(salt, ikm): RFC 5869 with SHA-256 and an empty
// info, returning 64 bytes split into two 32-byte keys.
func hkdf2(salt, ikm []byte) (a, b [keySize]byte) {
	r := hkdf.New(sha256.New, ikm, salt, nil)
	var out [2 * keySize]byte
	if _, err := io.ReadFull(r, out[:]); err != nil {
		// hkdf only fails past 255*32 bytes of output; 64 cannot.
		panic(fmt.Sprintf("noise: hkdf: %v", err))
	}
	copy(a[:], out[:keySize])
	copy(b[:], out[keySize:])
	return a, b
}

// ecdh is BOLT 8's ECDH(rk, k): SHA-256 of the compressed point k*rk. Not
// btcec.GenerateSharedSecret, which returns the bare x coordinate.
func ecdh(pub *btcec.PublicKey, priv *btcec.PrivateKey) [keySize]byte {
	var point, result btcec.JacobianPoint
	pub.AsJacobian(&point)
	btcec.ScalarMultNonConst(&priv.Key, &point, &result)
	result.ToAffine()
	shared := btcec.NewPublicKey(&result.X, &result.Y)
	return sha256.Sum256(shared.SerializeCompressed())
}

// nonceBytes encodes n as BOLT 8 requires: "32 zero bits, followed by a
// little-endian 64-bit value".
func nonceBytes(n uint64) [chacha20poly1305.NonceSize]byte {
	var nonce [chacha20poly1305.NonceSize]byte
	binary.LittleEndian.PutUint64(nonce[4:], n)
	return nonce
}

// encryptWithAD is BOLT 8's encryptWithAD, appending to dst.
func encryptWithAD(dst []byte, key *[keySize]byte, n uint64, ad, plaintext []byte) []byte {
	aead := mustAEAD(key)
	nonce := nonceBytes(n)
	return aead.Seal(dst, nonce[:], plaintext, ad)
}

// decryptWithAD is BOLT 8's decryptWithAD; the only error is ErrBadMAC.
func decryptWithAD(key *[keySize]byte, n uint64, ad, ciphertext []byte) ([]byte, error) {
	aead := mustAEAD(key)
	nonce := nonceBytes(n)
	p, err := aead.Open(nil, nonce[:], ciphertext, ad)
	if err != nil {
		return nil, ErrBadMAC
	}
	return p, nil
}

// mustAEAD wraps chacha20poly1305.New, which fails only for a key of the
// wrong size, impossible with a [32]byte.
func mustAEAD(key *[keySize]byte) cipher.AEAD {
	aead, err := chacha20poly1305.New(key[:])
	if err != nil {
		panic(fmt.Sprintf("noise: chacha20poly1305: %v", err))
	}
	return aead
}
