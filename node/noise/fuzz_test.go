package noise

import (
	"bytes"
	"errors"
	"io"
	"net"
	"testing"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
)

// fuzzKeys are the Appendix A keys, so every fuzz target starts from the
// spec's handshake and its seeds include the spec's inputs.
type fuzzKeys struct {
	v                *bolt08Vectors
	iStatic, iEph    *btcec.PrivateKey
	rStatic, rEph    *btcec.PrivateKey
	act1, act2, act3 []byte
	ck, sk, rk       [32]byte
}

func loadFuzzKeys(f *testing.F) *fuzzKeys {
	v := loadBolt08(f)
	iv, rv := v.Initiator[0], v.Responder[0]
	k := &fuzzKeys{v: v}
	k.iStatic, _ = btcec.PrivKeyFromBytes(unhex(f, iv.LSPriv))
	k.iEph, _ = btcec.PrivKeyFromBytes(unhex(f, iv.EPriv))
	k.rStatic, _ = btcec.PrivKeyFromBytes(unhex(f, rv.LSPriv))
	k.rEph, _ = btcec.PrivKeyFromBytes(unhex(f, rv.EPriv))
	k.act1, k.act2, k.act3 = unhex(f, iv.ActOne), unhex(f, iv.ActTwo), unhex(f, iv.ActThree)
	k.ck, k.sk, k.rk = unhex32(f, iv.CK), unhex32(f, iv.SK), unhex32(f, iv.RK)
	return k
}

// checkActError: a rejected act is a *HandshakeError for that act with one
// of the documented reasons, never anything else.
func checkActError(t *testing.T, err error, act int) {
	var he *HandshakeError
	if !errors.As(err, &he) || he.Act != act || !errors.Is(err, ErrHandshake) {
		t.Fatalf("act %d: unexpected error %v", act, err)
	}
	for _, r := range []error{ErrActSize, ErrBadVersion, ErrBadPubKey, ErrBadMAC} {
		if errors.Is(err, r) {
			return
		}
	}
	t.Fatalf("act %d: error %v has no documented reason", act, err)
}

// addActSeeds adds every act of the given name in the vector file.
func addActSeeds(f *testing.F, v *bolt08Vectors, pick func(handshakeVector) string) {
	for _, hv := range append(append([]handshakeVector{}, v.Initiator...), v.Responder...) {
		if s := pick(hv); s != "" {
			f.Add(unhex(f, s))
		}
	}
	f.Add([]byte{})
}

// FuzzResponderActOne feeds arbitrary bytes to a responder as act one:
// only the spec's act one may pass.
func FuzzResponderActOne(f *testing.F) {
	k := loadFuzzKeys(f)
	addActSeeds(f, k.v, func(h handshakeVector) string { return h.ActOne })
	f.Fuzz(func(t *testing.T, act []byte) {
		r, _ := NewResponder(k.rStatic, fixedEphemeral(k.rEph))
		act2, err := r.RecvActOne(act)
		if err != nil {
			checkActError(t, err, 1)
			return
		}
		if !bytes.Equal(act, k.act1) || !bytes.Equal(act2, k.act2) {
			t.Fatalf("accepted act one %x, answered %x", act, act2)
		}
	})
}

// FuzzInitiatorActTwo feeds arbitrary bytes to an initiator as act two.
func FuzzInitiatorActTwo(f *testing.F) {
	k := loadFuzzKeys(f)
	addActSeeds(f, k.v, func(h handshakeVector) string { return h.ActTwo })
	sent, _ := NewInitiator(k.iStatic, k.rStatic.PubKey(), fixedEphemeral(k.iEph))
	if _, err := sent.ActOne(); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, act []byte) {
		// A copy of the initiator after act one, so that each run costs one
		// ECDH rather than three.
		in, ss := *sent, *sent.ss
		in.ss = &ss
		act3, s, err := in.RecvActTwo(act)
		if err != nil {
			checkActError(t, err, 2)
			return
		}
		if !bytes.Equal(act, k.act2) || !bytes.Equal(act3, k.act3) || s.Send.key != k.sk {
			t.Fatalf("accepted act two %x", act)
		}
	})
}

// FuzzResponderActThree feeds arbitrary bytes to a responder as act three,
// after the spec's act one.
func FuzzResponderActThree(f *testing.F) {
	k := loadFuzzKeys(f)
	addActSeeds(f, k.v, func(h handshakeVector) string { return h.ActThree })
	answered, _ := NewResponder(k.rStatic, fixedEphemeral(k.rEph))
	if _, err := answered.RecvActOne(k.act1); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, act []byte) {
		// A copy of the responder after act two, as above.
		r, ss := *answered, *answered.ss
		r.ss = &ss
		s, err := r.RecvActThree(act)
		if err != nil {
			checkActError(t, err, 3)
			return
		}
		if !bytes.Equal(act, k.act3) || !s.RemoteStatic.IsEqual(k.iStatic.PubKey()) || s.Recv.key != k.sk {
			t.Fatalf("accepted act three %x", act)
		}
	})
}

