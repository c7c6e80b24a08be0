package devnet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// PayerChannelSat is the payer's channel to the hub.
const PayerChannelSat = 2_000_000

// startPayer starts an lnd that pays the shop through the hub, exactly
// the path a page's payment takes: the benchmark's reference.
func (d *Devnet) startPayer(ctx context.Context, bin string) error {
	f, err := os.Create(filepath.Join(d.dir, "payer.out"))
	if err != nil {
		return err
	}
	d.logs = append(d.logs, f)
	d.Payer, err = StartLnd(ctx, bin, filepath.Join(d.dir, "payer"), "payer", d.Btcd, f)
	if err != nil {
		return fmt.Errorf("start payer: %w", err)
	}
	if err := d.fundLnd(ctx, d.Payer, 2*PayerChannelSat); err != nil {
		return err
	}
	if err := d.Payer.CLI(ctx, nil, "connect", d.Hub.Pubkey+"@"+d.Hub.P2PAddr); err != nil {
		return fmt.Errorf("connect payer to hub: %w", err)
	}
	if err := d.Payer.CLI(ctx, nil, "openchannel", "--node_key", d.Hub.Pubkey, "--local_amt", fmt.Sprint(PayerChannelSat), "--private"); err != nil {
		return fmt.Errorf("open payer → hub: %w", err)
	}
	if _, err := d.Btcd.Mine(6); err != nil {
		return err
	}
	return d.waitPayerGraph(ctx)
}

// waitPayerGraph waits until the payer knows the hub → shop channel.
func (d *Devnet) waitPayerGraph(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		var g struct {
			Nodes []struct {
				PubKey string `json:"pub_key"`
			} `json:"nodes"`
		}
		err := d.Payer.CLI(ctx, &g, "describegraph")
		if err == nil && strings.Contains(fmt.Sprint(g.Nodes), d.Shop.Pubkey) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("payer never learned the shop (last error %v): %w", err, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
