package devnet

import (
	"context"
	_ "embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// LndVersion is the lnd release the playground runs: the one the Go module
// proxy serves (see ENVIRONMENT.md).
const LndVersion = "v0.18.3-beta.rc3"

// lndBuildTags are the RPC sub-servers the tests drive through lncli.
const lndBuildTags = "signrpc walletrpc chainrpc invoicesrpc routerrpc peersrpc"

// lndGoMod and lndGoSum describe a throwaway module that requires lnd and
// repeats its replace directives (a dependency's replaces are ignored, so
// `go install lnd@version` is refused). They are kept outside any go.mod so
// lnd's dependencies never enter lnwasm's.
//
//go:embed lnd_go.mod
var lndGoMod []byte

//go:embed lnd_go.sum
var lndGoSum []byte

// EnsureLnd returns the directory holding lnd and lncli, building them
// into the cache the first time (about 100 s on two cores). $LNWASM_LND_DIR
// overrides it.
func EnsureLnd(ctx context.Context) (string, error) {
	if d := os.Getenv("LNWASM_LND_DIR"); d != "" {
		return d, nil
	}
	cache, err := CacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(cache, "lnd-"+LndVersion)
	if _, err := os.Stat(filepath.Join(dir, "lncli")); err == nil {
		return dir, nil
	}
	if err := buildLnd(ctx, cache, dir); err != nil {
		return "", fmt.Errorf("build lnd %s: %w", LndVersion, err)
	}
	return dir, nil
}

func buildLnd(ctx context.Context, cache, dir string) error {
	return buildLndVariant(ctx, cache, dir, nil)
}

// buildLndVariant builds lnd and lncli, with patch (if set) applied to a
// copy of lnd's source that the build module replaces lnd with.
func buildLndVariant(ctx context.Context, cache, dir string, patch lndPatch) error {
	if err := os.MkdirAll(cache, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(cache, "lnd-build-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	mod := filepath.Join(tmp, "mod")
	out := filepath.Join(tmp, "bin")
	if err := os.MkdirAll(mod, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{"go.mod": lndGoMod, "go.sum": lndGoSum,
		"doc.go": []byte("// Package build anchors the lnd build module.\npackage build\n")}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(mod, name), data, 0o644); err != nil {
			return err
		}
	}
	if patch != nil {
		if err := patchedLndSource(ctx, mod, patch); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-tags="+lndBuildTags, "-o", out+"/",
		"github.com/lightningnetwork/lnd/cmd/lnd", "github.com/lightningnetwork/lnd/cmd/lncli")
	cmd.Dir = mod
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	if b, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%w\n%s", err, b)
	}
	// The rename makes a half-built cache entry impossible.
	if err := os.Rename(out, dir); err != nil {
		return err
	}
	return nil
}
