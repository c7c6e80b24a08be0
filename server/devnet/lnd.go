package devnet

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"
)

// Lnd is one lnd process in regtest on loopback, using the playground's
// btcd as its chain backend.
type Lnd struct {
	Alias   string
	Dir     string
	P2PAddr string // host:port for Lightning peers
	RPCAddr string
	// RESTAddr is lnd's REST listener (TLS with Dir/tls.cert, macaroons
	// under Dir/data/chain/bitcoin/regtest).
	RESTAddr string
	Pubkey   string

	bin    string // directory with lnd and lncli
	cmd    *exec.Cmd
	exited chan struct{}
	args   []string
	log    *os.File
}

// StartLnd starts lnd against b and waits until it answers getinfo;
// extra flags are appended to the playground's.
func StartLnd(ctx context.Context, binDir, dir, alias string, b *Btcd, log *os.File, extra ...string) (*Lnd, error) {
	var err error
	for try := 0; try < 3; try++ {
		var l *Lnd
		if l, err = startLndOnce(ctx, binDir, dir, alias, b, log, extra...); !errors.Is(err, errLndExited) {
			return l, err
		}
	}
	return nil, err
}

// errLndExited is lnd quitting before it was ready: most often a port we
// picked was taken by another process in between, so StartLnd tries again
// with new ports.
var errLndExited = errors.New("exited during start-up")

// startLndOnce starts lnd on three free ports.
func startLndOnce(ctx context.Context, binDir, dir, alias string, b *Btcd, log *os.File, extra ...string) (*Lnd, error) {
	ports := make([]int, 3)
	for i := range ports {
		p, err := portOr(0)
		if err != nil {
			return nil, fmt.Errorf("start lnd %s: %w", alias, err)
		}
		ports[i] = p
	}
	l := &Lnd{
		Alias: alias, Dir: dir, bin: binDir,
		P2PAddr:  net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[0])),
		RPCAddr:  net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[1])),
		RESTAddr: net.JoinHostPort("127.0.0.1", strconv.Itoa(ports[2])),
	}
	args := []string{
		"--lnddir=" + dir, "--alias=" + alias, "--noseedbackup", "--debuglevel=info",
		"--bitcoin.active", "--bitcoin.regtest", "--bitcoin.node=btcd",
		"--btcd.rpchost=" + b.RPCAddr, "--btcd.rpcuser=" + b.RPCUser, "--btcd.rpcpass=" + b.RPCPass,
		"--btcd.rpccert=" + b.RPCCert,
		"--listen=" + l.P2PAddr, "--rpclisten=" + l.RPCAddr,
		"--restlisten=" + l.RESTAddr,
		"--externalip=" + l.P2PAddr, "--accept-keysend", "--protocol.wumbo-channels",
		"--trickledelay=50", "--bitcoin.defaultchanconfs=1",
	}
	l.args, l.log = append(args, extra...), log
	if err := l.start(ctx); err != nil {
		return nil, err
	}
	return l, nil
}

// start runs lnd with l.args and waits until it is ready.
func (l *Lnd) start(ctx context.Context) error {
	l.exited = make(chan struct{})
	l.cmd = exec.Command(filepath.Join(l.bin, "lnd"), l.args...)
	l.cmd.Stdout, l.cmd.Stderr = l.log, l.log
	detach(l.cmd)
	if err := l.cmd.Start(); err != nil {
		return fmt.Errorf("start lnd %s: %w", l.Alias, err)
	}
	exited := l.exited
	cmd := l.cmd
	go func() { _ = cmd.Wait(); close(exited) }()
	if err := l.waitReady(ctx); err != nil {
		l.Stop()
		return err
	}
	return nil
}

// waitReady polls getinfo until lnd answers and has synced to btcd.
func (l *Lnd) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	var last error
	for {
		var info struct {
			IdentityPubkey string `json:"identity_pubkey"`
			SyncedToChain  bool   `json:"synced_to_chain"`
		}
		last = l.CLI(ctx, &info, "getinfo")
		if last == nil && info.SyncedToChain {
			l.Pubkey = info.IdentityPubkey
			return nil
		}
		select {
		case <-l.exited:
			return fmt.Errorf("lnd %s %w; see %s: %s", l.Alias, errLndExited, l.Dir, logTail(l.log))
		case <-ctx.Done():
			return fmt.Errorf("lnd %s not ready: %v (%w)", l.Alias, last, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// CLI runs lncli against this lnd and decodes its JSON output into out
// (which may be nil).
func (l *Lnd) CLI(ctx context.Context, out any, args ...string) error {
	b, err := l.CLIOut(ctx, args...)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(b, out); err != nil {
		return fmt.Errorf("lncli %s: decode: %w", args[0], err)
	}
	return nil
}

// CLIOut runs lncli and returns its standard output, also when lncli
// fails: payinvoice --json prints the failed payment and then exits 1.
func (l *Lnd) CLIOut(ctx context.Context, args ...string) ([]byte, error) {
	base := []string{
		"--lnddir=" + l.Dir, "--network=regtest", "--rpcserver=" + l.RPCAddr,
	}
	cmd := exec.CommandContext(ctx, filepath.Join(l.bin, "lncli"), append(base, args...)...)
	b, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			return b, fmt.Errorf("lncli %s: %w: %s", args[0], err, ee.Stderr)
		}
		return b, fmt.Errorf("lncli %s: %w", args[0], err)
	}
	return b, nil
}

// Stop ends lnd: SIGTERM, then SIGKILL after ten seconds.
func (l *Lnd) Stop() {
	stopProcess(l.cmd, l.exited, 10*time.Second)
}

// logTail is the end of lnd's output file, for the error of a failed
// start.
func logTail(f *os.File) string {
	if f == nil {
		return ""
	}
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return ""
	}
	return string(b[max(0, len(b)-400):])
}
