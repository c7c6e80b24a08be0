package assets

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"os"

	"github.com/andybalholm/brotli"
)

// Sizes reports a file's raw, gzip and brotli sizes in bytes.
type Sizes struct {
	Raw, Gzip, Brotli int
}

// Precompress writes path.br and path.gz next to path at the highest
// compression levels (build time pays so every page load saves).
func Precompress(path string) (Sizes, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return Sizes{}, fmt.Errorf("precompress: %w", err)
	}
	gz, err := encode(raw, func(w io.Writer) (io.WriteCloser, error) {
		return gzip.NewWriterLevel(w, gzip.BestCompression)
	})
	if err != nil {
		return Sizes{}, fmt.Errorf("precompress %s: gzip: %w", path, err)
	}
	br, err := encode(raw, func(w io.Writer) (io.WriteCloser, error) {
		return brotli.NewWriterLevel(w, brotli.BestCompression), nil
	})
	if err != nil {
		return Sizes{}, fmt.Errorf("precompress %s: brotli: %w", path, err)
	}
	for ext, data := range map[string][]byte{".gz": gz, ".br": br} {
		if err := os.WriteFile(path+ext, data, 0o644); err != nil {
			return Sizes{}, fmt.Errorf("precompress: %w", err)
		}
	}
	return Sizes{Raw: len(raw), Gzip: len(gz), Brotli: len(br)}, nil
}

func encode(raw []byte, mk func(io.Writer) (io.WriteCloser, error)) ([]byte, error) {
	var buf bytes.Buffer
	w, err := mk(&buf)
	if err != nil {
		return nil, err
	}
	if _, err := w.Write(raw); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
