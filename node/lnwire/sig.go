package lnwire

import (
	"encoding/hex"
	"errors"
	"fmt"
	"io"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
)

// SigSize is the length of a compact signature.
const SigSize = 64

// ErrInvalidSig is wrapped by every failure to convert a Sig.
var ErrInvalidSig = errors.New("invalid signature")

// Sig is a 64-byte compact ECDSA signature: R then S, each 32 bytes
// big-endian. It stays raw bytes on the wire; whether it verifies (and is
// low-S) is for the channel to decide, which is why decoding never rejects
// one.
//
// BOLT 1: `signature`: a 64-byte bitcoin Elliptic Curve signature.
type Sig [SigSize]byte

// NewSigFromECDSA packs sig into the compact form by taking R and S back out
// of its DER encoding (btcec keeps them private). btcec's DER encoding
// normalizes S to the lower half, so the result is always low-S.
func NewSigFromECDSA(sig *ecdsa.Signature) (Sig, error) {
	var out Sig
	der := sig.Serialize()
	// 0x30 len 0x02 rlen r 0x02 slen s
	if len(der) < 8 || der[0] != 0x30 || der[2] != 0x02 {
		return out, fmt.Errorf("%w: malformed DER", ErrInvalidSig)
	}
	rLen := int(der[3])
	if 4+rLen+2 > len(der) || der[4+rLen] != 0x02 {
		return out, fmt.Errorf("%w: malformed DER", ErrInvalidSig)
	}
	sLen := int(der[5+rLen])
	if 6+rLen+sLen != len(der) {
		return out, fmt.Errorf("%w: malformed DER", ErrInvalidSig)
	}
	if err := putScalar(out[:32], der[4:4+rLen]); err != nil {
		return Sig{}, err
	}
	if err := putScalar(out[32:], der[6+rLen:]); err != nil {
		return Sig{}, err
	}
	return out, nil
}

// putScalar right-aligns a DER integer (which may carry a 0x00 sign byte)
// in a 32-byte slot.
func putScalar(dst, v []byte) error {
	for len(v) > 0 && v[0] == 0 {
		v = v[1:]
	}
	if len(v) > len(dst) {
		return fmt.Errorf("%w: scalar of %d bytes", ErrInvalidSig, len(v))
	}
	copy(dst[len(dst)-len(v):], v)
	return nil
}

// ToECDSA unpacks the signature for verification. R and S must be in
// [1, N-1], and S in the lower half of that range: a high-S signature is
// refused here so that no caller can verify one by accident (and so that
// NewSigFromECDSA, which always emits low S, gives back the same bytes).
//
// BOLT 2 (funding_created, funding_signed, closing_signed,
// commitment_signed), the recipient: if `signature` is incorrect OR
// non-compliant with LOW-S-standard rule: MUST send a `warning` and close
// the connection, or send an `error` and fail the channel.
func (s Sig) ToECDSA() (*ecdsa.Signature, error) {
	var r, sv btcec.ModNScalar
	if r.SetByteSlice(s[:32]) || r.IsZero() {
		return nil, fmt.Errorf("%w: R out of range", ErrInvalidSig)
	}
	if sv.SetByteSlice(s[32:]) || sv.IsZero() {
		return nil, fmt.Errorf("%w: S out of range", ErrInvalidSig)
	}
	if sv.IsOverHalfOrder() {
		return nil, fmt.Errorf("%w: S is not low (BOLT 2 LOW-S rule)", ErrInvalidSig)
	}
	return ecdsa.NewSignature(&r, &sv), nil
}

// String is the hex form, for logs.
func (s Sig) String() string { return hex.EncodeToString(s[:]) }

// Sig reads one signature.
func (r *Reader) Sig(field string) Sig {
	var s Sig
	r.Fixed(field, s[:])
	return s
}

// Sigs reads n signatures, checking that n*64 bytes remain before the slice
// is allocated: n comes from the peer.
func (r *Reader) Sigs(field string, n int) []Sig {
	if r.err != nil {
		return nil
	}
	if n*SigSize > r.Len() {
		r.Fail(field, fmt.Errorf("%d signatures need %d bytes, %d left: %w",
			n, n*SigSize, r.Len(), io.ErrUnexpectedEOF))
		return nil
	}
	if n == 0 {
		return nil
	}
	sigs := make([]Sig, n)
	for i := range sigs {
		sigs[i] = r.Sig(field)
	}
	return sigs
}
