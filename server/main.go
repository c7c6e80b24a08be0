package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"lnwasm/bridge"
	"lnwasm/server/devnet"
)

func main() {
	opts, err := parseFlags(os.Args[1:])
	if errors.Is(err, flag.ErrHelp) {
		return
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, opts); err != nil {
		slog.Error("server stopped", "err", err)
		os.Exit(1)
	}
}

// run serves until ctx ends, then shuts down: the HTTP server, every bridge
// stream, and the playground's processes.
func run(ctx context.Context, o *options) error {
	log := newLogger(o.logLevel)
	var dn *devnet.Devnet
	if o.devnet {
		var err error
		dn, err = devnet.Start(ctx, devnet.Config{Dir: o.devnetDir, InitialBlocks: uint32(o.devnetBlocks), Hub: o.devnetHub, Shop: o.devnetHub && o.devnetShop, Payer: o.devnetHub && o.devnetShop && o.devnetPayer, HubFastFee: o.hubFastFee, Logger: log})
		if err != nil {
			return err
		}
		defer dn.Close()
	}
	policy, err := bridgePolicy(o, dn)
	if err != nil {
		return err
	}
	br := bridge.NewHandler(policy, log.With("sub", "bridge"))
	if o.devnetTap != "" {
		closeTap, err := tapTo(br, o.devnetTap)
		if err != nil {
			return err
		}
		defer closeTap()
	}
	ln, err := net.Listen("tcp", o.listen)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", o.listen, err)
	}
	srv := &http.Server{Handler: routes(o, br, dn), ReadHeaderTimeout: 10 * time.Second}
	url := "http://" + ln.Addr().String() + "/"
	log.Info("serving lnwasm", "url", url, "network", o.network, "devnet", o.devnet)
	if dn != nil {
		fmt.Printf("\nThe regtest playground is running. Open %s in a browser.\nPress Ctrl-C to stop it (btcd stops too).\n\n", url)
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve: %w", err)
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = br.Shutdown(sctx)
	return srv.Shutdown(sctx)
}

// bridgePolicy is the default public policy, widened as the flags say; the
// playground adds private targets and its btcd's port.
func bridgePolicy(o *options, dn *devnet.Devnet) (bridge.Policy, error) {
	params, err := o.params()
	if err != nil {
		return bridge.Policy{}, err
	}
	port, err := parsePort(params.DefaultPort)
	if err != nil {
		return bridge.Policy{}, err
	}
	p := bridge.DefaultPolicy(port)
	if ports, _ := o.ports(); len(ports) > 0 {
		p.AllowPorts = ports
	}
	p.AllowPrivate = o.allowPrivate
	p.Origins = splitList(o.origins)
	if dn != nil {
		p.AllowPrivate = true
		hosts := []string{dn.ChainPeer()}
		if dn.Shop != nil {
			hosts = append(hosts, dn.Shop.P2PAddr)
		}
		if dn.Hub != nil {
			hosts = append(hosts, dn.Hub.P2PAddr)
		}
		for _, h := range hosts {
			_, ps, _ := net.SplitHostPort(h)
			dp, err := parsePort(ps)
			if err != nil {
				return bridge.Policy{}, err
			}
			p.AllowPorts = append(p.AllowPorts, dp)
		}
	}
	return p, nil
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
	slog.SetDefault(log)
	return log
}

// tapTo appends every relayed chunk to a file, for the playground's leak
// test. Writes are serialised; the file is synced when the server stops.
func tapTo(br *bridge.Handler, path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("-devnet-tap: %w", err)
	}
	var mu sync.Mutex
	br.SetTap(func(_ string, _ bool, p []byte) {
		mu.Lock()
		defer mu.Unlock()
		_, _ = f.Write(p)
	})
	return func() { br.SetTap(nil); _ = f.Sync(); _ = f.Close() }, nil
}
