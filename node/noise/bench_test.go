package noise

import (
	"fmt"
	"testing"
)

// BenchmarkHandshake runs both sides of a full handshake in memory (no
// connection): four key generations' worth of ECDH plus HKDF and AEAD.
func BenchmarkHandshake(b *testing.B) {
	ik, rk := newKey(b), newKey(b)
	rpub := rk.PubKey()
	b.ReportAllocs()
	for b.Loop() {
		in, _ := NewInitiator(ik, rpub)
		r, _ := NewResponder(rk)
		act1, err := in.ActOne()
		if err != nil {
			b.Fatal(err)
		}
		act2, err := r.RecvActOne(act1)
		if err != nil {
			b.Fatal(err)
		}
		act3, _, err := in.RecvActTwo(act2)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := r.RecvActThree(act3); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncryptDecrypt frames a message and unframes it again, the
// per-message cost on both ends of a connection, rotations included.
func BenchmarkEncryptDecrypt(b *testing.B) {
	for _, size := range []int{1 << 10, 64 << 10} {
		if size > MaxMessageSize {
			size = MaxMessageSize
		}
		b.Run(fmt.Sprintf("%dB", size), func(b *testing.B) {
			send, recv := cipherPair()
			msg := make([]byte, size)
			var frame []byte
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				var err error
				frame, err = EncryptFrame(frame[:0], send, msg)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := DecryptHeader(recv, frame[:HeaderSize]); err != nil {
					b.Fatal(err)
				}
				if _, err := DecryptBody(recv, frame[HeaderSize:]); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
