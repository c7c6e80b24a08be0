package invoice

import (
	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"

	"lnwasm/node/lnwire"
)

// paymentSecretBit names the payment_secret pair for Supports.
const paymentSecretBit = lnwire.PaymentSecretRequired

// compactHeader is btcec's first byte of a compact signature for a
// compressed key: 27 + 4, plus the recovery id.
const compactHeader = 27 + 4

// verifySignature checks the 104-value signature against hash and returns
// the payee: n when the invoice has an `n` field, else the key recovered
// from the signature.
//
// BOLT 11, a reader: MUST check that the `signature` is valid. if a valid
// `n` field is provided: MUST use the `n` field to validate the signature
// instead of performing signature recovery.
func verifySignature(hash [32]byte, sig5 []byte, n *btcec.PublicKey) (*btcec.PublicKey, error) {
	b, err := from5(sig5)
	if err != nil {
		return nil, invalidf("signature: %v", err)
	}
	// BOLT 11: with a trailing byte containing the recovery ID (0, 1, 2,
	// or 3).
	recID := b[64]
	if recID > 3 {
		return nil, invalidf("signature recovery id %d is not 0 to 3", recID)
	}
	if n != nil {
		var r, s btcec.ModNScalar
		if r.SetByteSlice(b[:32]) || s.SetByteSlice(b[32:64]) || r.IsZero() || s.IsZero() {
			return nil, invalidf("signature r or s is out of range")
		}
		if !ecdsa.NewSignature(&r, &s).Verify(hash[:], n) {
			return nil, invalidf("signature does not match the payee in the `n` field")
		}
		return n, nil
	}
	compact := make([]byte, 65)
	compact[0] = compactHeader + recID
	copy(compact[1:], b[:64])
	key, _, err := ecdsa.RecoverCompact(compact, hash[:])
	if err != nil {
		return nil, invalidf("signature is not recoverable: %v", err)
	}
	return key, nil
}

// SignWith returns a signer for Encode that signs with key, as a node
// holding its key in memory would.
func SignWith(key *btcec.PrivateKey) func([32]byte) ([65]byte, error) {
	return func(hash [32]byte) ([65]byte, error) {
		var out [65]byte
		copy(out[:], ecdsa.SignCompact(key, hash[:], true))
		return out, nil
	}
}
