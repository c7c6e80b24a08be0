package devnet

import (
	"context"
	"fmt"
	"time"

	"github.com/btcsuite/btcd/btcutil"
	"log/slog"
	"os"
	"path/filepath"
)

// SegwitHeight is the height at which btcd activates segwit on regtest
// (BIP9: signalling starts at 144, locks in at 288, activates at 432). Below
// it btcd refuses P2WPKH spends, which every wallet and channel needs, so the
// playground mines at least this far by default.
const SegwitHeight = 432

// Config configures the playground.
type Config struct {
	// Dir keeps the chain between runs; empty means a temporary directory
	// removed on Close.
	Dir string
	// InitialBlocks is the height the chain is mined to at start (if lower).
	InitialBlocks uint32
	// P2PPort is btcd's P2P port; 0 picks a free one.
	P2PPort int
	// Hub starts the playground's routing node, a real lnd.
	Hub bool
	// HubFastFee builds the hub from EnsureLndFastFee and points its fee
	// estimator at the playground's fee API (POST /devnet/fee), so a test
	// sees the hub send update_fee within seconds.
	HubFastFee bool
	// Shop starts the merchant lnd with a public channel hub → shop (it
	// needs Hub).
	Shop bool
	// Payer starts an lnd with a private channel to the hub that pays the
	// shop through it (needs Shop): the reference for payment latency.
	Payer  bool
	Logger *slog.Logger
}

// Devnet is a running playground.
type Devnet struct {
	Btcd    *Btcd
	Hub     *Lnd // nil unless Config.Hub
	Shop    *Lnd // nil unless Config.Shop
	Payer   *Lnd // nil unless Config.Payer
	log     *slog.Logger
	tmpDir  string
	dir     string
	logf    *os.File
	hubLog  *os.File
	shopLog *os.File
	faucet  faucet
	extra   []*Lnd
	logs    []*os.File // the extra lnds' output
	fees    *FeeAPI    // nil unless Config.HubFastFee
	holds   holds      // the shop's hold invoices waiting to be resolved
}

// Start builds btcd if needed, starts it and mines the initial chain.
func Start(ctx context.Context, cfg Config) (*Devnet, error) {
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	d := &Devnet{log: log}
	dir := cfg.Dir
	if dir == "" {
		tmp, err := os.MkdirTemp("", "lnwasm-devnet-")
		if err != nil {
			return nil, fmt.Errorf("start devnet: %w", err)
		}
		dir, d.tmpDir = tmp, tmp
	}
	d.dir = dir
	bin, err := EnsureBtcd(ctx)
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("start devnet: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		d.Close()
		return nil, fmt.Errorf("start devnet: %w", err)
	}
	d.logf, err = os.Create(filepath.Join(dir, "btcd.out"))
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("start devnet: %w", err)
	}
	d.Btcd, err = StartBtcd(ctx, BtcdConfig{Bin: bin, Dir: filepath.Join(dir, "btcd"), P2PPort: cfg.P2PPort, Log: d.logf})
	if err != nil {
		d.Close()
		return nil, fmt.Errorf("start devnet: %w", err)
	}
	if err := d.mineTo(cfg.InitialBlocks); err != nil {
		d.Close()
		return nil, fmt.Errorf("start devnet: %w", err)
	}
	if cfg.Hub {
		if err := d.startHub(ctx, dir, cfg); err != nil {
			d.Close()
			return nil, fmt.Errorf("start devnet: %w", err)
		}
	}
	log.Info("devnet running", "btcd_p2p", d.Btcd.P2PAddr, "dir", dir)
	return d, nil
}

