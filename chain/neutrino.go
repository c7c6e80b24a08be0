package chain

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/wire"
	"github.com/btcsuite/btclog"
	"github.com/btcsuite/btcwallet/walletdb"
	"github.com/lightninglabs/neutrino"
	"github.com/lightninglabs/neutrino/blockntfns"
)

// NeutrinoConfig configures the compact-filter backend.
type NeutrinoConfig struct {
	// Params is the network: regtest, signet, testnet or mainnet.
	Params *chaincfg.Params
	// DataDir holds neutrino's flat header files. In a browser the worker's
	// file system shim keeps it in IndexedDB.
	DataDir string
	// DB holds neutrino's header index; see chain/kvdb for one that runs in
	// a browser.
	DB walletdb.DB
	// Peers are the host:port addresses of the only peers to use; compact
	// filter peers are found by the operator, not by DNS seeds, since a page
	// cannot resolve names.
	Peers []string
	// Dial opens every connection. It is required: the backend never opens
	// a socket by itself.
	Dial DialFunc
	// Fees estimates fee rates; nil means StaticFees for the network.
	Fees FeeEstimator
	// Logger receives the backend's and neutrino's logs; nil discards them.
	Logger *slog.Logger
}

// Neutrino is the Backend on BIP157/158 compact filters.
type Neutrino struct {
	cfg   NeutrinoConfig
	cs    *neutrino.ChainService
	names *nameTable
	log   *slog.Logger
	fees  FeeEstimator
	watch *watcher

	started  atomic.Bool // neutrino answers peer queries only once started
	stopOnce sync.Once
	quit     chan struct{}
	wg       sync.WaitGroup
}

var _ Backend = (*Neutrino)(nil)

// neutrinoLogOnce guards neutrino's package-level logger, which can only be
// set once per process.
var neutrinoLogOnce sync.Once

