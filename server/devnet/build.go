package devnet

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BtcdVersion is the btcd release the playground and the tests run: the
// newest the Go module proxy serves that builds with our Go.
const BtcdVersion = "v0.24.2"

// CacheDir is where built test binaries are kept between runs:
// $LNWASM_CACHE, else the user cache dir (~/.cache/lnwasm).
func CacheDir() (string, error) {
	if d := os.Getenv("LNWASM_CACHE"); d != "" {
		return d, nil
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("cache dir: %w", err)
	}
	return filepath.Join(base, "lnwasm"), nil
}

// EnsureBtcd returns the path of a btcd binary, building it from the Go
// module proxy into the cache the first time. $LNWASM_BTCD overrides it.
func EnsureBtcd(ctx context.Context) (string, error) {
	if p := os.Getenv("LNWASM_BTCD"); p != "" {
		return p, nil
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	bin := filepath.Join(cache, "btcd-"+BtcdVersion)
	path := filepath.Join(bin, "btcd")
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return "", fmt.Errorf("build btcd: %w", err)
	}
	cmd := exec.CommandContext(ctx, "go", "install",
		"github.com/btcsuite/btcd@"+BtcdVersion,
		"github.com/btcsuite/btcd/cmd/btcctl@"+BtcdVersion)
	// A temporary GOBIN that is renamed into place keeps a half-built cache
	// entry from ever being mistaken for a finished one.
	tmp, err := os.MkdirTemp(cache, "btcd-build-")
	if err != nil {
		return "", fmt.Errorf("build btcd: %w", err)
	}
	defer os.RemoveAll(tmp)
	cmd.Env = append(os.Environ(), "GOBIN="+tmp, "GOFLAGS=-mod=mod")
	cmd.Dir = tmp
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("build btcd %s: %w\n%s", BtcdVersion, err, out)
	}
	for _, name := range []string{"btcd", "btcctl"} {
		if err := os.Rename(filepath.Join(tmp, name), filepath.Join(bin, name)); err != nil {
			return "", fmt.Errorf("build btcd: %w", err)
		}
	}
	return path, nil
}