// FuzzFrameHeader decrypts arbitrary bytes as the first frame header of
// the spec's session: a result is always a bounded size, a failure never
// moves the nonce.
func FuzzFrameHeader(f *testing.F) {
	k := loadFuzzKeys(f)
	for _, o := range k.v.Messages.Outputs {
		f.Add(unhex(f, o.Frame)[:HeaderSize])
	}
	f.Add(unhex(f, k.v.Messages.Outputs[0].Frame))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, header []byte) {
		recv := newCipher(k.sk, k.ck)
		n, err := DecryptHeader(recv, header)
		if err != nil {
			if !errors.Is(err, ErrBadFrame) || recv.nonce != 0 {
				t.Fatalf("error %v, nonce %d", err, recv.nonce)
			}
			return
		}
		if n < MACSize || n > MaxBodySize || recv.nonce != 1 {
			t.Fatalf("header %x: body size %d, nonce %d", header, n, recv.nonce)
		}
	})
}

// readerConn is a net.Conn that reads from a byte stream and discards
// writes, to drive Conn.ReadMessage from a fuzzer without goroutines.
type readerConn struct{ r io.Reader }

func (c *readerConn) Read(p []byte) (int, error)       { return c.r.Read(p) }
func (c *readerConn) Write(p []byte) (int, error)      { return len(p), nil }
func (c *readerConn) Close() error                     { return nil }
func (c *readerConn) LocalAddr() net.Addr              { return nil }
func (c *readerConn) RemoteAddr() net.Addr             { return nil }
func (c *readerConn) SetDeadline(time.Time) error      { return nil }
func (c *readerConn) SetReadDeadline(time.Time) error  { return nil }
func (c *readerConn) SetWriteDeadline(time.Time) error { return nil }

// FuzzReadMessage feeds an arbitrary byte stream to Conn.ReadMessage as
// the responder of the spec's session: it must return only bounded
// messages, and after a bad frame nothing more.
func FuzzReadMessage(f *testing.F) {
	k := loadFuzzKeys(f)
	send := newCipher(k.sk, k.ck)
	var stream []byte
	for _, m := range []string{"hello", "", "a longer message to seed the corpus"} {
		stream, _ = EncryptFrame(stream, send, []byte(m))
	}
	f.Add(stream)
	f.Add(stream[:HeaderSize+3])
	garbled := bytes.Clone(stream)
	garbled[HeaderSize+1] ^= 1
	f.Add(garbled)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		c := &Conn{conn: &readerConn{bytes.NewReader(data)}, recv: newCipher(k.sk, k.ck), send: newCipher(k.rk, k.ck)}
		for i := 0; ; i++ {
			msg, err := c.ReadMessage()
			if err != nil {
				if errors.Is(err, ErrBadFrame) {
					if _, err2 := c.ReadMessage(); err2 == nil {
						t.Fatal("read succeeded after a bad frame")
					}
				}
				return
			}
			if len(msg) > MaxMessageSize || i > len(data)/(HeaderSize+MACSize) {
				t.Fatalf("message %d of %d bytes from %d input bytes", i, len(msg), len(data))
			}
		}
	})
}

// FuzzFrameRoundTrip: any message up to MaxMessageSize survives
// EncryptFrame, DecryptHeader and DecryptBody; larger ones are refused.
func FuzzFrameRoundTrip(f *testing.F) {
	f.Add([]byte("hello"), uint16(0))
	f.Add([]byte{}, uint16(999))
	f.Fuzz(func(t *testing.T, msg []byte, skip uint16) {
		send, recv := cipherPair()
		// Start both at the same, fuzzed, point in the rotation cycle.
		for i := 0; i < int(skip%rotateInterval); i++ {
			send.advance()
			recv.advance()
		}
		frame, err := EncryptFrame(nil, send, msg)
		if len(msg) > MaxMessageSize {
			if !errors.Is(err, ErrMessageTooLarge) {
				t.Fatalf("%d bytes: %v", len(msg), err)
			}
			return
		}
		if err != nil || len(frame) != HeaderSize+len(msg)+MACSize {
			t.Fatalf("frame of %d bytes: %v", len(frame), err)
		}
		n, err := DecryptHeader(recv, frame[:HeaderSize])
		if err != nil || n != len(frame)-HeaderSize {
			t.Fatalf("header: %d, %v", n, err)
		}
		got, err := DecryptBody(recv, frame[HeaderSize:])
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("body: %v", err)
		}
	})
}
