package devnet

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Snapshot stops lnd, copies its whole directory (wallet, channel
// database, keys) to dst and starts it again. Restoring that copy later
// makes lnd forget every channel update since: it then holds revoked
// commitments as its latest, which is how lnd's own tests make a node
// cheat.
func (l *Lnd) Snapshot(ctx context.Context, dst string) error {
	l.Stop()
	if err := copyDir(l.Dir, dst); err != nil {
		return fmt.Errorf("snapshot lnd %s: %w", l.Alias, err)
	}
	return l.start(ctx)
}

// Restore stops lnd, puts the snapshot src in place of its directory and
// starts it on a new Lightning port. The new port keeps peers that
// remember the old address from reconnecting: at the reestablish they
// would prove lnd's state stale, and lnd would refuse to close.
func (l *Lnd) Restore(ctx context.Context, src string) error {
	l.Stop()
	if err := os.RemoveAll(l.Dir); err != nil {
		return fmt.Errorf("restore lnd %s: %w", l.Alias, err)
	}
	if err := copyDir(src, l.Dir); err != nil {
		return fmt.Errorf("restore lnd %s: %w", l.Alias, err)
	}
	p, err := portOr(0)
	if err != nil {
		return fmt.Errorf("restore lnd %s: %w", l.Alias, err)
	}
	l.P2PAddr = net.JoinHostPort("127.0.0.1", strconv.Itoa(p))
	for i, a := range l.args {
		switch {
		case strings.HasPrefix(a, "--listen="):
			l.args[i] = "--listen=" + l.P2PAddr
		case strings.HasPrefix(a, "--externalip="):
			l.args[i] = "--externalip=" + l.P2PAddr
		}
	}
	return l.start(ctx)
}

// copyDir copies a directory tree of regular files, skipping logs.
func copyDir(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		target := filepath.Join(dst, rel)
		switch {
		case d.IsDir() && d.Name() == "logs":
			return filepath.SkipDir
		case d.IsDir():
			return os.MkdirAll(target, 0o700)
		case !d.Type().IsRegular():
			return nil
		}
		return copyFile(path, target)
	})
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
