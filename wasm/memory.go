//go:build js && wasm

package main

import (
	"encoding/json"
	"runtime"
)

// memStats is memStats' result: what the engine holds in its worker. The
// linear memory is what the browser commits for Go and never shrinks;
// the Go figures say how much of it is in use. The worker's JS heap (the
// IndexedDB file copies, the glue) is not here: browsers do not tell a
// worker its own heap, so it is measured from outside (the benchmark asks
// Chromium over CDP).
type memStats struct {
	WasmMemoryBytes   int64  `json:"wasmMemoryBytes"`
	GoHeapInuseBytes  uint64 `json:"goHeapInuseBytes"`
	GoStackInuseBytes uint64 `json:"goStackInuseBytes"`
	GoSysBytes        uint64 `json:"goSysBytes"`
}

func (e *engine) memStats(json.RawMessage) (any, error) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out := memStats{GoHeapInuseBytes: ms.HeapInuse, GoStackInuseBytes: ms.StackInuse, GoSysBytes: ms.Sys}
	if m := e.host.Get("memory"); m.Truthy() {
		out.WasmMemoryBytes = int64(e.host.Call("memory").Float())
	}
	return out, nil
}
