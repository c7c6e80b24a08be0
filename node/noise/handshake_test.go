package noise

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// TestHandshakeInMemory runs both state machines against each other with
// random keys and checks the sessions mirror each other.
func TestHandshakeInMemory(t *testing.T) {
	ik, rk := newKey(t), newKey(t)
	in, err := NewInitiator(ik, rk.PubKey())
	if err != nil {
		t.Fatal(err)
	}
	r, err := NewResponder(rk)
	if err != nil {
		t.Fatal(err)
	}
	act1, err := in.ActOne()
	if err != nil || len(act1) != ActOneSize {
		t.Fatalf("ActOne: %d bytes, %v", len(act1), err)
	}
	act2, err := r.RecvActOne(act1)
	if err != nil || len(act2) != ActTwoSize {
		t.Fatalf("RecvActOne: %d bytes, %v", len(act2), err)
	}
	act3, is, err := in.RecvActTwo(act2)
	if err != nil || len(act3) != ActThreeSize {
		t.Fatalf("RecvActTwo: %d bytes, %v", len(act3), err)
	}
	rs, err := r.RecvActThree(act3)
	if err != nil {
		t.Fatalf("RecvActThree: %v", err)
	}
	if is.Send.key != rs.Recv.key || is.Recv.key != rs.Send.key || is.Send.key == is.Recv.key {
		t.Fatal("session keys do not mirror")
	}
	if !rs.RemoteStatic.IsEqual(ik.PubKey()) || !is.RemoteStatic.IsEqual(rk.PubKey()) {
		t.Fatal("wrong remote static keys")
	}
	frame, err := EncryptFrame(nil, is.Send, []byte("ping"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := DecryptHeader(rs.Recv, frame[:HeaderSize]); err != nil {
		t.Fatal(err)
	}
	if msg, err := DecryptBody(rs.Recv, frame[HeaderSize:]); err != nil || string(msg) != "ping" {
		t.Fatalf("got %q, %v", msg, err)
	}
}

// TestHandshakeWrongKeyPure: an initiator that dialled the wrong key is
// rejected by the responder at act one.
func TestHandshakeWrongKeyPure(t *testing.T) {
	in, _ := NewInitiator(newKey(t), newKey(t).PubKey())
	r, _ := NewResponder(newKey(t))
	act1, err := in.ActOne()
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.RecvActOne(act1)
	var he *HandshakeError
	if !errors.As(err, &he) || he.Act != 1 || !errors.Is(err, ErrBadMAC) {
		t.Fatalf("got %v, want act one MAC failure", err)
	}
	if !strings.Contains(err.Error(), "does not know our public key") {
		t.Fatalf("error does not explain itself: %v", err)
	}
}

// TestHandshakeImpostor: a peer that answers act one without holding the
// dialled key cannot produce act two's MAC.
func TestHandshakeImpostor(t *testing.T) {
	in, _ := NewInitiator(newKey(t), newKey(t).PubKey())
	if _, err := in.ActOne(); err != nil {
		t.Fatal(err)
	}
	act2 := append([]byte{0}, newKey(t).PubKey().SerializeCompressed()...)
	act2 = append(act2, bytes.Repeat([]byte{7}, MACSize)...)
	_, _, err := in.RecvActTwo(act2)
	want := "noise: act two: MAC check failed: the peer is not the node whose public key was given"
	if err == nil || err.Error() != want || !errors.Is(err, ErrHandshake) || !errors.Is(err, ErrBadMAC) {
		t.Fatalf("got %v, want %q", err, want)
	}
}

// TestHandshakeStates checks out-of-order calls and calls after failure.
func TestHandshakeStates(t *testing.T) {
	in, _ := NewInitiator(newKey(t), newKey(t).PubKey())
	if _, _, err := in.RecvActTwo(make([]byte, ActTwoSize)); !errors.Is(err, ErrState) {
		t.Fatalf("RecvActTwo first: %v", err)
	}
	if _, err := in.ActOne(); err != nil {
		t.Fatal(err)
	}
	if _, err := in.ActOne(); !errors.Is(err, ErrState) {
		t.Fatalf("ActOne twice: %v", err)
	}
	if _, _, err := in.RecvActTwo(nil); !errors.Is(err, ErrActSize) {
		t.Fatalf("RecvActTwo(nil): %v", err)
	}
	if _, _, err := in.RecvActTwo(make([]byte, ActTwoSize)); !errors.Is(err, ErrState) || errors.Is(err, ErrHandshake) {
		t.Fatalf("RecvActTwo after failure: %v", err)
	}

	r, _ := NewResponder(newKey(t))
	if _, err := r.RecvActThree(make([]byte, ActThreeSize)); !errors.Is(err, ErrState) {
		t.Fatalf("RecvActThree first: %v", err)
	}
	if _, err := r.RecvActOne(make([]byte, ActOneSize)); !errors.Is(err, ErrBadPubKey) {
		t.Fatalf("RecvActOne(zeros): %v", err)
	}
	if _, err := r.RecvActOne(make([]byte, ActOneSize)); !errors.Is(err, ErrState) {
		t.Fatalf("RecvActOne after failure: %v", err)
	}
}

// TestHandshakeBadArgs checks nil keys and a failing ephemeral generator.
func TestHandshakeBadArgs(t *testing.T) {
	if _, err := NewInitiator(nil, newKey(t).PubKey()); err == nil {
		t.Fatal("nil local key accepted")
	}
	if _, err := NewInitiator(newKey(t), nil); err == nil {
		t.Fatal("nil remote key accepted")
	}
	if _, err := NewResponder(nil); err == nil {
		t.Fatal("nil responder key accepted")
	}
	boom := errors.New("no entropy")
	fail := WithEphemeralGen(func() (*btcec.PrivateKey, error) { return nil, boom })
	in, _ := NewInitiator(newKey(t), newKey(t).PubKey(), fail)
	if _, err := in.ActOne(); !errors.Is(err, boom) || !errors.Is(err, ErrHandshake) {
		t.Fatalf("ActOne with failing generator: %v", err)
	}
	nilGen := WithEphemeralGen(func() (*btcec.PrivateKey, error) { return nil, nil })
	in, _ = NewInitiator(newKey(t), newKey(t).PubKey(), nilGen)
	if _, err := in.ActOne(); err == nil {
		t.Fatal("nil ephemeral key accepted")
	}
}
