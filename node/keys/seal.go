package keys

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

// sealVersion is the first byte of every blob Seal writes.
const sealVersion = 1

// ScryptParams are the cost parameters of the password stretching.
type ScryptParams struct {
	LogN uint8 // N = 2^LogN
	R, P uint8
}

// DefaultScrypt is 32 MiB of memory per guess (see doc.go).
var DefaultScrypt = ScryptParams{LogN: 15, R: 8, P: 1}

// MemoryBytes is what scrypt allocates with these parameters (128·r·N), so
// a caller can refuse a blob from elsewhere that would exhaust memory.
func (p ScryptParams) MemoryBytes() int64 { return 128 * int64(p.R) << p.LogN }

func (p ScryptParams) valid() bool { return p.LogN >= 10 && p.LogN <= 22 && p.R != 0 && p.P != 0 }

const (
	saltLen   = 16
	headerLen = 1 + 3 + saltLen + chacha20poly1305.NonceSizeX
)

// SealOverhead is what Seal adds to the plaintext: header and tag.
const SealOverhead = headerLen + chacha20poly1305.Overhead

// ErrWrongPassword is returned when a blob does not open: a wrong password
// and a damaged blob look the same to an AEAD, and the message says both.
var ErrWrongPassword = errors.New("wrong password (or the stored wallet is damaged)")

// errSealVersion is a blob whose first byte is not a version we write.
var errSealVersion = errors.New("unknown format version")

// EncryptEntropy seals entropy under password with the given parameters.
func EncryptEntropy(entropy []byte, password string, p ScryptParams) ([]byte, error) {
	blob, err := Seal(entropy, password, p, nil)
	if err != nil {
		return nil, fmt.Errorf("encrypt seed: %w", err)
	}
	return blob, nil
}

// DecryptEntropy opens a blob from EncryptEntropy.
func DecryptEntropy(blob []byte, password string) ([]byte, error) {
	out, err := Open(blob, password, nil)
	if err != nil {
		return nil, fmt.Errorf("decrypt seed: %w", err)
	}
	return out, nil
}

// Seal encrypts plaintext under password with XChaCha20-Poly1305 and a
// key scrypt stretches with p and a fresh salt. The blob's header
// (version, parameters, salt, nonce) and ad, which the caller keeps in
// front of the blob (a file's magic), are authenticated: changing either
// fails Open as a wrong password would. With nil ad the blob is the one
// EncryptEntropy has always written.
func Seal(plaintext []byte, password string, p ScryptParams, ad []byte) ([]byte, error) {
	if password == "" {
		return nil, errors.New("the password is empty")
	}
	if !p.valid() {
		return nil, fmt.Errorf("scrypt parameters %+v out of range", p)
	}
	hdr := make([]byte, headerLen)
	hdr[0], hdr[1], hdr[2], hdr[3] = sealVersion, p.LogN, p.R, p.P
	if _, err := rand.Read(hdr[4:]); err != nil {
		return nil, err
	}
	aead, err := sealKey(password, hdr)
	if err != nil {
		return nil, err
	}
	nonce := hdr[4+saltLen:]
	return aead.Seal(hdr, nonce, plaintext, associated(ad, hdr)), nil
}

// Open decrypts a blob from Seal given the same ad. A blob too short to
// hold a header and tag, or that fails authentication, is ErrWrongPassword.
func Open(blob []byte, password string, ad []byte) ([]byte, error) {
	if len(blob) < SealOverhead {
		return nil, fmt.Errorf("blob of %d bytes is too short: %w", len(blob), ErrWrongPassword)
	}
	if blob[0] != sealVersion {
		return nil, fmt.Errorf("%w %d", errSealVersion, blob[0])
	}
	hdr := blob[:headerLen]
	aead, err := sealKey(password, hdr)
	if err != nil {
		return nil, err
	}
	out, err := aead.Open(nil, hdr[4+saltLen:], blob[headerLen:], associated(ad, hdr))
	if err != nil {
		return nil, ErrWrongPassword
	}
	return out, nil
}

// SealedParams reads the scrypt parameters a blob names without spending
// them, so a caller opening a blob it did not write can refuse costly ones.
func SealedParams(blob []byte) (ScryptParams, error) {
	if len(blob) < SealOverhead {
		return ScryptParams{}, fmt.Errorf("blob of %d bytes is too short", len(blob))
	}
	if blob[0] != sealVersion {
		return ScryptParams{}, fmt.Errorf("%w %d", errSealVersion, blob[0])
	}
	p := ScryptParams{LogN: blob[1], R: blob[2], P: blob[3]}
	if !p.valid() {
		return p, fmt.Errorf("scrypt parameters N=2^%d r=%d p=%d out of range", p.LogN, p.R, p.P)
	}
	return p, nil
}

// associated is the AEAD's associated data: the caller's prefix, then the
// header.
func associated(ad, hdr []byte) []byte {
	if len(ad) == 0 {
		return hdr
	}
	return append(append([]byte(nil), ad...), hdr...)
}

// sealKey stretches the password with the header's parameters and salt.
func sealKey(password string, hdr []byte) (cipher.AEAD, error) {
	p := ScryptParams{LogN: hdr[1], R: hdr[2], P: hdr[3]}
	if !p.valid() {
		return nil, fmt.Errorf("scrypt parameters N=2^%d r=%d p=%d out of range", p.LogN, p.R, p.P)
	}
	salt := hdr[4 : 4+saltLen]
	key, err := scrypt.Key([]byte(password), salt, 1<<p.LogN, int(p.R), int(p.P), chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	return chacha20poly1305.NewX(key)
}
