//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"syscall/js"
)

// version is stamped by the Makefile (-ldflags -X main.version=...).
var version = "dev"

// main exposes the engine to the worker script as globalThis.lnwasmEngine
// and then parks: the engine lives as long as the worker.
func main() {
	host := js.Global().Get("lnwasmHost")
	if host.IsUndefined() {
		panic("lnwasm: globalThis.lnwasmHost is missing; load the engine through worker.js")
	}
	log := slog.New(slog.NewTextHandler(consoleWriter{}, &slog.HandlerOptions{Level: slog.LevelInfo}))
	e := newEngine(host, log)
	call := js.FuncOf(func(_ js.Value, args []js.Value) any {
		if len(args) < 2 {
			return newPromise(func() (any, error) {
				return nil, apiErr(codeInvalidArgument, fmt.Errorf("call needs a method and JSON params"))
			})
		}
		method, params := args[0].String(), args[1].String()
		return newPromise(func() (any, error) { return e.call(method, params) })
	})
	api := js.Global().Get("Object").New()
	api.Set("call", call)
	js.Global().Set("lnwasmEngine", api)
	host.Call("ready", version)
	select {}
}

// call runs one API method and returns its result as a JSON string, so the
// worker can pass it to the page with postMessage unchanged.
func (e *engine) call(method, params string) (any, error) {
	h, ok := e.methods()[method]
	if !ok {
		return nil, apiErr(codeUnknownMethod, fmt.Errorf("unknown method %q", method))
	}
	res, err := h(json.RawMessage(params))
	if err != nil {
		return nil, err
	}
	out, err := json.Marshal(res)
	if err != nil {
		return nil, fmt.Errorf("%s: encode result: %w", method, err)
	}
	return string(out), nil
}

// consoleWriter sends log lines to the worker's console.
type consoleWriter struct{}

func (consoleWriter) Write(p []byte) (int, error) {
	js.Global().Get("console").Call("log", strings.TrimRight(string(p), "\n"))
	return len(p), nil
}
