package node

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/chain"
	"lnwasm/node/channel"
	"lnwasm/node/keys"
	"lnwasm/node/lnwire"
	"lnwasm/node/store"
	"lnwasm/node/wallet"
)

// Config is what a Node needs from its host.
type Config struct {
	Network *chaincfg.Params
	Store   store.Store
	// Scrypt sets the seed sealing cost; zero means keys.DefaultScrypt.
	Scrypt keys.ScryptParams
	// Dial opens a byte stream to a Lightning peer (the bridge in a
	// browser, TCP natively).
	Dial func(ctx context.Context, addr string) (net.Conn, error)
	// Features is our init vector; zero means lnwire.DefaultFeatures.
	Features lnwire.FeatureVector
	// PingInterval and PongTimeout tune liveness; zero means peer's
	// defaults (30 s each).
	PingInterval, PongTimeout time.Duration
	// Chain is the chain backend the on-chain wallet syncs from; nil leaves
	// the node without a wallet.
	Chain chain.Backend
	// ChannelPolicy overrides channel.DefaultPolicy (tests shorten
	// delays and depths with it).
	ChannelPolicy *channel.Policy
	// Events receives what a UI wants to know as it happens; nil drops them.
	Events func(Event)
	Logger *slog.Logger
}

// Event is a change a subscriber hears about.
type Event struct {
	Type         string // "peer", "channel"
	Pubkey       string
	Connected    bool
	Error        string
	ChannelPoint string `json:",omitempty"`
	PaymentHash  string `json:",omitempty"`
	State        string `json:",omitempty"`
}

func (n *Node) emit(ev Event) {
	if n.cfg.Events != nil {
		n.cfg.Events(ev)
	}
}

// Node is one Lightning node.
type Node struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	ring     *keys.Ring
	identity *btcec.PrivateKey
	peers    map[string]*peerSlot // by hex pubkey

	wallet     *wallet.Wallet
	stopWallet context.CancelFunc
	// stopBlocks ends the block loop that drives on-chain resolutions.
	stopBlocks context.CancelFunc

	chans channels
	pay   *payments // nil until the wallet is unlocked
}

// New builds a node; it is locked until CreateWallet or UnlockWallet.
func New(cfg Config) (*Node, error) {
	if cfg.Network == nil || cfg.Store == nil {
		return nil, errors.New("new node: Network and Store are required")
	}
	if cfg.Scrypt == (keys.ScryptParams{}) {
		cfg.Scrypt = keys.DefaultScrypt
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if cfg.Features.IsEmpty() {
		cfg.Features = lnwire.DefaultFeatures()
	}
	if cfg.Dial == nil {
		cfg.Dial = func(ctx context.Context, addr string) (net.Conn, error) {
			return nil, errors.New("this node was built without a dialer")
		}
	}
	return &Node{cfg: cfg, log: log, peers: map[string]*peerSlot{},
		chans: channels{byID: map[lnwire.ChannelID]*chanEntry{}}}, nil
}
