package invoice

import (
	"errors"
	"fmt"
)

// Errors a caller can test with errors.Is.
var (
	// ErrInvalid is wrapped by every parse and validation error, with a
	// message naming what is wrong, so a caller can tell "not a usable
	// invoice" from its own failures.
	ErrInvalid = errors.New("invalid invoice")
	// ErrWrongNetwork is wrapped (together with ErrInvalid) when the prefix
	// is a known one but for another network than the one asked for: the
	// user pasted, say, a testnet invoice into a mainnet wallet, which
	// deserves a clearer message than "invalid".
	ErrWrongNetwork = errors.New("invoice is for another network")
)

// invalidf builds an error wrapping ErrInvalid; every message starts with
// "invoice: " so it reads well after a caller's own context.
func invalidf(format string, args ...any) error {
	return fmt.Errorf("invoice: %s: %w", fmt.Sprintf(format, args...), ErrInvalid)
}

// fieldErrorf is invalidf for one tagged field, named by its bech32 letter
// (the name the spec uses: `p`, `d`, `9`...).
func fieldErrorf(tag byte, format string, args ...any) error {
	return fmt.Errorf("invoice: field %q: %s: %w", tagName(tag), fmt.Sprintf(format, args...), ErrInvalid)
}

// tagName is the spec's one-letter name of a field type.
func tagName(tag byte) string {
	if int(tag) >= len(charset) {
		return fmt.Sprintf("#%d", tag)
	}
	return string(charset[tag])
}
