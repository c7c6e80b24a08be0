package keys

import (
	"errors"
	"fmt"
	"strings"

	"github.com/tyler-smith/go-bip39"
)

// EntropyBits is the mnemonic's strength: 256 bits make 24 words.
const EntropyBits = 256

// ErrInvalidMnemonic wraps every reason a mnemonic is refused.
var ErrInvalidMnemonic = errors.New("invalid mnemonic")

// NewEntropy draws fresh entropy for a 24-word mnemonic.
func NewEntropy() ([]byte, error) {
	e, err := bip39.NewEntropy(EntropyBits)
	if err != nil {
		return nil, fmt.Errorf("new entropy: %w", err)
	}
	return e, nil
}

// Mnemonic renders entropy as its BIP39 English words.
func Mnemonic(entropy []byte) (string, error) {
	m, err := bip39.NewMnemonic(entropy)
	if err != nil {
		return "", fmt.Errorf("mnemonic: %w", err)
	}
	return m, nil
}

// EntropyFromMnemonic checks the words (known words, 24 of them, checksum)
// and returns the entropy they encode. Extra spaces and case are forgiven,
// since people type these.
func EntropyFromMnemonic(mnemonic string) ([]byte, error) {
	words := strings.Fields(strings.ToLower(mnemonic))
	if len(words) != EntropyBits/32*3 {
		return nil, fmt.Errorf("%w: %d words, want 24", ErrInvalidMnemonic, len(words))
	}
	return checkWords(words)
}

// SeedFromEntropy is the BIP39 seed (PBKDF2 of the words, no passphrase).
func SeedFromEntropy(entropy []byte) ([]byte, error) {
	m, err := Mnemonic(entropy)
	if err != nil {
		return nil, err
	}
	return bip39.NewSeed(m, ""), nil
}

// SeedFromMnemonic is the BIP39 seed of any valid English mnemonic (12, 15,
// 18, 21 or 24 words) under a passphrase. It exists for other wallets'
// phrases and the spec's vectors; lnwasm's own seed is SeedFromEntropy's,
// which equals SeedFromMnemonic(Mnemonic(entropy), "").
//
// BIP39 salts PBKDF2 with the NFKD form of the passphrase. This package
// carries no Unicode tables, so a passphrase outside ASCII (where NFKD is
// the identity) is refused rather than silently stretched into a seed no
// other wallet would derive.
func SeedFromMnemonic(mnemonic, passphrase string) ([]byte, error) {
	words := strings.Fields(strings.ToLower(mnemonic))
	if n := len(words); n < 12 || n > 24 || n%3 != 0 {
		return nil, fmt.Errorf("%w: %d words, want 12, 15, 18, 21 or 24", ErrInvalidMnemonic, n)
	}
	if _, err := checkWords(words); err != nil {
		return nil, err
	}
	for i := 0; i < len(passphrase); i++ {
		if passphrase[i] >= 0x80 {
			return nil, fmt.Errorf("seed from mnemonic: the passphrase has a non-ASCII character at byte %d, which BIP39 would NFKD-normalize and this package cannot", i)
		}
	}
	return bip39.NewSeed(strings.Join(words, " "), passphrase), nil
}

// checkWords refuses unknown words and a bad checksum, and returns the
// entropy the words encode.
func checkWords(words []string) ([]byte, error) {
	for i, w := range words {
		if _, ok := bip39.GetWordIndex(w); !ok {
			return nil, fmt.Errorf("%w: word %d (%q) is not in the BIP39 English list", ErrInvalidMnemonic, i+1, w)
		}
	}
	e, err := bip39.EntropyFromMnemonic(strings.Join(words, " "))
	if err != nil {
		return nil, fmt.Errorf("%w: checksum does not match (a word is wrong or out of order)", ErrInvalidMnemonic)
	}
	return e, nil
}
