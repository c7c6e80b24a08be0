package noise

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
)

// Conn is an authenticated, encrypted BOLT 8 connection carrying whole
// Lightning messages. One goroutine may call ReadMessage while another calls
// WriteMessage: each direction has its own Cipher and lock.
//
// Once a frame from the peer fails to decrypt, or a write fails part way
// through a frame, the two sides' nonces no longer agree and no later frame
// could be trusted, so Conn closes the underlying connection and every later
// ReadMessage and WriteMessage returns that first error.
type Conn struct {
	conn      net.Conn
	remotePub *btcec.PublicKey

	rmu  sync.Mutex
	recv *Cipher
	rd   pendingRead

	wmu  sync.Mutex
	send *Cipher
	wbuf []byte

	failMu sync.Mutex
	failed error
}

// pendingRead is the frame being received. Keeping it in the Conn lets a
// ReadMessage interrupted by a read deadline resume where it stopped instead
// of losing bytes and desynchronising the stream.
type pendingRead struct {
	header  [HeaderSize]byte
	headerN int
	body    []byte // nil until the header is decrypted
	bodyN   int
}

// Client runs the initiator's side of the handshake over conn, proving we
// hold local and checking that the peer holds the key of remote, and returns
// the Conn. The handshake is bounded by WithHandshakeTimeout (default
// DefaultHandshakeTimeout) and WithContext. On any error conn is closed, as
// BOLT 8 requires after a failed act.
func Client(conn net.Conn, local *btcec.PrivateKey, remote *btcec.PublicKey, opts ...Option) (*Conn, error) {
	in, err := NewInitiator(local, remote, opts...)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return handshake(conn, newConfig(opts), func() (*Session, error) { return clientActs(conn, in) })
}

// Server runs the responder's side of the handshake over conn for our node
// key local and returns the Conn; RemotePub then says who connected. Options
// and failure behave as for Client.
func Server(conn net.Conn, local *btcec.PrivateKey, opts ...Option) (*Conn, error) {
	r, err := NewResponder(local, opts...)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return handshake(conn, newConfig(opts), func() (*Session, error) { return serverActs(conn, r) })
}

// ReadMessage returns the next Lightning message from the peer, at most
// MaxMessageSize bytes, in a slice the caller owns. An error from the
// underlying connection (a read deadline, EOF) leaves a partly read frame in
// place for the next call; a frame that fails to decrypt ends the Conn.
func (c *Conn) ReadMessage() ([]byte, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	if err := c.brokenErr(); err != nil {
		return nil, err
	}
	rd := &c.rd
	if rd.body == nil {
		if err := c.fill(rd.header[:], &rd.headerN, false); err != nil {
			return nil, err
		}
		rd.headerN = 0
		size, err := DecryptHeader(c.recv, rd.header[:])
		if err != nil {
			return nil, c.breakWith(err)
		}
		// size is at most MaxBodySize: the header holds a uint16.
		rd.body = make([]byte, size)
	}
	if err := c.fill(rd.body, &rd.bodyN, true); err != nil {
		return nil, err
	}
	body := rd.body
	rd.body, rd.bodyN = nil, 0
	msg, err := DecryptBody(c.recv, body)
	if err != nil {
		return nil, c.breakWith(err)
	}
	return msg, nil
}

// WriteMessage encrypts msg into one frame and writes it. A msg longer than
// MaxMessageSize returns ErrMessageTooLarge and the Conn stays usable; a
// failed write (including an expired write deadline) ends the Conn, since
// the peer may have received part of the frame.
func (c *Conn) WriteMessage(msg []byte) error {
	if len(msg) > MaxMessageSize {
		return fmt.Errorf("noise: writing message: %w: %d bytes", ErrMessageTooLarge, len(msg))
	}
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if err := c.brokenErr(); err != nil {
		return err
	}
	frame, err := EncryptFrame(c.wbuf[:0], c.send, msg)
	if err != nil {
		return fmt.Errorf("noise: writing message: %w", err)
	}
	c.wbuf = frame
	if _, err := c.conn.Write(frame); err != nil {
		return c.breakWith(fmt.Errorf("noise: writing frame: %w", err))
	}
	return nil
}

// RemotePub is the peer's authenticated static (node) key.
func (c *Conn) RemotePub() *btcec.PublicKey { return c.remotePub }

// LocalAddr is the underlying connection's local address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr is the underlying connection's remote address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }

// Close closes the underlying connection, unblocking ReadMessage and
// WriteMessage.
func (c *Conn) Close() error { return c.conn.Close() }

// SetDeadline sets the underlying read and write deadlines.
func (c *Conn) SetDeadline(t time.Time) error { return c.conn.SetDeadline(t) }

// SetReadDeadline sets the underlying read deadline; ReadMessage resumes a
// partly read frame after it expires.
func (c *Conn) SetReadDeadline(t time.Time) error { return c.conn.SetReadDeadline(t) }

// SetWriteDeadline sets the underlying write deadline; one that expires
// mid-frame ends the Conn.
func (c *Conn) SetWriteDeadline(t time.Time) error { return c.conn.SetWriteDeadline(t) }

// fill reads into buf[*n:] until buf is full, recording progress in *n so a
// later call can resume. midFrame says whether an EOF here cuts a frame.
func (c *Conn) fill(buf []byte, n *int, midFrame bool) error {
	for *n < len(buf) {
		k, err := c.conn.Read(buf[*n:])
		*n += k
		if *n == len(buf) {
			return nil
		}
		if err != nil {
			if errors.Is(err, io.EOF) && (midFrame || *n > 0) {
				err = io.ErrUnexpectedEOF
			}
			return fmt.Errorf("noise: reading frame: %w", err)
		}
	}
	return nil
}

// breakWith records the first error that desynchronised the stream, closes
// the underlying connection and returns err.
func (c *Conn) breakWith(err error) error {
	c.failMu.Lock()
	defer c.failMu.Unlock()
	if c.failed == nil {
		c.failed = err
		c.conn.Close()
	}
	return err
}

// brokenErr reports the error that ended the Conn, if any.
func (c *Conn) brokenErr() error {
	c.failMu.Lock()
	defer c.failMu.Unlock()
	if c.failed != nil {
		return fmt.Errorf("noise: connection unusable after an earlier error: %w", c.failed)
	}
	return nil
}
