package noise

import (
	"net"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// newKey returns a random node key or fails the test.
func newKey(t testing.TB) *btcec.PrivateKey {
	t.Helper()
	k, err := btcec.NewPrivateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// handshakeResult carries one side's Client or Server outcome out of its
// goroutine.
type handshakeResult struct {
	conn *Conn
	err  error
}

// runPair runs Client over a and Server over b concurrently and returns both
// outcomes. clientKey dials serverPub; opts go to both sides.
func runPair(a, b net.Conn, clientKey *btcec.PrivateKey, serverPub *btcec.PublicKey,
	serverKey *btcec.PrivateKey, opts ...Option) (client, server handshakeResult) {

	done := make(chan handshakeResult, 1)
	go func() {
		c, err := Server(b, serverKey, opts...)
		done <- handshakeResult{c, err}
	}()
	c, err := Client(a, clientKey, serverPub, opts...)
	return handshakeResult{c, err}, <-done
}

// pipePair returns two connected Conns over net.Pipe with random keys,
// closed at the end of the test.
func pipePair(t testing.TB, opts ...Option) (client, server *Conn) {
	t.Helper()
	a, b := net.Pipe()
	ck, sk := newKey(t), newKey(t)
	c, s := runPair(a, b, ck, sk.PubKey(), sk, opts...)
	if c.err != nil || s.err != nil {
		t.Fatalf("handshake: client %v, server %v", c.err, s.err)
	}
	t.Cleanup(func() {
		c.conn.Close()
		s.conn.Close()
	})
	if !c.conn.RemotePub().IsEqual(sk.PubKey()) || !s.conn.RemotePub().IsEqual(ck.PubKey()) {
		t.Fatal("RemotePub does not match the keys used")
	}
	return c.conn, s.conn
}
