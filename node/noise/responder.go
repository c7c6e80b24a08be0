package noise

import (
	"errors"
	"fmt"

	"github.com/btcsuite/btcd/btcec/v2"
)

// respState is where a Responder is:
//
//	respStart      --RecvActOne-->   respActTwoSent (act two returned)
//	respActTwoSent --RecvActThree--> respDone       (Session returned)
//	any state      --error-->        respFailed     (every call: ErrState)
type respState int

const (
	respStart respState = iota
	respActTwoSent
	respDone
	respFailed
)

// Responder is the listening side of the handshake as a pure state machine:
// it consumes act one, produces act two and consumes act three, learning the
// initiator's static key. It does no I/O. Use it once.
type Responder struct {
	state respState
	local *btcec.PrivateKey
	gen   EphemeralGen
	ss    *symmetricState
	e     *btcec.PrivateKey
	re    *btcec.PublicKey
}

// NewResponder prepares to accept a handshake for the node key local. Only
// WithEphemeralGen among the options matters here.
func NewResponder(local *btcec.PrivateKey, opts ...Option) (*Responder, error) {
	if local == nil {
		return nil, errors.New("noise: responder needs a local private key")
	}
	return &Responder{
		local: local,
		gen:   newConfig(opts).ephemeral,
		ss:    newSymmetricState(local.PubKey()),
	}, nil
}

// RecvActOne checks the initiator's act one ("-> e, es") and returns act two
// ("<- e, ee") to send back. A MAC failure means the initiator dialled some
// other key than ours; BOLT 8 says to then "terminate the connection without
// any further messages".
func (r *Responder) RecvActOne(actOne []byte) (actTwo []byte, err error) {
	if r.state != respStart {
		return nil, fmt.Errorf("%w: RecvActOne after the handshake began", ErrState)
	}
	re, err := readEphemeralAct(r.ss, r.local, actOne, 1, ActOneSize,
		"the initiator does not know our public key")
	if err != nil {
		return nil, r.fail(err)
	}
	e, err := newEphemeral(r.gen)
	if err != nil {
		return nil, r.fail(handshakeErr(2, err, ""))
	}
	r.re, r.e = re, e
	actTwo = writeEphemeralAct(r.ss, e, re, ActTwoSize)
	r.state = respActTwoSent
	return actTwo, nil
}

// RecvActThree checks act three ("-> s, se"), following its "Receiver
// Actions" 1 to 10, and returns the Session with the initiator's static key.
func (r *Responder) RecvActThree(actThree []byte) (*Session, error) {
	if r.state != respActTwoSent {
		return nil, fmt.Errorf("%w: RecvActThree before RecvActOne or after the handshake ended", ErrState)
	}
	if err := checkActHeader(actThree, 3, ActThreeSize); err != nil {
		return nil, r.fail(err)
	}
	c, t := actThree[1:1+33+MACSize], actThree[1+33+MACSize:]
	// rs = decryptWithAD(temp_k2, 1, h, c); h = SHA-256(h || c)
	rsBytes, err := r.ss.decryptAndHash(1, c)
	if err != nil {
		return nil, r.fail(handshakeErr(3, fmt.Errorf("%w on the encrypted static key", err),
			"act three was corrupted or tampered with"))
	}
	rs, err := btcec.ParsePubKey(rsBytes)
	if err != nil {
		return nil, r.fail(handshakeErr(3, fmt.Errorf("%w: static key %x: %s", ErrBadPubKey, rsBytes, pubKeyProblem(err)), ""))
	}
	// ss = ECDH(rs, e.priv); ck, temp_k3 = HKDF(ck, ss)
	se := ecdh(rs, r.e)
	r.ss.mixKey(se[:])
	// p = decryptWithAD(temp_k3, 0, h, t)
	if _, err := decryptWithAD(&r.ss.tempK, 0, r.ss.h[:], t); err != nil {
		return nil, r.fail(handshakeErr(3, err,
			"the initiator does not hold the private key of the static key it sent"))
	}
	// rk, sk = HKDF(ck, zero)
	recv, send := r.ss.split()
	r.ss.wipe()
	r.state = respDone
	return &Session{Send: send, Recv: recv, RemoteStatic: rs}, nil
}

// fail moves to respFailed and forgets the handshake secrets.
func (r *Responder) fail(err error) error {
	r.state = respFailed
	r.ss.wipe()
	return err
}
