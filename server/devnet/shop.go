package devnet

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ShopChannelSat is the capacity of the playground's hub → shop channel,
// and ShopPushSat what the hub pushes to the shop at open: the shop can
// receive up to the rest and pay up to the push, so a page can both buy
// from it and be paid by it through the hub.
const (
	ShopChannelSat = 5_000_000
	ShopPushSat    = 2_000_000
)

// startShop starts the merchant lnd and opens the public channel hub →
// shop, waiting until the hub's graph holds both directions' policies so a
// payer that asks the hub for its graph finds the route.
func (d *Devnet) startShop(ctx context.Context, bin string) error {
	f, err := os.Create(filepath.Join(d.dir, "shop.out"))
	if err != nil {
		return err
	}
	d.shopLog = f
	d.Shop, err = StartLnd(ctx, bin, filepath.Join(d.dir, "shop"), "shop", d.Btcd, f)
	if err != nil {
		return fmt.Errorf("start shop: %w", err)
	}
	if err := d.Hub.CLI(ctx, nil, "connect", d.Shop.Pubkey+"@"+d.Shop.P2PAddr); err != nil {
		return fmt.Errorf("connect hub to shop: %w", err)
	}
	var open struct {
		FundingTxid string `json:"funding_txid"`
	}
	err = d.Hub.CLI(ctx, &open, "openchannel", "--node_key", d.Shop.Pubkey,
		"--local_amt", fmt.Sprint(ShopChannelSat), "--push_amt", fmt.Sprint(ShopPushSat))
	if err != nil {
		return fmt.Errorf("open hub → shop: %w", err)
	}
	// BOLT 7: announcement_signatures are exchanged at 6 confirmations.
	if _, err := d.Btcd.Mine(6); err != nil {
		return fmt.Errorf("open hub → shop: %w", err)
	}
	if err := d.waitShopRoute(ctx); err != nil {
		return err
	}
	d.log.Info("shop running", "pubkey", d.Shop.Pubkey, "host", d.Shop.P2PAddr, "channel", open.FundingTxid)
	return nil
}

// waitShopRoute waits until the hub knows both policies of its channel to
// the shop and the shop's node announcement.
func (d *Devnet) waitShopRoute(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		var g struct {
			Nodes []struct {
				PubKey string `json:"pub_key"`
			} `json:"nodes"`
			Edges []struct {
				Node1 *struct{} `json:"node1_policy"`
				Node2 *struct{} `json:"node2_policy"`
			} `json:"edges"`
		}
		err := d.Hub.CLI(ctx, &g, "describegraph")
		if err == nil && len(g.Edges) > 0 && g.Edges[0].Node1 != nil && g.Edges[0].Node2 != nil &&
			strings.Contains(fmt.Sprint(g.Nodes), d.Shop.Pubkey) {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("hub → shop channel never announced (last error %v): %w", err, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
