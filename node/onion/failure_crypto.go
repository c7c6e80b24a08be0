package onion

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"math"

	"github.com/btcsuite/btcd/btcec/v2"
	sphinx "github.com/lightningnetwork/lightning-onion"

	"lnwasm/node/lnwire"
)

// ErrUnreadableFailure is wrapped by DecryptFailure's errors: no hop's
// HMAC matched, or the matching hop's message does not decode.
var ErrUnreadableFailure = errors.New("onion: failure unreadable")

// The sizes failuremsg plus pad are brought up to.
//
// BOLT 4, the erring node: MUST set `pad` such that the `failure_len` plus
// `pad_len` is at least 256. SHOULD set `pad` such that the `failure_len`
// plus `pad_len` is equal to 256. A longer message (one with a TLV
// extension) is padded to 1024, as the spec's own error trace does, so
// its length still says little.
const (
	failurePadded      = 256
	largeFailurePadded = 1024
)

// EncryptFailure builds the return packet as the erring node: the
// failure padded, prefixed with its HMAC under the um key, then
// obfuscated with the ammag stream (lightning-onion's EncryptError).
//
// BOLT 4: The node generating the error message (_erring node_) builds a
// return packet consisting of the following fields: [`32*byte`:`hmac`]
// [`u16`:`failure_len`] [`failure_len*byte`:`failuremsg`]
// [`u16`:`pad_len`] [`pad_len*byte`:`pad`]
func EncryptFailure(sharedSecret [32]byte, f *Failure) ([]byte, error) {
	if f == nil {
		return nil, errors.New("onion: encrypt failure: no failure")
	}
	msg, err := f.Encode()
	if err != nil {
		return nil, fmt.Errorf("onion: encrypt failure: %w", err)
	}
	target := len(msg)
	switch {
	case target <= failurePadded:
		target = failurePadded
	case target <= largeFailurePadded:
		target = largeFailurePadded
	}
	padLen := target - len(msg)
	// The reason travels in update_fail_htlc behind a u16 length.
	if sha256.Size+2+len(msg)+2+padLen > math.MaxUint16 {
		return nil, fmt.Errorf("onion: encrypt failure: %s of %d bytes does not fit update_fail_htlc", f.Code, len(msg))
	}
	var w bytes.Buffer
	putU16(&w, uint16(len(msg)))
	w.Write(msg)
	putU16(&w, uint16(padLen))
	w.Write(make([]byte, padLen))
	return encrypter(sharedSecret).EncryptError(true, w.Bytes()), nil
}

// WrapFailure re-obfuscates a failure on its way back, as every hop
// between the erring node and the origin does with its own shared secret.
//
// BOLT 4: The obfuscation step is repeated by every hop along the return
// path.
func WrapFailure(sharedSecret [32]byte, reason []byte) []byte {
	return encrypter(sharedSecret).EncryptError(false, reason)
}

// encrypter is lightning-onion's error encrypter for a shared secret we
// kept from Peel. Its Decode is the only way to set the secret directly.
func encrypter(secret [32]byte) *sphinx.OnionErrorEncrypter {
	enc := new(sphinx.OnionErrorEncrypter)
	if err := enc.Decode(bytes.NewReader(secret[:])); err != nil {
		// Decode only reads 32 bytes, which the reader holds.
		panic(fmt.Sprintf("onion: set error encrypter secret: %v", err))
	}
	return enc
}

// ForwardingFailure is a decrypted failure and the hop that sent it.
type ForwardingFailure struct {
	// HopIndex is the erring hop's position in the route: 0 is the first
	// hop after us, len(route)-1 the final node.
	HopIndex int
	Node     *btcec.PublicKey
	Failure  *Failure
}

// Error says which hop failed and how, so a payment can report it as is.
func (ff *ForwardingFailure) Error() string {
	node := "unknown node"
	if ff.Node != nil {
		node = fmt.Sprintf("%x", ff.Node.SerializeCompressed())
	}
	reason := "unreadable failure"
	if ff.Failure != nil {
		reason = ff.Failure.Error()
	}
	return fmt.Sprintf("hop %d (%s): %s", ff.HopIndex, node, reason)
}

// DecryptFailure reads the reason of an update_fail_htlc for a payment we
// sent. If no hop's HMAC matches it returns only an error. If a hop's HMAC
// matches but its message does not decode, it returns that hop's
// ForwardingFailure (with a nil Failure) together with the error, so the
// caller can still hold the hop responsible.
//
// BOLT 4: The origin node can detect the sender of the error message by
// matching the `hmac` field with the computed HMAC. (lightning-onion keeps
// decrypting for all 27 possible hops with a dummy key once found, so the
// time taken does not reveal the position.)
func (c *Circuit) DecryptFailure(reason []byte) (*ForwardingFailure, error) {
	sc, err := c.sphinx()
	if err != nil {
		return nil, err
	}
	de, err := sphinx.NewOnionErrorDecrypter(sc).DecryptError(reason)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrUnreadableFailure, err)
	}
	ff := &ForwardingFailure{HopIndex: de.SenderIdx - 1, Node: de.Sender}
	// The padding after failuremsg is not checked: the origin has no use
	// for it.
	r := lnwire.NewReader(de.Message)
	msg := r.VarBytes("failuremsg")
	if err := r.Err(); err != nil {
		return ff, fmt.Errorf("%w: hop %d: %w", ErrUnreadableFailure, ff.HopIndex, err)
	}
	if ff.Failure, err = DecodeFailure(msg); err != nil {
		return ff, fmt.Errorf("%w: hop %d: %w", ErrUnreadableFailure, ff.HopIndex, err)
	}
	return ff, nil
}
