package itest

import (
	"os/exec"
	"strings"
	"testing"
)

// forbiddenInWasm are packages that must never reach the browser build:
// server-only code, native-only storage, debugging servers, and the heavy
// dependencies of lnd that would multiply the .wasm size.
var forbiddenInWasm = []string{
	"go.etcd.io/bbolt",
	"go.etcd.io/etcd",
	"github.com/btcsuite/btcwallet/walletdb/bdb",
	"net/http/pprof",
	"runtime/pprof",
	"google.golang.org/grpc",
	"github.com/lightningnetwork/lnd/kvdb",
	"github.com/chromedp",
	"lnwasm/server",
	"lnwasm/itest",
	"os/exec",
}

// TestWasmDependencies fails when a forbidden package enters the GOOS=js
// import graph of the engine.
func TestWasmDependencies(t *testing.T) {
	cmd := exec.Command("go", "list", "-deps", "lnwasm/wasm")
	cmd.Env = append(cmd.Environ(), "GOOS=js", "GOARCH=wasm")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	have := map[string]bool{}
	for _, d := range deps {
		have[d] = true
		for _, bad := range forbiddenInWasm {
			if d == bad || strings.HasPrefix(d, bad+"/") {
				t.Errorf("forbidden package %s is in the wasm import graph", d)
			}
		}
	}
	// The graph must be the real one: the engine's own packages are in it.
	for _, want := range []string{"lnwasm/chain", "lnwasm/chain/kvdb", "lnwasm/bridge", "syscall/js"} {
		if !have[want] {
			t.Errorf("%s missing from the wasm import graph: is the test listing the right package?", want)
		}
	}
}
