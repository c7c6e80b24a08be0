//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall/js"
	"testing"

	"github.com/btcsuite/btcwallet/walletdb"

	"lnwasm/chain/kvdb"
)

func TestStartParamsValidate(t *testing.T) {
	good := startParams{Network: "regtest", Bridge: "ws://127.0.0.1:8080/bridge", ChainPeers: []string{"127.0.0.1:18444"}}
	if _, err := good.validate(); err != nil {
		t.Fatalf("valid params refused: %v", err)
	}
	for name, tc := range map[string]struct {
		mut  func(p *startParams)
		want string
	}{
		"network": {func(p *startParams) { p.Network = "litecoin" }, "network"},
		"bridge":  {func(p *startParams) { p.Bridge = "" }, "bridge"},
		"peers":   {func(p *startParams) { p.ChainPeers = nil }, "chain peer"},
		"peer":    {func(p *startParams) { p.ChainPeers = []string{"no-port"} }, "no-port"},
	} {
		p := good
		tc.mut(&p)
		_, err := p.validate()
		if err == nil || errorCode(err) != codeInvalidArgument || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err %v (code %s), want INVALID_ARGUMENT mentioning %q", name, err, errorCode(err), tc.want)
		}
	}
}

func TestErrorCode(t *testing.T) {
	wrapped := fmt.Errorf("outer: %w", apiErr(codeNotStarted, errors.New("inner")))
	if got := errorCode(wrapped); got != codeNotStarted {
		t.Errorf("wrapped api error: code %s", got)
	}
	if got := errorCode(errors.New("plain")); got != codeInternal {
		t.Errorf("plain error: code %s", got)
	}
	refused := fmt.Errorf("store payment: %w", fmt.Errorf("%w: commit: %w", kvdb.ErrJournal, errors.New("QuotaExceededError")))
	if got := errorCode(refused); got != codeStorage {
		t.Errorf("a write IndexedDB refused: code %s, want %s", got, codeStorage)
	}
	e := errorToJS(apiErr(codeStorage, errors.New("disk full")))
	if e.Get("code").String() != codeStorage || e.Get("message").String() != "disk full" {
		t.Errorf("JS error: code %s message %s", e.Get("code"), e.Get("message"))
	}
}

// fakeHost is a JS object with kvLoad/kvCommit over a Map, shaped like the
// worker's (web/idbfs.js kvHost), so the Go↔JS marshalling is tested.
func fakeHost(t *testing.T, failCommit bool) js.Value {
	t.Helper()
	loadUnpack(t)
	js.Global().Set("__lnwasmFail", failCommit)
	fn := js.Global().Get("Function").New(`
const m = new Map();
const hex = (u) => Array.from(u, (b) => b.toString(16).padStart(2, "0")).join("");
return {
  async kvLoad() { return [...m.values()].map(([k, v]) => [k.slice(), v.slice()]); },
  async kvCommit(packed) {
    if (globalThis.__lnwasmFail) throw new Error("quota exceeded");
    const { puts, dels } = globalThis.__unpack(packed);
    for (const k of dels) m.delete(hex(new Uint8Array(k)));
    for (const [k, v] of puts) m.set(hex(new Uint8Array(k)), [new Uint8Array(k), new Uint8Array(v)]);
  },
};`)
	return fn.Invoke()
}

// loadUnpack imports the worker's own unpackRecords from web/idbfs.js, so
// the test checks Go's packing against the decoder the browser runs.
func loadUnpack(t *testing.T) {
	t.Helper()
	src, err := os.ReadFile("../web/idbfs.js")
	if err != nil {
		t.Fatal(err)
	}
	url := "data:text/javascript," + js.Global().Call("encodeURIComponent", string(src)).String()
	mod, err := await(js.Global().Get("Function").New("u", "return import(u)").Invoke(url))
	if err != nil {
		t.Fatalf("import web/idbfs.js: %v", err)
	}
	js.Global().Set("__unpack", mod.Get("unpackRecords"))
}

func TestIDBJournalRoundTrip(t *testing.T) {
	host := fakeHost(t, false)
	db, err := kvdb.Open(&idbJournal{host: host})
	if err != nil {
		t.Fatal(err)
	}
	err = walletdb.Update(db, func(tx walletdb.ReadWriteTx) error {
		b, err := tx.CreateTopLevelBucket([]byte("headers"))
		if err != nil {
			return err
		}
		return b.Put([]byte{0, 1, 255}, []byte("tip"))
	})
	if err != nil {
		t.Fatal(err)
	}
	again, err := kvdb.Open(&idbJournal{host: host})
	if err != nil {
		t.Fatal(err)
	}
	var got []byte
	_ = walletdb.View(again, func(tx walletdb.ReadTx) error {
		if b := tx.ReadBucket([]byte("headers")); b != nil {
			got = append([]byte(nil), b.Get([]byte{0, 1, 255})...)
		}
		return nil
	})
	if string(got) != "tip" {
		t.Fatalf("reopened journal: got %q, want \"tip\"", got)
	}
}

func TestIDBJournalCommitFailureStops(t *testing.T) {
	db, err := kvdb.Open(&idbJournal{host: fakeHost(t, true)})
	if err != nil {
		t.Fatal(err)
	}
	err = walletdb.Update(db, func(tx walletdb.ReadWriteTx) error {
		_, err := tx.CreateTopLevelBucket([]byte("x"))
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "quota exceeded") {
		t.Fatalf("commit over a failing IndexedDB: err %v, want the storage error", err)
	}
	_ = walletdb.View(db, func(tx walletdb.ReadTx) error {
		if tx.ReadBucket([]byte("x")) != nil {
			t.Error("a failed commit left its bucket visible")
		}
		return nil
	})
}

func TestQRSvg(t *testing.T) {
	e := &engine{}
	out, err := e.qrSvg([]byte(`{"text": "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"}`))
	if err != nil {
		t.Fatal(err)
	}
	svg := out.(map[string]string)["svg"]
	// Finder patterns: the corner modules of the top-left, top-right and
	// bottom-left squares are dark, offset by the 4-module quiet zone.
	for _, corner := range []string{"M4 4h1v1h-1z", "M10 10h1v1h-1z"} {
		if !strings.Contains(svg, corner) {
			t.Errorf("QR SVG lacks finder module %s", corner)
		}
	}
	if !strings.HasPrefix(svg, "<svg") || !strings.HasSuffix(svg, "</svg>") {
		t.Errorf("not an SVG: %.60s", svg)
	}
	for _, bad := range []string{`{"text": ""}`, `{}`, `{"text": "` + strings.Repeat("a", 3000) + `"}`} {
		if _, err := e.qrSvg([]byte(bad)); errorCode(err) != codeInvalidArgument {
			t.Errorf("qrSvg(%.30s): %v, want INVALID_ARGUMENT", bad, err)
		}
	}
}
