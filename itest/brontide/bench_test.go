package brontidebench

import (
	"net"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/lightningnetwork/lnd/brontide"
	"github.com/lightningnetwork/lnd/keychain"
	"github.com/lightningnetwork/lnd/lnwire"

	"lnwasm/node/noise"
)

// pipePair returns two connected loopback TCP conns.
func pipePair(b *testing.B) (net.Conn, net.Conn) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	ch := make(chan net.Conn, 1)
	go func() {
		c, _ := l.Accept()
		ch <- c
	}()
	c, err := net.Dial("tcp", l.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	return c, <-ch
}

func BenchmarkHandshake(b *testing.B) {
	b.Run("lnwasm", func(b *testing.B) {
		local, _ := btcec.NewPrivateKey()
		remote, _ := btcec.NewPrivateKey()
		for i := 0; i < b.N; i++ {
			ca, cb := pipePair(b)
			done := make(chan error, 1)
			go func() {
				_, err := noise.Server(cb, remote)
				done <- err
			}()
			if _, err := noise.Client(ca, local, remote.PubKey()); err != nil {
				b.Fatal(err)
			}
			if err := <-done; err != nil {
				b.Fatal(err)
			}
			ca.Close()
			cb.Close()
		}
	})
	b.Run("brontide", func(b *testing.B) {
		local, _ := btcec.NewPrivateKey()
		remote, _ := btcec.NewPrivateKey()
		l, err := brontide.NewListener(&keychain.PrivKeyECDH{PrivKey: remote}, "127.0.0.1:0")
		if err != nil {
			b.Fatal(err)
		}
		defer l.Close()
		// Like the lnwasm case, an op ends when both sides are done.
		accepted := make(chan struct{})
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				c.Close()
				accepted <- struct{}{}
			}
		}()
		addr := &lnwire.NetAddress{IdentityKey: remote.PubKey(), Address: l.Addr()}
		for i := 0; i < b.N; i++ {
			c, err := brontide.Dial(&keychain.PrivKeyECDH{PrivKey: local}, addr, 0, net.DialTimeout)
			if err != nil {
				b.Fatal(err)
			}
			<-accepted
			c.Close()
		}
	})
}

// BenchmarkThroughput encrypts and decrypts one message per op between two
// in-memory machines, without sockets, for both implementations.
func BenchmarkThroughput(b *testing.B) {
	for _, size := range []int{1024, 65535} {
		msg := make([]byte, size)
		b.Run("lnwasm/"+itoa(size), func(b *testing.B) { benchOurs(b, msg) })
		b.Run("brontide/"+itoa(size), func(b *testing.B) { benchBrontide(b, msg) })
	}
}

func itoa(n int) string {
	if n == 1024 {
		return "1KiB"
	}
	return "65535B"
}

func benchOurs(b *testing.B, msg []byte) {
	local, _ := btcec.NewPrivateKey()
	remote, _ := btcec.NewPrivateKey()
	in, _ := noise.NewInitiator(local, remote.PubKey())
	re, _ := noise.NewResponder(remote)
	a1, _ := in.ActOne()
	a2, err := re.RecvActOne(a1)
	if err != nil {
		b.Fatal(err)
	}
	a3, si, err := in.RecvActTwo(a2)
	if err != nil {
		b.Fatal(err)
	}
	sr, err := re.RecvActThree(a3)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	var frame []byte
	for i := 0; i < b.N; i++ {
		frame, err = noise.EncryptFrame(frame[:0], si.Send, msg)
		if err != nil {
			b.Fatal(err)
		}
		n, err := noise.DecryptHeader(sr.Recv, frame[:noise.HeaderSize])
		if err != nil {
			b.Fatal(err)
		}
		if _, err := noise.DecryptBody(sr.Recv, frame[noise.HeaderSize:noise.HeaderSize+n]); err != nil {
			b.Fatal(err)
		}
	}
}

// discard collects brontide's flushed frame for the reader side.
type loop struct{ buf []byte }

func (l *loop) Write(p []byte) (int, error) { l.buf = append(l.buf, p...); return len(p), nil }
func (l *loop) Read(p []byte) (int, error) {
	n := copy(p, l.buf)
	l.buf = l.buf[n:]
	return n, nil
}

func benchBrontide(b *testing.B, msg []byte) {
	local, _ := btcec.NewPrivateKey()
	remote, _ := btcec.NewPrivateKey()
	in := brontide.NewBrontideMachine(true, &keychain.PrivKeyECDH{PrivKey: local}, remote.PubKey())
	re := brontide.NewBrontideMachine(false, &keychain.PrivKeyECDH{PrivKey: remote}, nil)
	a1, _ := in.GenActOne()
	if err := re.RecvActOne(a1); err != nil {
		b.Fatal(err)
	}
	a2, _ := re.GenActTwo()
	if err := in.RecvActTwo(a2); err != nil {
		b.Fatal(err)
	}
	a3, _ := in.GenActThree()
	if err := re.RecvActThree(a3); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	l := &loop{}
	for i := 0; i < b.N; i++ {
		if err := in.WriteMessage(msg); err != nil {
			b.Fatal(err)
		}
		if _, err := in.Flush(l); err != nil {
			b.Fatal(err)
		}
		if _, err := re.ReadMessage(l); err != nil {
			b.Fatal(err)
		}
	}
}
