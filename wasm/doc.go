//go:build js && wasm

// Command wasm is the engine's main under GOOS=js: it runs inside a dedicated
// Web Worker, exposes the JS API to the worker script, persists chain state in
// IndexedDB through the worker's host functions, and dials every socket
// through the bridge. It is the only package that touches syscall/js.
package main
