package noise

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// testMessage is message i of a stream seeded by seed: its size comes from
// the seed (0 and 65535 included), its bytes from i, so the receiver can
// rebuild it to compare.
func testMessage(rng *rand.Rand, i int) []byte {
	var n int
	switch i % 1000 {
	case 0:
		n = 0
	case 1:
		n = MaxMessageSize
	default:
		n = rng.IntN(MaxMessageSize + 1)
	}
	msg := make([]byte, n)
	for j := range msg {
		msg[j] = byte(i*7 + j*13)
	}
	return msg
}

// pump sends count messages from w and checks them arriving at r, both
// directions at once when called twice, so each Conn has a reader and a
// writer goroutine running together.
func pump(t *testing.T, wg *sync.WaitGroup, w, r *Conn, seed uint64, count int) {
	wg.Add(2)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(seed, 0))
		for i := 0; i < count; i++ {
			if err := w.WriteMessage(testMessage(rng, i)); err != nil {
				t.Errorf("write %d: %v", i, err)
				return
			}
		}
	}()
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewPCG(seed, 0))
		for i := 0; i < count; i++ {
			got, err := r.ReadMessage()
			if err != nil {
				t.Errorf("read %d: %v", i, err)
				return
			}
			if want := testMessage(rng, i); !bytes.Equal(got, want) {
				t.Errorf("message %d: got %d bytes, want %d", i, len(got), len(want))
				return
			}
		}
	}()
}

// TestConnRoundTrip sends 2600 messages of random sizes (0..65535) each way
// at once over net.Pipe: five key rotations per direction, concurrent
// ReadMessage and WriteMessage on both Conns.
func TestConnRoundTrip(t *testing.T) {
	client, server := pipePair(t)
	const count = 2600
	var wg sync.WaitGroup
	pump(t, &wg, client, server, 1, count)
	pump(t, &wg, server, client, 2, count)
	wg.Wait()
	if client.send.key == server.send.key || client.send.key != server.recv.key {
		t.Fatal("directions do not have separate, matching keys")
	}
}

// TestClientWrongRemoteKey: dialling a node under the wrong key fails on
// both sides, and the initiator's error says why.
func TestClientWrongRemoteKey(t *testing.T) {
	a, b := net.Pipe()
	c, s := runPair(a, b, newKey(t), newKey(t).PubKey(), newKey(t))
	var he *HandshakeError
	if !errors.As(c.err, &he) || he.Act != 2 || !errors.Is(c.err, io.EOF) || c.conn != nil {
		t.Fatalf("client: %v, want act two EOF", c.err)
	}
	if !strings.Contains(c.err.Error(), "not the node whose public key was given") {
		t.Fatalf("client error does not explain itself: %v", c.err)
	}
	if !errors.As(s.err, &he) || he.Act != 1 || !errors.Is(s.err, ErrBadMAC) || s.conn != nil {
		t.Fatalf("server: %v, want act one MAC failure", s.err)
	}
	t.Logf("client: %v", c.err)
	t.Logf("server: %v", s.err)
	if _, err := a.Write([]byte{0}); err == nil {
		t.Fatal("client did not close its connection")
	}
}

// flipConn corrupts one byte of what passes through Write once armed.
type flipConn struct {
	net.Conn
	mu  sync.Mutex
	pos int // offset into the next Write to flip; -1 when disarmed
}

func (f *flipConn) Write(p []byte) (int, error) {
	f.mu.Lock()
	if f.pos >= 0 && f.pos < len(p) {
		p = bytes.Clone(p)
		p[f.pos] ^= 0x01
		f.pos = -1
	}
	f.mu.Unlock()
	return f.Conn.Write(p)
}

// TestConnGarbledFrame: a corrupted header or body is an ErrBadFrame, after
// which the Conn refuses all use and its connection is closed.
func TestConnGarbledFrame(t *testing.T) {
	for _, tc := range []struct {
		name string
		pos  int
	}{{"header", 1}, {"header MAC", HeaderSize - 1}, {"body", HeaderSize + 2}, {"body MAC", HeaderSize + 10 + MACSize - 1}} {
		t.Run(tc.name, func(t *testing.T) {
			a, b := net.Pipe()
			fa := &flipConn{Conn: a, pos: -1}
			sk := newKey(t)
			c, s := runPair(fa, b, newKey(t), sk.PubKey(), sk)
			if c.err != nil || s.err != nil {
				t.Fatal(c.err, s.err)
			}
			defer c.conn.Close()
			fa.mu.Lock()
			fa.pos = tc.pos
			fa.mu.Unlock()
			go c.conn.WriteMessage(bytes.Repeat([]byte{'x'}, 10))
			_, err := s.conn.ReadMessage()
			if !errors.Is(err, ErrBadFrame) {
				t.Fatalf("got %v, want ErrBadFrame", err)
			}
			t.Logf("%v", err)
			if _, err2 := s.conn.ReadMessage(); !errors.Is(err2, ErrBadFrame) {
				t.Fatalf("second read: %v", err2)
			}
			if err2 := s.conn.WriteMessage(nil); !errors.Is(err2, ErrBadFrame) {
				t.Fatalf("write after bad frame: %v", err2)
			}
			if _, err2 := b.Write([]byte{0}); err2 == nil {
				t.Fatal("connection left open after a bad frame")
			}
		})
	}
}

