package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strconv"

	"lnwasm/bridge"
	"lnwasm/server/assets"
	"lnwasm/server/devnet"
	"lnwasm/web"
)

// routes is every path the server answers; DESIGN.md lists them.
func routes(o *options, br *bridge.Handler, dn *devnet.Devnet) http.Handler {
	mux := http.NewServeMux()
	page, _ := fs.Sub(web.Files, ".")
	mux.Handle("GET /", noCache(http.FileServerFS(page)))
	mux.Handle("GET /lnwasm.wasm", assets.Handler(o.assets, "lnwasm.wasm", "application/wasm"))
	mux.Handle("GET /wasm_exec.js", assets.Handler(o.assets, "wasm_exec.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET /config.json", func(w http.ResponseWriter, r *http.Request) {
		cfg := map[string]any{"network": o.network, "chainPeers": splitList(o.peers), "devnet": dn != nil}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(cfg)
	})
	mux.Handle("GET /bridge", br)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintln(w, "ok")
	})
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		_ = br.WriteMetrics(w)
	})
	if dn != nil {
		dn.Register(mux)
		mux.HandleFunc("POST /devnet/bridge/drop", dropStreams(br))
	}
	return mux
}

// noCache makes the browser revalidate the page's files, so a rebuilt page
// is never mixed with an old worker.
func noCache(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.ServeHTTP(w, r)
	})
}

func parsePort(s string) (uint16, error) {
	p, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, fmt.Errorf("port %q: %w", s, err)
	}
	return uint16(p), nil
}

// dropStreams is the playground's "pull the cable" button: it closes every
// bridge stream (or those to {"target": "host:port"}) so a person, or a
// test, can watch nodes reconnect.
func dropStreams(br *bridge.Handler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Target string `json:"target"`
		}
		_ = json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&req)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"dropped": br.Drop(req.Target)})
	}
}
