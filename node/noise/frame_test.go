package noise

import (
	"bytes"
	"errors"
	"testing"
)

// cipherPair returns a sender and a receiver sharing a key, as after a
// handshake.
func cipherPair() (send, recv *Cipher) {
	var k, ck [keySize]byte
	k[0], ck[0] = 1, 2
	return newCipher(k, ck), newCipher(k, ck)
}

// TestFrameOversize: a message over 65535 bytes is refused without using a
// nonce, and 65535 bytes exactly still works.
func TestFrameOversize(t *testing.T) {
	send, recv := cipherPair()
	dst, err := EncryptFrame([]byte("keep"), send, make([]byte, MaxMessageSize+1))
	if !errors.Is(err, ErrMessageTooLarge) || string(dst) != "keep" || send.nonce != 0 {
		t.Fatalf("oversize: %v, dst %q, nonce %d", err, dst, send.nonce)
	}
	msg := bytes.Repeat([]byte{0xab}, MaxMessageSize)
	frame, err := EncryptFrame(nil, send, msg)
	if err != nil || len(frame) != MaxFrameSize {
		t.Fatalf("max message: %d bytes, %v", len(frame), err)
	}
	n, err := DecryptHeader(recv, frame[:HeaderSize])
	if err != nil || n != MaxBodySize {
		t.Fatalf("header: %d, %v", n, err)
	}
	got, err := DecryptBody(recv, frame[HeaderSize:])
	if err != nil || !bytes.Equal(got, msg) {
		t.Fatalf("body: %v", err)
	}
}

// TestFrameGarbled: a flipped bit in header or body is ErrBadFrame, and a
// failed open does not advance the receiver.
func TestFrameGarbled(t *testing.T) {
	send, recv := cipherPair()
	frame, _ := EncryptFrame(nil, send, []byte("hello"))
	bad := bytes.Clone(frame)
	bad[3] ^= 1
	if _, err := DecryptHeader(recv, bad[:HeaderSize]); !errors.Is(err, ErrBadFrame) || recv.nonce != 0 {
		t.Fatalf("garbled header: %v, nonce %d", err, recv.nonce)
	}
	if _, err := DecryptHeader(recv, frame[:HeaderSize]); err != nil {
		t.Fatal(err)
	}
	bad = bytes.Clone(frame)
	bad[len(bad)-1] ^= 0x80
	if _, err := DecryptBody(recv, bad[HeaderSize:]); !errors.Is(err, ErrBadFrame) || recv.nonce != 1 {
		t.Fatalf("garbled body: %v, nonce %d", err, recv.nonce)
	}
}

// TestFrameSizes: wrong-sized headers and bodies are refused before any
// decryption.
func TestFrameSizes(t *testing.T) {
	_, recv := cipherPair()
	for _, n := range []int{0, 1, HeaderSize - 1, HeaderSize + 1} {
		if _, err := DecryptHeader(recv, make([]byte, n)); !errors.Is(err, ErrBadFrame) {
			t.Errorf("header of %d bytes: %v", n, err)
		}
	}
	for _, n := range []int{0, MACSize - 1, MaxBodySize + 1} {
		if _, err := DecryptBody(recv, make([]byte, n)); !errors.Is(err, ErrBadFrame) {
			t.Errorf("body of %d bytes: %v", n, err)
		}
	}
}

// TestCipherRotation: both sides rotate at the same point for many
// thousands of frames, and the keys actually change.
func TestCipherRotation(t *testing.T) {
	send, recv := cipherPair()
	first := send.key
	for i := 0; i < 2600; i++ {
		frame, err := EncryptFrame(nil, send, []byte{byte(i)})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := DecryptHeader(recv, frame[:HeaderSize]); err != nil {
			t.Fatalf("message %d header: %v", i, err)
		}
		if m, err := DecryptBody(recv, frame[HeaderSize:]); err != nil || m[0] != byte(i) {
			t.Fatalf("message %d body: %v", i, err)
		}
	}
	// 2600 messages = 5200 nonces = 5 rotations, 200 into the sixth key.
	if send.nonce != 200 || recv.nonce != 200 || send.key == first || send.key != recv.key {
		t.Fatalf("after 2600 messages: nonces %d/%d", send.nonce, recv.nonce)
	}
}
