package noise

import (
	"errors"
	"fmt"
	"strings"

	"github.com/btcsuite/btcd/btcec/v2"
)

// Act sizes: "Act One: 50 bytes, Act Two: 50 bytes, Act Three: 66 bytes".
const (
	ActOneSize   = 1 + 33 + MACSize
	ActTwoSize   = 1 + 33 + MACSize
	ActThreeSize = 1 + 33 + MACSize + MACSize
)

// handshakeVersion is the only version byte BOLT 8 defines. "Clients MUST
// reject handshake attempts initiated with an unknown version."
const handshakeVersion = 0

// Session is what a successful handshake yields: the two transport ciphers
// and the peer's authenticated static key.
type Session struct {
	// Send encrypts what we send (sk), Recv decrypts what we receive (rk).
	Send, Recv *Cipher
	// RemoteStatic is the peer's node key: for the initiator the one it
	// dialled, for the responder the one act three proved.
	RemoteStatic *btcec.PublicKey
}

// initState is where an Initiator is:
//
//	initStart      --ActOne-->     initActOneSent
//	initActOneSent --RecvActTwo--> initDone        (act three returned)
//	any state      --error-->      initFailed      (every call: ErrState)
type initState int

const (
	initStart initState = iota
	initActOneSent
	initDone
	initFailed
)

// Initiator is the dialling side of the handshake as a pure state machine:
// it produces act one, consumes act two and produces act three, and does no
// I/O. Use it once.
type Initiator struct {
	state  initState
	local  *btcec.PrivateKey
	remote *btcec.PublicKey
	gen    EphemeralGen
	ss     *symmetricState
	e      *btcec.PrivateKey
}

// NewInitiator prepares a handshake from local to the node whose static key
// is remote. Only WithEphemeralGen among the options matters here.
func NewInitiator(local *btcec.PrivateKey, remote *btcec.PublicKey, opts ...Option) (*Initiator, error) {
	if local == nil || remote == nil {
		return nil, errors.New("noise: initiator needs both a local private key and the remote public key")
	}
	return &Initiator{
		local:  local,
		remote: remote,
		gen:    newConfig(opts).ephemeral,
		ss:     newSymmetricState(remote),
	}, nil
}

// ActOne generates the ephemeral key and returns act one ("-> e, es"), the
// ActOneSize bytes to send to the responder.
func (i *Initiator) ActOne() ([]byte, error) {
	if i.state != initStart {
		return nil, fmt.Errorf("%w: ActOne after the handshake began", ErrState)
	}
	e, err := newEphemeral(i.gen)
	if err != nil {
		return nil, i.fail(handshakeErr(1, err, ""))
	}
	i.e = e
	act := writeEphemeralAct(i.ss, e, i.remote, ActOneSize)
	i.state = initActOneSent
	return act, nil
}

// RecvActTwo checks the responder's act two ("<- e, ee") and returns act
// three ("-> s, se") to send back, with the Session it completes. A MAC
// failure here means the responder does not hold the private key of the
// static key we dialled.
func (i *Initiator) RecvActTwo(actTwo []byte) (actThree []byte, s *Session, err error) {
	if i.state != initActOneSent {
		return nil, nil, fmt.Errorf("%w: RecvActTwo before ActOne or after the handshake ended", ErrState)
	}
	re, err := readEphemeralAct(i.ss, i.e, actTwo, 2, ActTwoSize,
		"the peer is not the node whose public key was given")
	if err != nil {
		return nil, nil, i.fail(err)
	}
	actThree, s = i.writeActThree(re)
	i.state = initDone
	return actThree, s, nil
}

