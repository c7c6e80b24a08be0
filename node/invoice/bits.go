package invoice

import "fmt"

// from5 converts 5-bit values to bytes, refusing what a writer following
// BOLT 11 never produces: a whole 5-bit group of padding, or padding bits
// that are not zero. Accepting them would let two strings decode to the
// same field.
//
// BOLT 11, a writer: MUST pad field data to a multiple of 5 bits, using 0s.
func from5(data []byte) ([]byte, error) {
	out, acc, n := pack5(data)
	if n >= 5 {
		return nil, fmt.Errorf("%d bits of padding, more than a 5-bit group", n)
	}
	if acc != 0 {
		return nil, fmt.Errorf("padding bits are not zero")
	}
	return out, nil
}

// pack5 packs 5-bit values into whole bytes and returns the n bits left
// over in acc, for the caller to refuse or pad.
func pack5(data []byte) (out []byte, acc uint32, n uint) {
	out = make([]byte, 0, (len(data)*5+7)/8)
	for _, v := range data {
		acc = acc<<5 | uint32(v)
		n += 5
		if n >= 8 {
			n -= 8
			out = append(out, byte(acc>>n))
			acc &= 1<<n - 1
		}
	}
	return out, acc, n
}

// from5Padded converts 5-bit values to bytes, padding the last byte with
// zero bits: the form the signature covers.
//
// BOLT 11, a writer: MUST set `signature` to a valid 512-bit secp256k1
// signature of the SHA2 256-bit hash of the human-readable part,
// represented as UTF-8 bytes, concatenated with the data part (excluding
// the signature) with 0 bits appended to pad the data to the next byte
// boundary.
func from5Padded(data []byte) []byte {
	out, acc, n := pack5(data)
	if n > 0 {
		out = append(out, byte(acc<<(8-n)))
	}
	return out
}

// to5 converts bytes to 5-bit values, padding the last one with zeros.
func to5(b []byte) []byte {
	out := make([]byte, 0, (len(b)*8+4)/5)
	var acc uint32
	var n uint
	for _, v := range b {
		acc = acc<<8 | uint32(v)
		n += 8
		for n >= 5 {
			n -= 5
			out = append(out, byte(acc>>n)&31)
		}
		acc &= 1<<n - 1
	}
	if n > 0 {
		out = append(out, byte(acc<<(5-n))&31)
	}
	return out
}

// uintFrom5 reads a big-endian number of 5-bit values (`x`, `c`, the
// timestamp). Leading zero groups are allowed; a value beyond 64 bits is
// refused rather than wrapped.
func uintFrom5(data []byte) (uint64, error) {
	var v uint64
	for _, g := range data {
		if v > (1<<64-1)>>5 {
			return 0, fmt.Errorf("value does not fit 64 bits")
		}
		v = v<<5 | uint64(g)
	}
	return v, nil
}

// uintTo5 is v in the fewest 5-bit values; 0 is no values at all.
//
// BOLT 11, a writer: if `x` is included: SHOULD use the minimum
// `data_length` possible. [`c`:] SHOULD use the minimum `data_length`
// possible.
func uintTo5(v uint64) []byte {
	var out []byte
	for ; v > 0; v >>= 5 {
		out = append(out, byte(v&31))
	}
	for i, j := 0, len(out)-1; i < j; i, j = i+1, j-1 {
		out[i], out[j] = out[j], out[i]
	}
	return out
}

// uintTo5Fixed is v in exactly n 5-bit values, for the 35-bit timestamp.
func uintTo5Fixed(v uint64, n int) []byte {
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = byte(v & 31)
		v >>= 5
	}
	return out
}
