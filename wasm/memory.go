//go:build js && wasm

package main

import (
	"encoding/json"
	"runtime"
)

// memStats is memStats' result: what the engine holds in its worker. The
// linear memory is what the browser commits for Go and never shrinks;
// the Go figures say how much of it is in use; the worker's JS heap holds
// the IndexedDB file copies and the glue.
type memStats struct {
	WasmMemoryBytes   int64  `json:"wasmMemoryBytes"`
	GoHeapInuseBytes  uint64 `json:"goHeapInuseBytes"`
	GoStackInuseBytes uint64 `json:"goStackInuseBytes"`
	GoSysBytes        uint64 `json:"goSysBytes"`
	// JSHeapUsedBytes is 0 where the browser does not tell a worker.
	JSHeapUsedBytes int64 `json:"jsHeapUsedBytes"`
}

func (e *engine) memStats(json.RawMessage) (any, error) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	out := memStats{GoHeapInuseBytes: ms.HeapInuse, GoStackInuseBytes: ms.StackInuse, GoSysBytes: ms.Sys}
	if m := e.host.Get("memory"); m.Truthy() {
		v := e.host.Call("memory")
		out.WasmMemoryBytes = int64(v.Get("wasm").Float())
		out.JSHeapUsedBytes = int64(v.Get("js").Float())
	}
	return out, nil
}
