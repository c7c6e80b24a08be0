package keys

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcutil/hdkeychain"
	"github.com/btcsuite/btcd/chaincfg"
)

// loadVectors decodes testdata/name into v, refusing fields the test does
// not know so a renamed key cannot silently go unchecked.
func loadVectors(t *testing.T, name string, v any) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	dec := json.NewDecoder(f)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

// netByName maps a vector file's network to its parameters.
func netByName(t *testing.T, name string) *chaincfg.Params {
	t.Helper()
	switch name {
	case "mainnet":
		return &chaincfg.MainNetParams
	case "testnet":
		return &chaincfg.TestNet3Params
	}
	t.Fatalf("unknown network %q", name)
	return nil
}

// parsePath reads "m/0H/1/2'" (H or ' marks a hardened step).
func parsePath(s string) ([]uint32, error) {
	parts := strings.Split(s, "/")
	if parts[0] != "m" {
		return nil, fmt.Errorf("path %q does not start at m", s)
	}
	var path []uint32
	for _, p := range parts[1:] {
		hard := strings.HasSuffix(p, "H") || strings.HasSuffix(p, "'")
		n, err := strconv.ParseUint(strings.TrimRight(p, "H'"), 10, 31)
		if err != nil {
			return nil, fmt.Errorf("path %q: %w", s, err)
		}
		if hard {
			n += hdkeychain.HardenedKeyStart
		}
		path = append(path, uint32(n))
	}
	return path, nil
}

// formatPath writes a path the way the BIPs after 32 do, with '.
func formatPath(path []uint32) string {
	var b strings.Builder
	b.WriteString("m")
	for _, step := range path {
		if step >= hdkeychain.HardenedKeyStart {
			fmt.Fprintf(&b, "/%d'", step-hdkeychain.HardenedKeyStart)
		} else {
			fmt.Fprintf(&b, "/%d", step)
		}
	}
	return b.String()
}
