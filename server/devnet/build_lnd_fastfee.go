package devnet

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// EnsureLndFastFee returns the directory of an lnd built with one change:
// its channel links check the fee estimate every 1 to 2 seconds instead
// of every 10 to 60 minutes. Stock lnd 0.18.3 sends update_fee only from
// that timer (htlcswitch.DefaultMin/MaxLinkFeeUpdateTimeout, constants with
// no flag), so this is the only way a test sees lnd, as opener, move a
// channel's fee within its run. Nothing else in lnd differs.
func EnsureLndFastFee(ctx context.Context) (string, error) {
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "lnd-"+LndVersion+"-fastfee")
	if _, err := os.Stat(filepath.Join(dir, "lncli")); err == nil {
		return dir, nil
	}
	if err := buildLndVariant(ctx, cache, dir, patchFeeTimer); err != nil {
		return "", fmt.Errorf("build lnd %s with fast fee updates: %w", LndVersion, err)
	}
	return dir, nil
}

// lndPatch edits a copy of lnd's source in place.
type lndPatch func(lndDir string) error

// feeTimerPatch is the edit: the link's fee update interval bounds.
var feeTimerPatch = map[string]string{
	"DefaultMinLinkFeeUpdateTimeout = 10 * time.Minute": "DefaultMinLinkFeeUpdateTimeout = 1 * time.Second",
	"DefaultMaxLinkFeeUpdateTimeout = 60 * time.Minute": "DefaultMaxLinkFeeUpdateTimeout = 2 * time.Second",
}

// patchFeeTimer shortens the link's fee update interval.
func patchFeeTimer(lndDir string) error {
	src := filepath.Join(lndDir, "htlcswitch", "link.go")
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	text := string(b)
	for from, to := range feeTimerPatch {
		if !strings.Contains(text, from) {
			return fmt.Errorf("patch %s: %q not found", src, from)
		}
		text = strings.Replace(text, from, to, 1)
	}
	return os.WriteFile(src, []byte(text), 0o644)
}

// patchedLndSource copies lnd's module source next to the build module,
// patches the copy, and points the build module at it with a replace
// directive (go build refuses overlays of module cache files).
func patchedLndSource(ctx context.Context, mod string, patch lndPatch) error {
	cmd := exec.CommandContext(ctx, "go", "mod", "download", "-json", "github.com/lightningnetwork/lnd")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("download lnd source: %w\n%s", err, errb.String())
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(out.Bytes(), &info); err != nil || info.Dir == "" {
		return fmt.Errorf("download lnd source: no directory in %q", out.String())
	}
	dst := filepath.Join(mod, "lnd-src")
	if err := copyTree(info.Dir, dst); err != nil {
		return fmt.Errorf("copy lnd source: %w", err)
	}
	if err := patch(dst); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(mod, "go.mod"), os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = f.WriteString("\nreplace github.com/lightningnetwork/lnd => ./lnd-src\n")
	return err
}

// copyTree copies regular files (not tests) from src to dst, writable.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
}
