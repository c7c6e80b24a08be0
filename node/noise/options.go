package noise

import (
	"context"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
)

// DefaultHandshakeTimeout bounds a Client or Server handshake when no
// WithHandshakeTimeout or WithContext deadline is given, so that a peer that
// connects and says nothing cannot hold a connection open.
const DefaultHandshakeTimeout = 15 * time.Second

// EphemeralGen returns a fresh ephemeral key for one handshake. BOLT 8
// requires strong randomness; tests inject fixed keys to replay Appendix A.
type EphemeralGen func() (*btcec.PrivateKey, error)

// Option configures an Initiator, a Responder, Client or Server.
type Option func(*config)

// config collects the options. The state machines read only ephemeral; the
// timeout and context apply to Client and Server.
type config struct {
	ephemeral EphemeralGen
	timeout   time.Duration
	ctx       context.Context
}

// newConfig applies opts over the defaults.
func newConfig(opts []Option) *config {
	c := &config{
		ephemeral: randomEphemeral,
		timeout:   DefaultHandshakeTimeout,
		ctx:       context.Background(),
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// WithEphemeralGen replaces the random ephemeral key generator, for tests
// and test vectors only.
func WithEphemeralGen(gen EphemeralGen) Option {
	return func(c *config) {
		if gen != nil {
			c.ephemeral = gen
		}
	}
}

// WithHandshakeTimeout bounds the whole handshake of Client or Server
// (default DefaultHandshakeTimeout); 0 means no limit beyond the context's.
func WithHandshakeTimeout(d time.Duration) Option {
	return func(c *config) { c.timeout = d }
}

// WithContext lets the caller cancel a Client or Server handshake, or give it
// a deadline. It does not outlive the handshake.
func WithContext(ctx context.Context) Option {
	return func(c *config) {
		if ctx != nil {
			c.ctx = ctx
		}
	}
}
