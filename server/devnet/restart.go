package devnet

import (
	"context"
	"fmt"
)

// Restart stops lnd and starts it again on the same data and ports: its
// channels are reestablished with peers that reconnect. The
// fault-injection tests use it. (btcd has no such method: in regtest mode
// it deletes its block database at every start.)
func (l *Lnd) Restart(ctx context.Context) error {
	l.Stop()
	if err := l.start(ctx); err != nil {
		return fmt.Errorf("restart lnd %s: %w", l.Alias, err)
	}
	return nil
}
