package devnet

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcutil"
	"github.com/btcsuite/btcd/chaincfg"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
	"github.com/btcsuite/btcd/rpcclient"
)

// Btcd is one btcd process in regtest on loopback, serving compact filters.
type Btcd struct {
	Dir        string
	P2PAddr    string
	RPCAddr    string
	RPCCert    string
	RPCUser    string
	RPCPass    string
	MiningKey  *btcec.PrivateKey
	MiningAddr btcutil.Address

	cmd    *exec.Cmd
	rpc    *rpcclient.Client
	exited chan struct{}
}

// BtcdConfig says where and how to start btcd.
type BtcdConfig struct {
	Bin     string // path to the btcd binary
	Dir     string // data dir; created if missing
	P2PPort int    // 0 picks a free port
	Log     *os.File
}

// StartBtcd starts btcd and waits until its RPC answers.
func StartBtcd(ctx context.Context, cfg BtcdConfig) (*Btcd, error) {
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("start btcd: %w", err)
	}
	p2p, err := portOr(cfg.P2PPort)
	if err != nil {
		return nil, fmt.Errorf("start btcd: %w", err)
	}
	rpcPort, err := portOr(0)
	if err != nil {
		return nil, fmt.Errorf("start btcd: %w", err)
	}
	key, err := miningKey(cfg.Dir)
	if err != nil {
		return nil, fmt.Errorf("start btcd: %w", err)
	}
	addr, err := btcutil.NewAddressWitnessPubKeyHash(
		btcutil.Hash160(key.PubKey().SerializeCompressed()), &chaincfg.RegressionNetParams)
	if err != nil {
		return nil, fmt.Errorf("start btcd: mining address: %w", err)
	}
	b := &Btcd{
		Dir: cfg.Dir, P2PAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(p2p)),
		RPCAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(rpcPort)),
		RPCCert: filepath.Join(cfg.Dir, "rpc.cert"), RPCUser: "devnet", RPCPass: "devnet",
		MiningKey: key, MiningAddr: addr, exited: make(chan struct{}),
	}
	if err := b.spawn(cfg); err != nil {
		return nil, err
	}
	if err := b.connectRPC(ctx); err != nil {
		b.Stop()
		return nil, err
	}
	return b, nil
}

func (b *Btcd) spawn(cfg BtcdConfig) error {
	args := []string{
		"--regtest", "--datadir=" + filepath.Join(b.Dir, "data"),
		"--logdir=" + filepath.Join(b.Dir, "logs"),
		"--listen=" + b.P2PAddr, "--rpclisten=" + b.RPCAddr,
		"--rpcuser=" + b.RPCUser, "--rpcpass=" + b.RPCPass,
		"--rpccert=" + b.RPCCert, "--rpckey=" + filepath.Join(b.Dir, "rpc.key"),
		"--miningaddr=" + b.MiningAddr.EncodeAddress(),
		"--txindex", "--nodnsseed", "--debuglevel=info",
	}
	b.cmd = exec.Command(cfg.Bin, args...)
	if cfg.Log != nil {
		b.cmd.Stdout, b.cmd.Stderr = cfg.Log, cfg.Log
	}
	detach(b.cmd)
	if err := b.cmd.Start(); err != nil {
		return fmt.Errorf("start btcd %s: %w", cfg.Bin, err)
	}
	go func() { _ = b.cmd.Wait(); close(b.exited) }()
	return nil
}

// connectRPC waits for btcd to write its TLS certificate and answer RPC.
func (b *Btcd) connectRPC(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	for {
		if cert, err := os.ReadFile(b.RPCCert); err == nil {
			client, err := rpcclient.New(&rpcclient.ConnConfig{
				Host: b.RPCAddr, User: b.RPCUser, Pass: b.RPCPass,
				Certificates: cert, HTTPPostMode: true,
			}, nil)
			if err == nil {
				if _, err = client.GetBlockCount(); err == nil {
					b.rpc = client
					return nil
				}
				client.Shutdown()
			}
		}
		select {
		case <-b.exited:
			return fmt.Errorf("btcd exited during start-up; see %s", filepath.Join(b.Dir, "logs"))
		case <-ctx.Done():
			return fmt.Errorf("btcd RPC at %s did not answer: %w", b.RPCAddr, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// RPC is the JSON-RPC client of the running btcd.
func (b *Btcd) RPC() *rpcclient.Client { return b.rpc }

// Mine generates n blocks paying the mining address and returns their hashes.
func (b *Btcd) Mine(n uint32) ([]*chainhash.Hash, error) {
	var all []*chainhash.Hash
	for n > 0 {
		step := min(n, 100)
		hashes, err := b.rpc.Generate(step)
		if err != nil {
			return all, fmt.Errorf("mine %d blocks: %w", step, err)
		}
		all = append(all, hashes...)
		n -= step
	}
	return all, nil
}

// Height is btcd's best height.
func (b *Btcd) Height() (int64, error) {
	h, err := b.rpc.GetBlockCount()
	if err != nil {
		return 0, fmt.Errorf("block count: %w", err)
	}
	return h, nil
}

// Stop ends btcd: SIGTERM, then SIGKILL after five seconds.
func (b *Btcd) Stop() error {
	if b.rpc != nil {
		b.rpc.Shutdown()
	}
	if !stopProcess(b.cmd, b.exited, 5*time.Second) {
		return errors.New("btcd did not stop on SIGTERM; killed")
	}
	return nil
}

// stopProcess sends SIGTERM and waits grace for exited to close, then kills
// the child's whole process group. It reports whether SIGTERM sufficed.
func stopProcess(cmd *exec.Cmd, exited <-chan struct{}, grace time.Duration) bool {
	if cmd == nil || cmd.Process == nil {
		return true
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-exited:
		return true
	case <-time.After(grace):
	}
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	<-exited
	return false
}

// miningKey loads the key whose address receives block rewards, creating it
// on first use, so a kept data dir keeps a spendable coinbase history.
func miningKey(dir string) (*btcec.PrivateKey, error) {
	path := filepath.Join(dir, "mining.key")
	if raw, err := os.ReadFile(path); err == nil && len(raw) == 32 {
		k, _ := btcec.PrivKeyFromBytes(raw)
		return k, nil
	}
	k, err := btcec.NewPrivateKey()
	if err != nil {
		return nil, fmt.Errorf("mining key: %w", err)
	}
	if err := os.WriteFile(path, k.Serialize(), 0o600); err != nil {
		return nil, fmt.Errorf("mining key: %w", err)
	}
	return k, nil
}

// portOr returns want, or a free loopback port when want is 0.
func portOr(want int) (int, error) {
	if want != 0 {
		return want, nil
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
