package lnwire

import (
	"encoding/hex"
	"fmt"
)

// The fixed-size values a channel persists encode as hex text, so a
// stored channel state is readable and JSON does not spell a 33-byte key
// as 33 numbers.

// MarshalText is the hex encoding; the zero value (a point not yet
// received) is the empty string.
func (p Point) MarshalText() ([]byte, error) {
	if p == (Point{}) {
		return []byte{}, nil
	}
	return hexText(p[:]), nil
}

// UnmarshalText accepts hex of a valid point, or an empty string for the
// zero value (a point not yet received).
func (p *Point) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*p = Point{}
		return nil
	}
	raw, err := unhexExact(b, PointSize, "point")
	if err != nil {
		return err
	}
	q, err := ParsePoint(raw)
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// MarshalText is the hex encoding.
func (c ChannelID) MarshalText() ([]byte, error) { return hexText(c[:]), nil }

// UnmarshalText accepts 64 hex digits.
func (c *ChannelID) UnmarshalText(b []byte) error {
	raw, err := unhexExact(b, len(c), "channel id")
	if err != nil {
		return err
	}
	copy(c[:], raw)
	return nil
}

// MarshalText is the hex encoding.
func (s Sig) MarshalText() ([]byte, error) { return hexText(s[:]), nil }

// UnmarshalText accepts 128 hex digits.
func (s *Sig) UnmarshalText(b []byte) error {
	raw, err := unhexExact(b, SigSize, "signature")
	if err != nil {
		return err
	}
	copy(s[:], raw)
	return nil
}

func hexText(b []byte) []byte {
	out := make([]byte, hex.EncodedLen(len(b)))
	hex.Encode(out, b)
	return out
}

func unhexExact(b []byte, n int, what string) ([]byte, error) {
	raw := make([]byte, hex.DecodedLen(len(b)))
	if _, err := hex.Decode(raw, b); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if len(raw) != n {
		return nil, fmt.Errorf("%s: %d bytes, want %d", what, len(raw), n)
	}
	return raw, nil
}