// writeActThree follows act three's "Sender Actions" 1 to 8.
func (i *Initiator) writeActThree(re *btcec.PublicKey) ([]byte, *Session) {
	act := make([]byte, 1, ActThreeSize)
	act[0] = handshakeVersion
	// c = encryptWithAD(temp_k2, 1, h, s.pub.serializeCompressed()); h = SHA-256(h || c)
	act = i.ss.encryptAndHash(act, 1, i.local.PubKey().SerializeCompressed())
	// ss = ECDH(re, s.priv); ck, temp_k3 = HKDF(ck, ss)
	se := ecdh(re, i.local)
	i.ss.mixKey(se[:])
	// t = encryptWithAD(temp_k3, 0, h, zero)
	act = encryptWithAD(act, &i.ss.tempK, 0, i.ss.h[:], nil)
	// sk, rk = HKDF(ck, zero)
	send, recv := i.ss.split()
	i.ss.wipe()
	return act, &Session{Send: send, Recv: recv, RemoteStatic: i.remote}
}

// fail moves to initFailed and forgets the handshake secrets; the peer must
// be disconnected, so nothing here is reused.
func (i *Initiator) fail(err error) error {
	i.state = initFailed
	i.ss.wipe()
	return err
}

// newEphemeral calls gen and rejects a nil key, so that a faulty injected
// generator cannot panic the handshake.
func newEphemeral(gen EphemeralGen) (*btcec.PrivateKey, error) {
	e, err := gen()
	if err != nil {
		return nil, fmt.Errorf("generating ephemeral key: %w", err)
	}
	if e == nil {
		return nil, errors.New("generating ephemeral key: generator returned nil")
	}
	return e, nil
}

// writeEphemeralAct is the "Sender Actions" shared by acts one and two:
// mix in e.pub, mix the key ECDH(remote, e) and return v || e.pub || c, where
// c is the tag over the empty plaintext.
func writeEphemeralAct(ss *symmetricState, e *btcec.PrivateKey, remote *btcec.PublicKey, size int) []byte {
	act := make([]byte, 1, size)
	act[0] = handshakeVersion
	epub := e.PubKey().SerializeCompressed()
	act = append(act, epub...)
	ss.mixHash(epub)
	shared := ecdh(remote, e)
	ss.mixKey(shared[:])
	return ss.encryptAndHash(act, 0, nil)
}

// readEphemeralAct is the "Receiver Actions" shared by acts one and two: it
// checks size and version, parses re, mixes in ECDH(re, priv) and verifies
// the tag, returning re. macHint explains a MAC failure for this act.
func readEphemeralAct(ss *symmetricState, priv *btcec.PrivateKey, act []byte, num, size int, macHint string) (*btcec.PublicKey, error) {
	if err := checkActHeader(act, num, size); err != nil {
		return nil, err
	}
	re, err := btcec.ParsePubKey(act[1:34])
	if err != nil {
		return nil, handshakeErr(num, fmt.Errorf("%w: ephemeral key %x: %s", ErrBadPubKey, act[1:34], pubKeyProblem(err)), "")
	}
	ss.mixHash(act[1:34])
	shared := ecdh(re, priv)
	ss.mixKey(shared[:])
	if _, err := ss.decryptAndHash(0, act[34:]); err != nil {
		return nil, handshakeErr(num, err, macHint)
	}
	return re, nil
}

// checkActHeader rejects an act of the wrong size ("Read exactly N bytes")
// or with an unknown version byte.
func checkActHeader(act []byte, num, size int) error {
	if len(act) != size {
		return handshakeErr(num, fmt.Errorf("%w: got %d bytes, want %d", ErrActSize, len(act), size), "")
	}
	if act[0] != handshakeVersion {
		return handshakeErr(num, fmt.Errorf("%w %d (want %d)", ErrBadVersion, act[0], handshakeVersion),
			"the peer does not speak this version of BOLT 8")
	}
	return nil
}

// pubKeyProblem is btcec's parse error without its "invalid public key: "
// prefix, which our ErrBadPubKey already says.
func pubKeyProblem(err error) string {
	return strings.TrimPrefix(err.Error(), "invalid public key: ")
}