// TestConnOversize: WriteMessage refuses 65536 bytes and stays usable.
func TestConnOversize(t *testing.T) {
	client, server := pipePair(t)
	err := client.WriteMessage(make([]byte, MaxMessageSize+1))
	if !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("got %v, want ErrMessageTooLarge", err)
	}
	go client.WriteMessage([]byte("still fine"))
	if got, err := server.ReadMessage(); err != nil || string(got) != "still fine" {
		t.Fatalf("after oversize: %q, %v", got, err)
	}
}

// TestConnReadResumes: a read deadline that expires mid-frame loses nothing;
// the next ReadMessage completes the frame.
func TestConnReadResumes(t *testing.T) {
	client, server := pipePair(t)
	msg := bytes.Repeat([]byte("resume"), 100)
	for _, cut := range []int{5, HeaderSize, HeaderSize + 50} {
		frame, err := EncryptFrame(nil, client.send, msg)
		if err != nil {
			t.Fatal(err)
		}
		// One writer sends the frame in two parts; the second only after
		// the reader has timed out, so the parts cannot be reordered.
		rest, wrote := make(chan struct{}), make(chan error, 1)
		go func() {
			if _, err := client.conn.Write(frame[:cut]); err != nil {
				wrote <- err
				return
			}
			<-rest
			_, err := client.conn.Write(frame[cut:])
			wrote <- err
		}()
		server.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if _, err := server.ReadMessage(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("cut %d: got %v, want a deadline error", cut, err)
		}
		if server.rd.headerN == 0 && server.rd.body == nil {
			t.Logf("cut %d: the first part arrived only after the deadline", cut)
		}
		server.SetReadDeadline(time.Time{})
		close(rest)
		got, err := server.ReadMessage()
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("cut %d: resumed read: %d bytes, %v", cut, len(got), err)
		}
		if err := <-wrote; err != nil {
			t.Fatal(err)
		}
	}
}

// TestConnEOF: a clean close between frames reads as io.EOF, one inside a
// frame as io.ErrUnexpectedEOF.
func TestConnEOF(t *testing.T) {
	client, server := pipePair(t)
	client.Close()
	if _, err := server.ReadMessage(); !errors.Is(err, io.EOF) {
		t.Fatalf("got %v, want io.EOF", err)
	}
	client, server = pipePair(t)
	go func() {
		frame, _ := EncryptFrame(nil, client.send, []byte("cut short"))
		client.conn.Write(frame[:HeaderSize+3])
		client.Close()
	}()
	if _, err := server.ReadMessage(); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("got %v, want io.ErrUnexpectedEOF", err)
	}
}

// TestHandshakeTimeout: a peer that never speaks cannot hold the server
// past WithHandshakeTimeout, and the error names the deadline.
func TestHandshakeTimeout(t *testing.T) {
	a, b := net.Pipe()
	defer a.Close()
	_, err := Server(b, newKey(t), WithHandshakeTimeout(50*time.Millisecond))
	if !errors.Is(err, ErrHandshake) || !errors.Is(err, context.DeadlineExceeded) || !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want a handshake deadline error", err)
	}
	t.Logf("%v", err)
}

// TestHandshakeCancel: cancelling WithContext's context unblocks a client
// waiting for act two.
func TestHandshakeCancel(t *testing.T) {
	a, b := net.Pipe()
	defer b.Close()
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		io.ReadFull(b, make([]byte, ActOneSize)) // swallow act one, never answer
		cancel()
	}()
	_, err := Client(a, newKey(t), newKey(t).PubKey(), WithContext(ctx), WithHandshakeTimeout(0))
	var he *HandshakeError
	if !errors.As(err, &he) || he.Act != 2 || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want act two cancelled", err)
	}
	t.Logf("%v", err)
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	a, b = net.Pipe()
	defer b.Close()
	if _, err := Client(a, newKey(t), newKey(t).PubKey(), WithContext(ctx)); !errors.Is(err, context.Canceled) {
		t.Fatalf("already cancelled: %v", err)
	}
}

// deadlineConn records the deadlines set on it.
type deadlineConn struct {
	net.Conn
	mu        sync.Mutex
	deadlines []time.Time
}

func (d *deadlineConn) SetDeadline(t time.Time) error {
	d.mu.Lock()
	d.deadlines = append(d.deadlines, t)
	d.mu.Unlock()
	return d.Conn.SetDeadline(t)
}

// TestHandshakeClearsDeadline: the handshake bounds both sides with a
// deadline on the connection and leaves none behind.
func TestHandshakeClearsDeadline(t *testing.T) {
	a, b := net.Pipe()
	da, db := &deadlineConn{Conn: a}, &deadlineConn{Conn: b}
	sk := newKey(t)
	c, s := runPair(da, db, newKey(t), sk.PubKey(), sk, WithHandshakeTimeout(time.Minute))
	if c.err != nil || s.err != nil {
		t.Fatal(c.err, s.err)
	}
	defer c.conn.Close()
	defer s.conn.Close()
	for _, d := range []*deadlineConn{da, db} {
		d.mu.Lock()
		got := d.deadlines
		d.mu.Unlock()
		if len(got) != 2 || got[0].IsZero() || !got[1].IsZero() {
			t.Fatalf("deadlines set: %v, want one, then cleared", got)
		}
	}
	if s.conn.LocalAddr() == nil || s.conn.RemoteAddr() == nil {
		t.Fatal("missing addresses")
	}
}