// startHub builds lnd if needed and starts the hub on the playground's btcd.
func (d *Devnet) startHub(ctx context.Context, dir string, cfg Config) error {
	fastFee, shop := cfg.HubFastFee, cfg.Shop
	ensure, extra := EnsureLnd, []string(nil)
	if fastFee {
		fees, err := StartFeeAPI(defaultFeeSatPerVbyte)
		if err != nil {
			return err
		}
		d.fees, ensure = fees, EnsureLndFastFee
		extra = []string{"--fee.url=" + fees.URL()}
	}
	bin, err := ensure(ctx)
	if err != nil {
		return err
	}
	f, err := os.Create(filepath.Join(dir, "hub.out"))
	if err != nil {
		return err
	}
	d.hubLog = f
	d.Hub, err = StartLnd(ctx, bin, filepath.Join(dir, "hub"), "hub", d.Btcd, f, extra...)
	if err != nil {
		return err
	}
	d.log.Info("hub running", "pubkey", d.Hub.Pubkey, "host", d.Hub.P2PAddr)
	if err := d.fundHub(ctx); err != nil {
		return err
	}
	if !shop {
		return nil
	}
	// The shop needs no fast fee updates: it only receives and pays.
	plain, err := EnsureLnd(ctx)
	if err != nil {
		return err
	}
	if err := d.startShop(ctx, plain); err != nil || !cfg.Payer {
		return err
	}
	return d.startPayer(ctx, plain)
}

// StartLnd starts another lnd on the playground's chain from the binaries
// in binDir, with extra flags, funded with sat from the faucet. The
// playground stops it on Close.
func (d *Devnet) StartLnd(ctx context.Context, alias, binDir string, sat int64, extra ...string) (*Lnd, error) {
	f, err := os.Create(filepath.Join(d.dir, alias+".out"))
	if err != nil {
		return nil, err
	}
	l, err := StartLnd(ctx, binDir, filepath.Join(d.dir, alias), alias, d.Btcd, f, extra...)
	if err != nil {
		f.Close()
		return nil, err
	}
	d.extra, d.logs = append(d.extra, l), append(d.logs, f)
	if err := d.fundLnd(ctx, l, sat); err != nil {
		return nil, err
	}
	return l, nil
}

// hubFunds is what the hub starts with: enough to pay pages and, later,
// to open channels to them.
const hubFunds = 10 * btcutil.SatoshiPerBitcoin

// fundHub pays the hub from the faucet and waits until lnd counts it.
func (d *Devnet) fundHub(ctx context.Context) error {
	return d.fundLnd(ctx, d.Hub, hubFunds)
}

// fundLnd pays an lnd from the faucet and waits until it counts the coins.
func (d *Devnet) fundLnd(ctx context.Context, l *Lnd, sat int64) error {
	var a struct {
		Address string `json:"address"`
	}
	if err := l.CLI(ctx, &a, "newaddress", "p2wkh"); err != nil {
		return fmt.Errorf("fund %s: %w", l.Alias, err)
	}
	if _, err := d.Faucet(a.Address, sat); err != nil {
		return fmt.Errorf("fund %s: %w", l.Alias, err)
	}
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		var bal struct {
			Confirmed string `json:"confirmed_balance"`
		}
		if err := l.CLI(ctx, &bal, "walletbalance"); err == nil && bal.Confirmed == fmt.Sprint(sat) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("fund %s: lnd did not see its funds: %w", l.Alias, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (d *Devnet) mineTo(height uint32) error {
	h, err := d.Btcd.Height()
	if err != nil {
		return err
	}
	if int64(height) > h {
		if _, err := d.Btcd.Mine(uint32(int64(height) - h)); err != nil {
			return err
		}
	}
	return nil
}

// ChainPeer is the host:port of the compact-filter peer.
func (d *Devnet) ChainPeer() string { return d.Btcd.P2PAddr }

// Close stops every process the playground started and removes a
// temporary directory.
func (d *Devnet) Close() error {
	var err error
	for _, l := range d.extra {
		l.Stop()
	}
	for _, f := range d.logs {
		f.Close()
	}
	if d.Payer != nil {
		d.Payer.Stop()
	}
	if d.Shop != nil {
		d.Shop.Stop()
	}
	if d.shopLog != nil {
		d.shopLog.Close()
	}
	if d.Hub != nil {
		d.Hub.Stop()
	}
	if d.fees != nil {
		d.fees.Close()
	}
	if d.hubLog != nil {
		d.hubLog.Close()
	}
	if d.Btcd != nil {
		err = d.Btcd.Stop()
	}
	if d.logf != nil {
		d.logf.Close()
	}
	if d.tmpDir != "" {
		os.RemoveAll(d.tmpDir)
	}
	return err
}
