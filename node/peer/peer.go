package peer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg/chainhash"

	"lnwasm/node/lnwire"
	"lnwasm/node/noise"
)

// Transport is an authenticated, encrypted message stream; *noise.Conn is
// the real one.
type Transport interface {
	ReadMessage() ([]byte, error)
	WriteMessage([]byte) error
	// SetWriteDeadline bounds a write, so a peer that stops reading cannot
	// block our writers (and the ping loop) forever.
	SetWriteDeadline(time.Time) error
	RemotePub() *btcec.PublicKey
	Close() error
}

// Config is what every connection of a node shares.
type Config struct {
	Local    *btcec.PrivateKey
	Features lnwire.FeatureVector
	// Chain is the genesis hash we announce in init's networks and require
	// the peer to share, if it announces any.
	Chain chainhash.Hash
	// Dial opens the byte stream (the bridge in a browser).
	Dial func(ctx context.Context, addr string) (net.Conn, error)
	// PingInterval spaces our pings; PongTimeout is how long one may go
	// unanswered before the connection is declared dead.
	PingInterval, PongTimeout time.Duration
	// Handler receives every message that is not init, ping, pong, warning
	// or error, in order, on the connection's read goroutine.
	Handler func(p *Peer, m lnwire.Message)
	Logger  *slog.Logger
}

func (c *Config) defaults() {
	if c.PingInterval == 0 {
		c.PingInterval = 30 * time.Second
	}
	if c.PongTimeout == 0 {
		c.PongTimeout = 30 * time.Second
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Handler == nil {
		c.Handler = func(*Peer, lnwire.Message) {}
	}
}

// Peer is one live connection after a successful init exchange.
type Peer struct {
	cfg     Config
	t       Transport
	addr    string
	pub     *btcec.PublicKey
	theirs  lnwire.FeatureVector
	agreed  lnwire.FeatureVector
	log     *slog.Logger
	started time.Time

	writeMu sync.Mutex
	pings   pingState
	sent    atomic.Uint64
	recv    atomic.Uint64

	closeOnce sync.Once
	done      chan struct{}
	err       error // why the connection ended; set before done closes
}

// ErrClosed is the reason of a connection we closed ourselves.
var ErrClosed = errors.New("peer: connection closed")

// Dial connects to the node pub at addr, authenticates it, exchanges init
// and starts the connection's goroutines.
func Dial(ctx context.Context, cfg Config, pub *btcec.PublicKey, addr string) (*Peer, error) {
	cfg.defaults()
	conn, err := cfg.Dial(ctx, addr)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", addr, err)
	}
	t, err := noise.Client(conn, cfg.Local, pub, noise.WithContext(ctx))
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("connect %x@%s: %w", pub.SerializeCompressed(), addr, err)
	}
	return Start(ctx, cfg, t, addr)
}

// Start runs the init exchange on an authenticated transport and, if the
// peer is acceptable, the connection's read and ping goroutines.
func Start(ctx context.Context, cfg Config, t Transport, addr string) (*Peer, error) {
	cfg.defaults()
	p := &Peer{cfg: cfg, t: t, addr: addr, pub: t.RemotePub(), done: make(chan struct{})}
	p.log = cfg.Logger.With("peer", fmt.Sprintf("%x", p.pub.SerializeCompressed()))
	if err := p.exchangeInit(ctx); err != nil {
		t.Close()
		return nil, err
	}
	p.started = time.Now()
	go p.readLoop()
	go p.pingLoop()
	return p, nil
}

// Send writes one message; a message that cannot be encoded is refused,
// and a failed write ends the connection.
func (p *Peer) Send(m lnwire.Message) error {
	raw, err := lnwire.WriteMessage(m)
	if err != nil {
		return fmt.Errorf("send %s: %w", m.Type(), err)
	}
	if err := p.writeWithin(raw, p.cfg.PongTimeout); err != nil {
		err = fmt.Errorf("send %s: %w", m.Type(), err)
		p.fail(err)
		return err
	}
	p.sent.Add(1)
	return nil
}

// Close ends the connection.
func (p *Peer) Close() { p.fail(ErrClosed) }

// fail records why the connection ended and closes it, once.
func (p *Peer) fail(err error) {
	p.closeOnce.Do(func() {
		p.err = err
		p.t.Close()
		close(p.done)
		if !errors.Is(err, ErrClosed) {
			p.log.Info("peer disconnected", "err", err)
		}
	})
}

// Done is closed when the connection has ended; Err then says why.
func (p *Peer) Done() <-chan struct{} { return p.done }

// Err is why the connection ended, or nil while it runs.
func (p *Peer) Err() error {
	select {
	case <-p.done:
		return p.err
	default:
		return nil
	}
}

// PubKey is the peer's node key.
func (p *Peer) PubKey() *btcec.PublicKey { return p.pub }

// Addr is the address we dialled.
func (p *Peer) Addr() string { return p.addr }

// Features is the peer's init feature vector.
func (p *Peer) Features() lnwire.FeatureVector { return p.theirs }

// Agreed is the features both sides support.
func (p *Peer) Agreed() lnwire.FeatureVector { return p.agreed }