// NewNeutrino builds the backend; nothing connects until Start.
func NewNeutrino(cfg NeutrinoConfig) (*Neutrino, error) {
	if cfg.Params == nil || cfg.DB == nil || cfg.Dial == nil {
		return nil, errors.New("new neutrino backend: Params, DB and Dial are required")
	}
	if len(cfg.Peers) == 0 {
		return nil, errors.New("new neutrino backend: at least one chain peer is required")
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	neutrinoLogOnce.Do(func() {
		neutrino.UseLogger(newSlogAdapter(log.With("sub", "neutrino"), btclog.LevelInfo))
	})
	n := &Neutrino{cfg: cfg, names: newNameTable(), log: log, quit: make(chan struct{})}
	n.fees = cfg.Fees
	if n.fees == nil {
		n.fees = defaultStaticFees(cfg.Params)
	}
	cs, err := neutrino.NewChainService(neutrino.Config{
		DataDir:      cfg.DataDir,
		Database:     cfg.DB,
		ChainParams:  *cfg.Params,
		ConnectPeers: cfg.Peers,
		Dialer:       n.dial,
		NameResolver: n.names.resolve,
	})
	if err != nil {
		return nil, fmt.Errorf("new neutrino backend: %w", err)
	}
	n.cs = cs
	n.watch = newWatcher(n, log)
	return n, nil
}

// dial maps neutrino's address back to a host name and calls the supplied
// DialFunc with a bounded timeout.
func (n *Neutrino) dial(addr net.Addr) (net.Conn, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	target := n.names.hostFor(addr)
	conn, err := n.cfg.Dial(ctx, "tcp", target)
	if err != nil {
		n.log.Warn("chain peer dial failed", "target", target, "err", err)
		return nil, fmt.Errorf("dial chain peer %s: %w", target, err)
	}
	return conn, nil
}

// Start begins syncing and the watcher that serves confirmations and spends.
func (n *Neutrino) Start() error {
	if err := n.cs.Start(); err != nil {
		return fmt.Errorf("start neutrino: %w", err)
	}
	n.started.Store(true)
	sub, err := n.SubscribeBlocks()
	if err != nil {
		return err
	}
	n.wg.Add(1)
	go func() {
		defer n.wg.Done()
		n.watch.run(sub, n.quit)
	}()
	return nil
}

// Stop ends the watcher and neutrino, closing every connection.
func (n *Neutrino) Stop() error {
	var err error
	n.stopOnce.Do(func() {
		close(n.quit)
		n.wg.Wait()
		if e := n.cs.Stop(); e != nil {
			err = fmt.Errorf("stop neutrino: %w", e)
		}
	})
	return err
}

// BestBlock returns the highest block with a verified filter header.
func (n *Neutrino) BestBlock() (BlockStamp, error) {
	bs, err := n.cs.BestBlock()
	if err != nil {
		return BlockStamp{}, fmt.Errorf("best block: %w", err)
	}
	return BlockStamp{Height: uint32(bs.Height), Hash: bs.Hash, Timestamp: bs.Timestamp}, nil
}

// Progress reads both header stores and the peers' announced heights.
func (n *Neutrino) Progress() Progress {
	var p Progress
	if hdr, h, err := n.cs.BlockHeaders.ChainTip(); err == nil {
		p.HeaderHeight, p.HeaderHash = h, hdr.BlockHash()
	}
	if _, h, err := n.cs.RegFilterHeaders.ChainTip(); err == nil {
		p.FilterHeight = h
	}
	if !n.started.Load() {
		// Before Start the stores can be read (a resumed tip) but asking
		// for peers would wait forever on a peer handler not yet running.
		p.TargetHeight = p.HeaderHeight
		return p
	}
	for _, sp := range n.cs.Peers() {
		p.Peers++
		if h := sp.LastBlock(); h > 0 && uint32(h) > p.TargetHeight {
			p.TargetHeight = uint32(h)
		}
	}
	if p.TargetHeight < p.HeaderHeight {
		p.TargetHeight = p.HeaderHeight
	}
	p.Synced = p.Peers > 0 && n.cs.IsCurrent() && p.FilterHeight == p.HeaderHeight
	return p
}

// SubscribeBlocks relays neutrino's ordered block notifications.
func (n *Neutrino) SubscribeBlocks() (*BlockSubscription, error) {
	src := &neutrino.RescanChainSource{ChainService: n.cs}
	sub, err := src.Subscribe(0)
	if err != nil {
		return nil, fmt.Errorf("subscribe blocks: %w", err)
	}
	out := make(chan BlockEvent)
	done := make(chan struct{})
	var once sync.Once
	cancel := func() { once.Do(func() { close(done); sub.Cancel() }) }
	go func() {
		defer close(out)
		for {
			select {
			case ntfn, ok := <-sub.Notifications:
				if !ok {
					return
				}
				ev := blockEventOf(ntfn)
				select {
				case out <- ev:
				case <-done:
					return
				}
			case <-done:
				return
			}
		}
	}()
	return &BlockSubscription{Events: out, Cancel: cancel}, nil
}

func blockEventOf(ntfn blockntfns.BlockNtfn) BlockEvent {
	hdr := ntfn.Header()
	_, disconnected := ntfn.(*blockntfns.Disconnected)
	return BlockEvent{
		Block:        BlockStamp{Height: ntfn.Height(), Hash: hdr.BlockHash(), Timestamp: hdr.Timestamp},
		Disconnected: disconnected,
	}
}

// Broadcast sends the transaction to the connected peers and waits for
// them to ask for it or reject it.
func (n *Neutrino) Broadcast(tx *wire.MsgTx) error {
	if err := n.cs.SendTransaction(tx); err != nil {
		return fmt.Errorf("broadcast %s: %w", tx.TxHash(), err)
	}
	return nil
}

// FeeRate asks the configured estimator.
func (n *Neutrino) FeeRate(confTarget uint32) (SatPerKWeight, error) {
	return n.fees.FeeRate(confTarget)
}
