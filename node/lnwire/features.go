package lnwire

import (
	"fmt"
	"iter"
	"slices"
	"strings"
)

// FeatureBit numbers a bit of a feature vector from the least significant,
// bit 0.
//
// BOLT 9: They are generally assigned in pairs so that features can be
// introduced as optional (_odd_ bits) and later upgraded to be compulsory
// (_even_ bits), which will be refused by outdated nodes.
type FeatureBit uint32

// MaxFeatureBit is the highest bit a vector can hold: a vector must fit in
// one message, 65535 bytes. Set panics beyond it because a bit that high is
// a programming error, never peer input (decoding is bounded by its input).
const MaxFeatureBit FeatureBit = 8*MaxMessageSize - 1

// IsRequired reports whether b is the even, compulsory bit of its pair.
func (b FeatureBit) IsRequired() bool { return b%2 == 0 }

// Required is the even bit of b's pair.
func (b FeatureBit) Required() FeatureBit { return b &^ 1 }

// Optional is the odd bit of b's pair.
func (b FeatureBit) Optional() FeatureBit { return b | 1 }

// String names the bit's feature, and says which of the pair it is:
// "payment_secret(14)", "unknown(101)".
func (b FeatureBit) String() string {
	return fmt.Sprintf("%s(%d)", featureName(b), uint32(b))
}

// FeatureVector is a set of feature bits. It is stored canonically (bit i
// in byte i/8, no trailing zero bytes) so two vectors with the same bits
// are equal under reflect.DeepEqual; Set and Unset copy before writing, so
// copies of a vector never share changes.
type FeatureVector struct {
	le []byte
}

// NewFeatureVector returns a vector with exactly the given bits set.
func NewFeatureVector(bits ...FeatureBit) FeatureVector {
	var f FeatureVector
	for _, b := range bits {
		f.Set(b)
	}
	return f
}

// Has reports whether exactly bit b is set.
func (f FeatureVector) Has(b FeatureBit) bool {
	i := int(b / 8)
	return i < len(f.le) && f.le[i]&(1<<(b%8)) != 0
}

// Supports reports whether the vector offers b's feature, as either bit of
// its pair.
//
// BOLT 1: A feature is *offered* if a peer set it in the `init` message for
// the current connection (as either even or odd).
func (f FeatureVector) Supports(b FeatureBit) bool {
	return f.Has(b.Required()) || f.Has(b.Optional())
}

// Requires reports whether the vector sets the even bit of b's feature.
func (f FeatureVector) Requires(b FeatureBit) bool { return f.Has(b.Required()) }

// Set sets bit b.
func (f *FeatureVector) Set(b FeatureBit) {
	if b > MaxFeatureBit {
		panic(fmt.Sprintf("lnwire: feature bit %d beyond MaxFeatureBit", b))
	}
	i := int(b / 8)
	le := make([]byte, max(len(f.le), i+1))
	copy(le, f.le)
	le[i] |= 1 << (b % 8)
	f.le = le
}

// Unset clears bit b.
func (f *FeatureVector) Unset(b FeatureBit) {
	if !f.Has(b) {
		return
	}
	le := append([]byte(nil), f.le...)
	le[b/8] &^= 1 << (b % 8)
	f.le = trimZeros(le)
}

// IsEmpty reports whether no bit is set.
func (f FeatureVector) IsEmpty() bool { return len(f.le) == 0 }

// All yields the set bits in increasing order without building a slice, so
// walking a peer's vector (up to 65535 bytes of set bits) costs no memory.
func (f FeatureVector) All() iter.Seq[FeatureBit] {
	return func(yield func(FeatureBit) bool) {
		for i, v := range f.le {
			for j := 0; j < 8; j++ {
				if v&(1<<j) != 0 && !yield(FeatureBit(i*8+j)) {
					return
				}
			}
		}
	}
}

// Bits lists the set bits in increasing order.
func (f FeatureVector) Bits() []FeatureBit { return slices.Collect(f.All()) }

// Union returns the bits set in either vector.
//
// BOLT 1 (init), the receiving node: MUST combine (logical OR) the two
// feature bitmaps into one logical `features` map.
func (f FeatureVector) Union(o FeatureVector) FeatureVector {
	long, short := f.le, o.le
	if len(short) > len(long) {
		long, short = short, long
	}
	le := append([]byte(nil), long...)
	for i, v := range short {
		le[i] |= v
	}
	return FeatureVector{le: trimZeros(le)}
}

// EncodedLen is the length of Encode's result.
func (f FeatureVector) EncodedLen() int { return len(f.le) }

// Encode gives the wire form: big-endian, most significant byte first, in
// the fewest bytes.
//
// BOLT 1 (init), the sending node: SHOULD use the minimum length required
// to represent the `features` field.
func (f FeatureVector) Encode() []byte {
	if len(f.le) == 0 {
		return nil
	}
	be := make([]byte, len(f.le))
	for i, v := range f.le {
		be[len(be)-1-i] = v
	}
	return be
}

// DecodeFeatureVector reads a big-endian bitmap of any length; leading zero
// bytes are accepted and dropped.
func DecodeFeatureVector(be []byte) FeatureVector {
	le := make([]byte, len(be))
	for i, v := range be {
		le[len(le)-1-i] = v
	}
	return FeatureVector{le: trimZeros(le)}
}

// String lists the set bits by name, for logs.
func (f FeatureVector) String() string {
	bits := f.Bits()
	names := make([]string, len(bits))
	for i, b := range bits {
		names[i] = b.String()
	}
	return "[" + strings.Join(names, " ") + "]"
}

// trimZeros drops high zero bytes so the representation stays canonical;
// an all-zero vector becomes nil.
func trimZeros(le []byte) []byte {
	n := len(le)
	for n > 0 && le[n-1] == 0 {
		n--
	}
	if n == 0 {
		return nil
	}
	return le[:n]
}
