package keys

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ErrRevocationStoreEncoding reports stored bytes that are not a
// RevocationStore this package wrote.
var ErrRevocationStoreEncoding = errors.New("keys: malformed revocation store encoding")

// revocationStoreVersion prefixes the encoding so a future layout can be
// told apart from this one.
const revocationStoreVersion = 1

// MarshalBinary encodes the store for persistence: a version byte, the
// count of secrets received, then every occupied bucket as its position,
// index and secret. A channel saves this after each revoke_and_ack, since
// losing it would lose the means to punish a revoked commitment.
func (s *RevocationStore) MarshalBinary() ([]byte, error) {
	out := []byte{revocationStoreVersion}
	out = binary.BigEndian.AppendUint64(out, s.received)
	for pos, k := range s.known {
		if !k.ok {
			continue
		}
		out = append(out, byte(pos))
		out = binary.BigEndian.AppendUint64(out, k.index)
		out = append(out, k.secret[:]...)
	}
	return out, nil
}

// UnmarshalBinary restores a store written by MarshalBinary, checking that
// every bucket is in range and appears once.
func (s *RevocationStore) UnmarshalBinary(b []byte) error {
	if len(b) < 9 || b[0] != revocationStoreVersion {
		return fmt.Errorf("%w: bad header", ErrRevocationStoreEncoding)
	}
	var out RevocationStore
	out.received = binary.BigEndian.Uint64(b[1:9])
	rest := b[9:]
	const entry = 1 + 8 + 32
	if len(rest)%entry != 0 {
		return fmt.Errorf("%w: truncated entry", ErrRevocationStoreEncoding)
	}
	for ; len(rest) > 0; rest = rest[entry:] {
		pos := int(rest[0])
		if pos > indexBits || out.known[pos].ok {
			return fmt.Errorf("%w: bucket %d", ErrRevocationStoreEncoding, pos)
		}
		k := storedSecret{index: binary.BigEndian.Uint64(rest[1:9]), ok: true}
		copy(k.secret[:], rest[9:entry])
		out.known[pos] = k
	}
	*s = out
	return nil
}
