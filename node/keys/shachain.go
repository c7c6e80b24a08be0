package keys

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"math/bits"
)

// MaxCommitmentIndex is the first per-commitment index a channel uses. The
// index is 48 bits wide and counts down from here, so the commitment number
// n is revealed as secret MaxCommitmentIndex-n.
//
// BOLT 3: "Up to (2^48 - 1) per-commitment secrets can be generated. The
// first secret used: MUST be index 281474976710655, and from there, the
// index is decremented."
const MaxCommitmentIndex = 1<<48 - 1

// indexBits is the width of a per-commitment index; it is also the number
// of storage buckets below the seed's own bucket.
const indexBits = 48

// ErrCommitmentIndex reports an index wider than 48 bits, which no BOLT 3
// secret can have.
var ErrCommitmentIndex = errors.New("keys: per-commitment index exceeds 48 bits")

// ErrSecretMismatch reports a received per-commitment secret that does not
// derive the secrets already stored, meaning the peer did not generate them
// all from one seed. The channel must treat this as a protocol violation
// and fail the channel, since the revocation it was given is worthless.
var ErrSecretMismatch = errors.New("keys: per-commitment secret does not derive earlier secrets")

// ErrSecretOrder reports a secret received out of the descending order
// BOLT 3 requires; the compact store relies on that order to stay complete.
var ErrSecretOrder = errors.New("keys: per-commitment secret out of order")

// ErrSecretUnknown reports a look-up of an index not yet revealed.
var ErrSecretUnknown = errors.New("keys: per-commitment secret not received yet")

// PerCommitmentSecret computes the index'th secret from a channel's seed.
// The sender uses it to produce every per_commitment_secret it will ever
// reveal from one 32-byte seed, so nothing but the seed needs storing.
//
// BOLT 3: "The I'th secret P: MUST match the output of this algorithm:
//
//	generate_from_seed(seed, I):
//	    P = seed
//	    for B in 47 down to 0:
//	        if B set in I:
//	            flip(B) in P
//	            P = SHA256(P)
//	    return P
//
// Where "flip(B)" alternates the B'th least significant bit in the value P."
func PerCommitmentSecret(seed [32]byte, index uint64) ([32]byte, error) {
	if index > MaxCommitmentIndex {
		return [32]byte{}, fmt.Errorf("%w: %d", ErrCommitmentIndex, index)
	}
	return deriveSecret(seed, indexBits, index), nil
}

// deriveSecret is BOLT 3's generalisation of generate_from_seed: from base,
// the secret of an index sharing bits [nbits, 48) with index, it walks the
// low nbits bits of index.
//
// BOLT 3: "Return I'th secret given base secret whose index has bits..47
// the same.
//
//	derive_secret(base, bits, I):
//	    P = base
//	    for B in bits - 1 down to 0:
//	        if B set in I:
//	            flip(B) in P
//	            P = SHA256(P)
//	    return P"
func deriveSecret(base [32]byte, nbits int, index uint64) [32]byte {
	p := base
	for b := nbits - 1; b >= 0; b-- {
		if index&(1<<uint(b)) == 0 {
			continue
		}
		// The B'th least significant bit of P lives in byte B/8, bit B%8:
		// the reference implementation numbers bits from the first byte.
		p[b/8] ^= 1 << uint(b%8)
		p = sha256.Sum256(p[:])
	}
	return p
}

// storedSecret is one bucket of a RevocationStore.
type storedSecret struct {
	index  uint64
	secret [32]byte
	ok     bool
}

// RevocationStore keeps every per-commitment secret a peer has revealed in
// at most 49 entries, so a channel with millions of updates still holds
// what it needs to punish any revoked commitment in constant space.
//
// BOLT 3: "The receiver of a series of secrets can store them compactly in
// an array of 49 (value,index) pairs. Because, for a given secret on a 2^X
// boundary, all secrets up to the next 2^X boundary can be derived; and
// secrets are always received in descending order starting at
// 0xFFFFFFFFFFFF."
//
// The zero value is an empty store ready for the first secret.
type RevocationStore struct {
	known [indexBits + 1]storedSecret
	// received counts the secrets stored so far, which fixes the index the
	// store expects next.
	received uint64
}

// whereToPutSecret counts trailing zeros of index: the bucket whose secret
// derives every index sharing the remaining prefix.
//
// BOLT 3: "where_to_put_secret(I): for B in 0 to 47: if testbit(I) in B ==
// 1: return B; # I = 0, this is the seed. return 48"
func whereToPutSecret(index uint64) int {
	if index == 0 {
		return indexBits
	}
	return bits.TrailingZeros64(index)
}

// NextIndex is the index the store expects next; the peer must reveal
// secrets in exactly this descending order.
func (s *RevocationStore) NextIndex() uint64 {
	return MaxCommitmentIndex - s.received
}

// InsertSecret stores the secret the peer revealed for index, first
// checking that it derives every secret it replaces: a peer that did not
// use one seed would otherwise leave us holding secrets that cannot punish
// its old states, and we would only find out too late.
//
// BOLT 3: "A double-check, that all previous secrets derive correctly, is
// needed; if this check fails, the secrets were not generated from the same
// seed:
//
//	insert_secret(secret, I):
//	    B = where_to_put_secret(secret, I)
//	    for b in 0 to B:
//	        if derive_secret(secret, B, known[b].index) != known[b].secret:
//	            error The secret for I is incorrect
//	            return
//	    known[B].index = I
//	    known[B].secret = secret"
func (s *RevocationStore) InsertSecret(secret [32]byte, index uint64) error {
	if s.received > MaxCommitmentIndex {
		return fmt.Errorf("%w: all 2^48 secrets already received", ErrSecretOrder)
	}
	if want := s.NextIndex(); index != want {
		return fmt.Errorf("%w: got index %d, want %d", ErrSecretOrder, index, want)
	}
	pos := whereToPutSecret(index)
	for b := 0; b < pos; b++ {
		k := s.known[b]
		if !k.ok {
			continue
		}
		if deriveSecret(secret, pos, k.index) != k.secret {
			return fmt.Errorf("%w: secret for index %d does not derive index %d",
				ErrSecretMismatch, index, k.index)
		}
	}
	s.known[pos] = storedSecret{index: index, secret: secret, ok: true}
	s.received++
	return nil
}

// LookUp returns the secret for an index already revealed, derived from the
// bucket whose index is its prefix; it is how a breach is punished.
//
// BOLT 3: "derive_old_secret(I): for b in 0 to len(secrets): # Mask off the
// non-zero prefix of the index. MASK = ~((1 << b) - 1) if (I & MASK) ==
// secrets[b].index: return derive_secret(known, i, I) error Index 'I'
// hasn't been received yet."
func (s *RevocationStore) LookUp(index uint64) ([32]byte, error) {
	if index > MaxCommitmentIndex {
		return [32]byte{}, fmt.Errorf("%w: %d", ErrCommitmentIndex, index)
	}
	for b := 0; b <= indexBits; b++ {
		k := s.known[b]
		mask := ^(uint64(1)<<uint(b) - 1)
		if k.ok && index&mask == k.index {
			return deriveSecret(k.secret, b, index), nil
		}
	}
	return [32]byte{}, fmt.Errorf("%w: index %d", ErrSecretUnknown, index)
}
