package node

import (
	"errors"
	"log/slog"
	"sync"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/keys"
	"lnwasm/node/store"
)

// Config is what a Node needs from its host.
type Config struct {
	Network *chaincfg.Params
	Store   store.Store
	// Scrypt sets the seed sealing cost; zero means keys.DefaultScrypt.
	Scrypt keys.ScryptParams
	Logger *slog.Logger
}

// Node is one Lightning node.
type Node struct {
	cfg Config
	log *slog.Logger

	mu       sync.Mutex
	ring     *keys.Ring
	identity *btcec.PrivateKey
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
	return &Node{cfg: cfg, log: log}, nil
}
