// Package assets serves the engine's build outputs (lnwasm.wasm and Go's
// wasm_exec.js) with the smallest encoding the browser accepts, and
// precompresses them with brotli and gzip at build time.
package assets
