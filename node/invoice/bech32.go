package invoice

import "strings"

// charset is BIP 173's data alphabet: the character for 5-bit value v is
// charset[v].
const charset = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"

// charsetIndex inverts charset; -1 marks characters outside it.
var charsetIndex = func() [256]int8 {
	var idx [256]int8
	for i := range idx {
		idx[i] = -1
	}
	for i := 0; i < len(charset); i++ {
		idx[charset[i]] = int8(i)
	}
	return idx
}()

// MaxLength bounds the invoices Decode reads: 7089 characters is the most
// a QR code holds, far more than any real invoice needs, and refusing more
// up front bounds every allocation that follows.
const MaxLength = 7089

// checksumLen is the bech32 checksum's length, in characters.
const checksumLen = 6

// polymodStep feeds one 5-bit value into the BCH checksum state.
func polymodStep(chk uint32, v byte) uint32 {
	gen := [5]uint32{0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3}
	top := chk >> 25
	chk = (chk&0x1ffffff)<<5 ^ uint32(v)
	for i := range gen {
		if (top>>i)&1 == 1 {
			chk ^= gen[i]
		}
	}
	return chk
}

// polymod is BIP 173's checksum over the expanded hrp and the data.
func polymod(hrp string, data []byte) uint32 {
	chk := uint32(1)
	for i := 0; i < len(hrp); i++ {
		chk = polymodStep(chk, hrp[i]>>5)
	}
	chk = polymodStep(chk, 0)
	for i := 0; i < len(hrp); i++ {
		chk = polymodStep(chk, hrp[i]&31)
	}
	for _, v := range data {
		chk = polymodStep(chk, v)
	}
	return chk
}

// decodeBech32 splits a bech32 string into its lower-case hrp and its 5-bit
// data values, checksum removed.
//
// BOLT 11, a reader: MUST parse the address as Bech32, as specified in
// BIP-0173 (also without the character limit). Note: this includes handling
// uppercase as specified by BIP-0173. if the checksum is incorrect: MUST
// fail the payment.
func decodeBech32(s string) (string, []byte, error) {
	if len(s) > MaxLength {
		return "", nil, invalidf("%d characters, more than the %d a QR code holds", len(s), MaxLength)
	}
	lower, upper := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 33 || c > 126 {
			return "", nil, invalidf("character %d (%#x) is not printable ASCII", i, c)
		}
		lower = lower || (c >= 'a' && c <= 'z')
		upper = upper || (c >= 'A' && c <= 'Z')
	}
	if lower && upper {
		return "", nil, invalidf("bech32 string mixes upper and lower case")
	}
	s = strings.ToLower(s)
	sep := strings.LastIndexByte(s, '1')
	if sep < 1 {
		return "", nil, invalidf("bech32 string has no human-readable part and separator \"1\"")
	}
	if len(s)-sep-1 < checksumLen {
		return "", nil, invalidf("bech32 string too short for its checksum")
	}
	hrp := s[:sep]
	data := make([]byte, len(s)-sep-1)
	for i := range data {
		v := charsetIndex[s[sep+1+i]]
		if v < 0 {
			return "", nil, invalidf("character %q is not in the bech32 alphabet", s[sep+1+i])
		}
		data[i] = byte(v)
	}
	if polymod(hrp, data) != 1 {
		return "", nil, invalidf("bech32 checksum is incorrect")
	}
	return hrp, data[:len(data)-checksumLen], nil
}

// encodeBech32 writes hrp, the separator, the 5-bit data and its checksum,
// in lower case. Every value in data must be below 32.
func encodeBech32(hrp string, data []byte) string {
	var b strings.Builder
	b.Grow(len(hrp) + 1 + len(data) + checksumLen)
	b.WriteString(hrp)
	b.WriteByte('1')
	for _, v := range data {
		b.WriteByte(charset[v])
	}
	chk := polymod(hrp, append(append([]byte(nil), data...), make([]byte, checksumLen)...)) ^ 1
	for i := 0; i < checksumLen; i++ {
		b.WriteByte(charset[(chk>>(5*(checksumLen-1-i)))&31])
	}
	return b.String()
}
