package web

import "embed"

// Files is the page: HTML, CSS and the JS of the page and its worker. The
// engine (lnwasm.wasm) and Go's wasm_exec.js are build outputs that the
// server reads from its assets directory.
//
//go:embed index.html style.css *.js
var Files embed.FS
