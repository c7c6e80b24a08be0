package assets

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestAccepts(t *testing.T) {
	for _, tc := range []struct {
		header, enc string
		want        bool
	}{
		{"gzip, deflate, br", "br", true},
		{"gzip, deflate", "br", false},
		{"br;q=0, gzip", "br", false},
		{"BR;q=0.5", "br", true},
		{"", "gzip", false},
		{"gzip;q=0.000", "gzip", false},
	} {
		if got := accepts(tc.header, tc.enc); got != tc.want {
			t.Errorf("accepts(%q, %q) = %v", tc.header, tc.enc, got)
		}
	}
}

func TestPrecompressAndServe(t *testing.T) {
	dir := t.TempDir()
	raw := bytes.Repeat([]byte("\x00asm lnwasm test payload "), 4096)
	path := filepath.Join(dir, "lnwasm.wasm")
	if err := os.WriteFile(path, raw, 0o644); err != nil {
		t.Fatal(err)
	}
	sizes, err := Precompress(path)
	if err != nil {
		t.Fatal(err)
	}
	if sizes.Raw != len(raw) || sizes.Brotli >= sizes.Raw || sizes.Gzip >= sizes.Raw {
		t.Fatalf("sizes %+v", sizes)
	}
	h := Handler(dir, "lnwasm.wasm", "application/wasm")
	decode := map[string]func(io.Reader) (io.Reader, error){
		"br":   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		"gzip": func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		"":     func(r io.Reader) (io.Reader, error) { return r, nil },
	}
	for accept, want := range map[string]string{"br, gzip": "br", "gzip": "gzip", "identity": ""} {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest("GET", "/lnwasm.wasm", nil)
		req.Header.Set("Accept-Encoding", accept)
		h.ServeHTTP(rec, req)
		if got := rec.Header().Get("Content-Encoding"); got != want {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", accept, got, want)
		}
		r, err := decode[want](rec.Body)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(body, raw) {
			t.Errorf("Accept-Encoding %q: body does not decode to the original (%v)", accept, err)
		}
	}
	// A rebuilt .wasm newer than its .br must not be shadowed by it.
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/lnwasm.wasm", nil)
	req.Header.Set("Accept-Encoding", "br")
	h.ServeHTTP(rec, req)
	if rec.Header().Get("Content-Encoding") != "" {
		t.Errorf("a stale .br was served for a newer .wasm")
	}
}

func TestServeMissingBuild(t *testing.T) {
	rec := httptest.NewRecorder()
	Handler(t.TempDir(), "lnwasm.wasm", "application/wasm").ServeHTTP(rec, httptest.NewRequest("GET", "/lnwasm.wasm", nil))
	if rec.Code != http.StatusNotFound || !bytes.Contains(rec.Body.Bytes(), []byte("make wasm")) {
		t.Errorf("missing build: %d %q", rec.Code, rec.Body)
	}
}
