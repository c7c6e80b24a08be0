package keys

import (
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"

	"golang.org/x/crypto/chacha20poly1305"
	"golang.org/x/crypto/scrypt"
)

// sealVersion is the first byte of every blob EncryptEntropy writes.
const sealVersion = 1

// ScryptParams are the cost parameters of the password stretching.
type ScryptParams struct {
	LogN uint8 // N = 2^LogN
	R, P uint8
}

// DefaultScrypt is 32 MiB of memory per guess (see doc.go).
var DefaultScrypt = ScryptParams{LogN: 15, R: 8, P: 1}

const (
	saltLen   = 16
	headerLen = 1 + 3 + saltLen + chacha20poly1305.NonceSizeX
)

// ErrWrongPassword is returned when a blob does not open: a wrong password
// and a damaged blob look the same to an AEAD, and the message says both.
var ErrWrongPassword = errors.New("wrong password (or the stored wallet is damaged)")

// EncryptEntropy seals entropy under password with the given parameters.
func EncryptEntropy(entropy []byte, password string, p ScryptParams) ([]byte, error) {
	if password == "" {
		return nil, errors.New("encrypt seed: the password is empty")
	}
	if p.LogN < 10 || p.LogN > 22 || p.R == 0 || p.P == 0 {
		return nil, fmt.Errorf("encrypt seed: scrypt parameters %+v out of range", p)
	}
	hdr := make([]byte, headerLen)
	hdr[0], hdr[1], hdr[2], hdr[3] = sealVersion, p.LogN, p.R, p.P
	if _, err := rand.Read(hdr[4:]); err != nil {
		return nil, fmt.Errorf("encrypt seed: %w", err)
	}
	aead, err := sealKey(password, hdr)
	if err != nil {
		return nil, fmt.Errorf("encrypt seed: %w", err)
	}
	nonce := hdr[4+saltLen:]
	return aead.Seal(hdr, nonce, entropy, hdr), nil
}

// DecryptEntropy opens a blob from EncryptEntropy.
func DecryptEntropy(blob []byte, password string) ([]byte, error) {
	if len(blob) < headerLen+chacha20poly1305.Overhead {
		return nil, fmt.Errorf("decrypt seed: blob of %d bytes is too short: %w", len(blob), ErrWrongPassword)
	}
	if blob[0] != sealVersion {
		return nil, fmt.Errorf("decrypt seed: unknown format version %d", blob[0])
	}
	hdr := blob[:headerLen]
	aead, err := sealKey(password, hdr)
	if err != nil {
		return nil, fmt.Errorf("decrypt seed: %w", err)
	}
	out, err := aead.Open(nil, hdr[4+saltLen:], blob[headerLen:], hdr)
	if err != nil {
		return nil, fmt.Errorf("decrypt seed: %w", ErrWrongPassword)
	}
	return out, nil
}

// sealKey stretches the password with the header's parameters and salt.
func sealKey(password string, hdr []byte) (cipher.AEAD, error) {
	logN, r, p := hdr[1], hdr[2], hdr[3]
	if logN < 10 || logN > 22 || r == 0 || p == 0 {
		return nil, fmt.Errorf("scrypt parameters N=2^%d r=%d p=%d out of range", logN, r, p)
	}
	salt := hdr[4 : 4+saltLen]
	key, err := scrypt.Key([]byte(password), salt, 1<<logN, int(r), int(p), chacha20poly1305.KeySize)
	if err != nil {
		return nil, fmt.Errorf("scrypt: %w", err)
	}
	return chacha20poly1305.NewX(key)
}
