//go:build js && wasm

package main

import (
	"github.com/btcsuite/btcwallet/walletdb"

	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"sync"
	"sync/atomic"
	"syscall/js"
	"time"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/bridge"
	"lnwasm/chain"
	"lnwasm/chain/kvdb"
	"lnwasm/node"
	"lnwasm/node/store/wdbstore"
)

// chainDir is where neutrino keeps its flat header files in the worker's
// IndexedDB-backed file system.
const chainDir = "/lnwasm/chain"

// engine holds the running node. Today that is the chain backend; the
// Lightning node joins it in later issues.
type engine struct {
	host js.Value
	log  *slog.Logger

	mu       sync.Mutex
	network  string
	backend  *chain.Neutrino
	node     *node.Node
	db       walletdb.DB    // the IndexedDB-journaled database of chain and node
	restored chain.Progress // what IndexedDB held before this session synced
	started  time.Time      // when the chain backend started
	syncedIn time.Duration  // from start to first synced; 0 until then

	bytesIn, bytesOut atomic.Uint64
}

func newEngine(host js.Value, log *slog.Logger) *engine {
	return &engine{host: host, log: log}
}

type handler func(params json.RawMessage) (any, error)

func (e *engine) methods() map[string]handler {
	return map[string]handler{
		"start":            e.start,
		"getInfo":          e.getInfo,
		"memStats":         e.memStats,
		"createWallet":     e.createWallet,
		"unlockWallet":     e.unlockWallet,
		"exportBackup":     e.exportBackup,
		"connect":          e.connect,
		"listPeers":        e.listPeers,
		"newAddress":       e.newAddress,
		"walletBalance":    e.walletBalance,
		"sendCoins":        e.sendCoins,
		"listTransactions": e.listTransactions,
		"bumpFee":          e.bumpFee,
		"qrSvg":            e.qrSvg,
		"listUnspent":      e.listUnspent,
		"lockWallet":       e.lockWallet,
		"openChannel":      e.openChannel,
		"listChannels":     e.listChannels,
		"pendingChannels":  e.pendingChannels,
		"closedChannels":   e.closedChannels,
		"closeChannel":     e.closeChannel,
		"checkStore":       e.checkStore,
		"decodePayReq":     e.decodePayReq,
		"sendPayment":      e.sendPayment,
		"listPayments":     e.listPayments,
		"addInvoice":       e.addInvoice,
		"listInvoices":     e.listInvoices,
	}
}

// startParams is the argument of lnwasm.start.
type startParams struct {
	Network    string   `json:"network"`
	Bridge     string   `json:"bridge"`
	ChainPeers []string `json:"chainPeers"`
}

var networks = map[string]*chaincfg.Params{
	"regtest": &chaincfg.RegressionNetParams,
	"signet":  &chaincfg.SigNetParams,
	"testnet": &chaincfg.TestNet3Params,
	"mainnet": &chaincfg.MainNetParams,
}

func (p *startParams) validate() (*chaincfg.Params, error) {
	params, ok := networks[p.Network]
	if !ok {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("network %q: want regtest, signet, testnet or mainnet", p.Network))
	}
	if p.Bridge == "" {
		return nil, apiErr(codeInvalidArgument, errors.New("bridge URL is required (ws://host/bridge)"))
	}
	if len(p.ChainPeers) == 0 {
		return nil, apiErr(codeInvalidArgument, errors.New("at least one chain peer (host:port serving compact filters) is required"))
	}
	for _, peer := range p.ChainPeers {
		if _, _, err := net.SplitHostPort(peer); err != nil {
			return nil, apiErr(codeInvalidArgument, fmt.Errorf("chain peer %q: %w", peer, err))
		}
	}
	return params, nil
}

// start opens the chain state kept in IndexedDB and begins syncing.
func (e *engine) start(raw json.RawMessage) (any, error) {
	var p startParams
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("start: %w", err))
	}
	params, err := p.validate()
	if err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.backend != nil {
		return nil, apiErr(codeAlreadyStarted, errors.New("the engine is already running"))
	}
	if err := os.MkdirAll(chainDir, 0o755); err != nil {
		return nil, apiErr(codeStorage, fmt.Errorf("start: %w", err))
	}
	db, err := kvdb.Open(&idbJournal{host: e.host})
	if err != nil {
		return nil, apiErr(codeStorage, fmt.Errorf("start: %w", err))
	}
	e.db = db
	nodeStore, err := wdbstore.New(db)
	if err != nil {
		return nil, apiErr(codeStorage, fmt.Errorf("start: %w", err))
	}
	backend, err := chain.NewNeutrino(chain.NeutrinoConfig{
		Params: params, DataDir: chainDir, DB: db, Peers: p.ChainPeers,
		Dial: e.dialer(p.Bridge), Logger: e.log,
	})
	if err != nil {
		return nil, apiErr(codeStorage, fmt.Errorf("start: %w", err))
	}
	nd, err := node.New(node.Config{
		Network: params, Store: nodeStore, Logger: e.log, Events: e.emitNodeEvent, Chain: backend,
		Dial: func(ctx context.Context, addr string) (net.Conn, error) {
			return e.dialer(p.Bridge)(ctx, "tcp", addr)
		},
	})
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	e.restored = backend.Progress()
	if err := backend.Start(); err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	e.backend, e.network, e.started, e.node = backend, p.Network, time.Now(), nd
	go e.emitSync(backend)
	e.log.Info("engine started", "network", p.Network, "restored_height", e.restored.HeaderHeight)
	return map[string]any{"restoredHeight": e.restored.HeaderHeight}, nil
}

// dialer reaches every chain peer through the bridge and counts the bytes,
// which lets a test prove a reloaded page did not sync from genesis again.
func (e *engine) dialer(bridgeURL string) chain.DialFunc {
	return func(ctx context.Context, _, addr string) (net.Conn, error) {
		c, err := bridge.Dial(ctx, bridgeURL, addr)
		if err != nil {
			return nil, err
		}
		return &countingConn{Conn: c, in: &e.bytesIn, out: &e.bytesOut}, nil
	}
}

// countingConn counts bytes read and written.
type countingConn struct {
	net.Conn
	in, out *atomic.Uint64
}

func (c *countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.in.Add(uint64(n))
	return n, err
}

func (c *countingConn) Write(p []byte) (int, error) {
	n, err := c.Conn.Write(p)
	c.out.Add(uint64(n))
	return n, err
}
