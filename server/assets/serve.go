package assets

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// encodings in order of preference: the smallest first.
var encodings = []struct{ name, ext string }{{"br", ".br"}, {"gzip", ".gz"}}

// Handler serves one build output from dir, picking the precompressed
// variant the request's Accept-Encoding allows. Files are read per request
// so a `make wasm` while the server runs is picked up.
func Handler(dir, name, contentType string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path := filepath.Join(dir, name)
		w.Header().Set("Vary", "Accept-Encoding")
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-cache")
		for _, enc := range encodings {
			if !accepts(r.Header.Get("Accept-Encoding"), enc.name) {
				continue
			}
			if data, mod, err := readFresh(path+enc.ext, path); err == nil {
				w.Header().Set("Content-Encoding", enc.name)
				slog.Debug("serving asset", "name", name, "encoding", enc.name, "bytes", len(data))
				http.ServeContent(w, r, name, mod, bytes.NewReader(data))
				return
			}
		}
		data, err := os.ReadFile(path)
		if err != nil {
			http.Error(w, fmt.Sprintf("%s is not built: run `make wasm` (looked in %s)", name, dir), http.StatusNotFound)
			return
		}
		slog.Debug("serving asset", "name", name, "encoding", "identity", "bytes", len(data),
			"accept_encoding", r.Header.Get("Accept-Encoding"))
		st, _ := os.Stat(path)
		http.ServeContent(w, r, name, st.ModTime(), bytes.NewReader(data))
	})
}

// readFresh reads a compressed variant only if it is not older than its
// source, so a stale .br never shadows a newer build.
func readFresh(variant, source string) ([]byte, time.Time, error) {
	vs, err := os.Stat(variant)
	if err != nil {
		return nil, time.Time{}, err
	}
	if ss, err := os.Stat(source); err == nil && ss.ModTime().After(vs.ModTime()) {
		return nil, time.Time{}, fmt.Errorf("%s is older than %s", variant, source)
	}
	data, err := os.ReadFile(variant)
	return data, vs.ModTime(), err
}

// accepts reports whether an Accept-Encoding header allows enc (q=0 refuses).
func accepts(header, enc string) bool {
	for _, part := range strings.Split(header, ",") {
		fields := strings.Split(strings.TrimSpace(part), ";")
		if !strings.EqualFold(strings.TrimSpace(fields[0]), enc) {
			continue
		}
		for _, f := range fields[1:] {
			if q := strings.ReplaceAll(strings.TrimSpace(f), " ", ""); q == "q=0" || q == "q=0.0" || q == "q=0.00" || q == "q=0.000" {
				return false
			}
		}
		return true
	}
	return false
}
