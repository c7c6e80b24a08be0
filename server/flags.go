package main

import (
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/server/devnet"
)

// options are the server's flags; each can also be set as LNWASM_<NAME>.
type options struct {
	listen       string
	network      string
	devnet       bool
	devnetDir    string
	devnetBlocks uint
	devnetHub    bool
	devnetShop   bool
	devnetPayer  bool
	hubFastFee   bool
	devnetTap    string
	allowPrivate bool
	allowPorts   string
	origins      string
	peers        string
	assets       string
	logLevel     string
}

const usageHead = `lnwasm server: serves the lnwasm page and its WebAssembly engine, and
relays the page's sockets (Bitcoin P2P, Lightning :9735) over WebSockets.

Usage:
  go run ./server -devnet                 # the regtest playground (make demo)
  go run ./server -network signet -peers host:38333

Every flag can also be set in the environment as LNWASM_<NAME>, for
example LNWASM_LISTEN=0.0.0.0:8080. Flags:
`

func parseFlags(args []string) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("server", flag.ContinueOnError)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8080", "address to serve the page, the bridge and metrics on")
	fs.StringVar(&o.network, "network", "regtest", "Bitcoin network: regtest, signet, testnet or mainnet")
	fs.BoolVar(&o.devnet, "devnet", false, "run the regtest playground: a local btcd with an initial chain (regtest only)")
	fs.StringVar(&o.devnetDir, "devnet-dir", "", "keep the playground's chain in this directory between runs (default: temporary)")
	fs.UintVar(&o.devnetBlocks, "devnet-blocks", devnet.SegwitHeight, "height the playground mines to at start (segwit activates at 432 on regtest)")
	fs.BoolVar(&o.devnetHub, "devnet-hub", true, "start the playground's routing node, a real lnd (built from the Go module proxy on first use)")
	fs.BoolVar(&o.devnetShop, "devnet-shop", true, "start the playground's merchant lnd behind the hub (needs -devnet-hub)")
	fs.BoolVar(&o.devnetPayer, "devnet-payer", false, "start an lnd that pays the shop through the hub (the payment benchmark's reference)")
	fs.BoolVar(&o.hubFastFee, "devnet-hub-fast-fee", false, "build the hub from lnd with its fee-update timer at 1-2 s (not 10-60 min), estimating fees from POST /devnet/fee (for tests)")
	fs.StringVar(&o.devnetTap, "devnet-tap", "", "append every byte the bridge relays to this file (playground only; for the leak test)")
	fs.BoolVar(&o.allowPrivate, "allow-private", false, "let the bridge reach loopback and private addresses (the playground sets it)")
	fs.StringVar(&o.allowPorts, "allow-ports", "", "comma-separated ports the bridge may reach (default: 9735 and the network's P2P port)")
	fs.StringVar(&o.origins, "origins", "", "comma-separated page origins allowed to use the bridge besides this server's own")
	fs.StringVar(&o.peers, "peers", "", "comma-separated host:port of Bitcoin peers serving compact filters, offered to the page")
	fs.StringVar(&o.assets, "assets", "build", "directory holding lnwasm.wasm (and .br/.gz) and wasm_exec.js (run make wasm to build them)")
	fs.StringVar(&o.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	if err := envDefaults(fs); err != nil {
		return nil, err
	}
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	return o, o.check()
}

// envDefaults applies LNWASM_<NAME> variables before the command line, so
// flags win over the environment.
func envDefaults(fs *flag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		name := "LNWASM_" + strings.ToUpper(strings.ReplaceAll(f.Name, "-", "_"))
		if v, ok := os.LookupEnv(name); ok && err == nil {
			if e := f.Value.Set(v); e != nil {
				err = fmt.Errorf("%s=%q: %w", name, v, e)
			}
		}
	})
	return err
}

func (o *options) check() error {
	if _, err := o.params(); err != nil {
		return err
	}
	if o.devnetTap != "" && !o.devnet {
		return fmt.Errorf("-devnet-tap records traffic and is only for the -devnet playground")
	}
	if o.devnet && o.network != "regtest" {
		return fmt.Errorf("-devnet runs a regtest chain; it cannot be used with -network %s", o.network)
	}
	_, err := o.ports()
	return err
}

func (o *options) params() (*chaincfg.Params, error) {
	switch o.network {
	case "regtest":
		return &chaincfg.RegressionNetParams, nil
	case "signet":
		return &chaincfg.SigNetParams, nil
	case "testnet":
		return &chaincfg.TestNet3Params, nil
	case "mainnet":
		return &chaincfg.MainNetParams, nil
	}
	return nil, fmt.Errorf("-network %q: want regtest, signet, testnet or mainnet", o.network)
}

// ports parses -allow-ports; nil means the policy's default.
func (o *options) ports() ([]uint16, error) {
	var out []uint16
	for _, s := range splitList(o.allowPorts) {
		p, err := strconv.ParseUint(s, 10, 16)
		if err != nil || p == 0 {
			return nil, fmt.Errorf("-allow-ports: %q is not a port number", s)
		}
		out = append(out, uint16(p))
	}
	return out, nil
}

func splitList(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}
