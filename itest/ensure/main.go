// Command ensure builds and caches what the integration tests need from the
// Go module proxy (btcd and lnd), so `make test` works on a machine with only Go.
package main

import (
	"context"
	"fmt"
	"os"

	"lnwasm/server/devnet"
)

func main() {
	path, err := devnet.EnsureBtcd(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "ensure btcd:", err)
		os.Exit(1)
	}
	fmt.Println("btcd:", path)
	dir, err := devnet.EnsureLnd(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "ensure lnd:", err)
		os.Exit(1)
	}
	fmt.Println("lnd:", dir)
	ff, err := devnet.EnsureLndFastFee(context.Background())
	if err != nil {
		fmt.Fprintln(os.Stderr, "ensure lnd (fast fee updates):", err)
		os.Exit(1)
	}
	fmt.Println("lnd with fast fee updates:", ff)
}
