//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"rsc.io/qr"
)

// maxQRText bounds what qrSvg encodes: a BOLT 11 invoice with route hints
// fits easily; anything longer is not something to scan.
const maxQRText = 2048

// qrSvg renders text as a QR code in SVG, so the page can show an address
// (or, later, an invoice) for a phone to scan: {text} → {svg}.
func (e *engine) qrSvg(raw json.RawMessage) (any, error) {
	var p struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(raw, &p); err != nil || p.Text == "" || len(p.Text) > maxQRText {
		return nil, apiErr(codeInvalidArgument, errors.New("qrSvg: want {text} of 1 to 2048 characters"))
	}
	// Bech32 is case-insensitive and QR's alphanumeric mode (upper case)
	// is a third smaller, as BIP173 suggests.
	text := p.Text
	if strings.HasPrefix(strings.ToLower(text), "bc1") || strings.HasPrefix(strings.ToLower(text), "tb1") ||
		strings.HasPrefix(strings.ToLower(text), "bcrt1") || strings.HasPrefix(strings.ToLower(text), "ln") {
		text = strings.ToUpper(text)
	}
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, apiErr(codeInvalidArgument, fmt.Errorf("qrSvg: %w", err))
	}
	return map[string]string{"svg": svgOf(code)}, nil
}

// svgOf draws the code's dark modules as one path, with a 4-module quiet
// zone as the QR standard asks.
func svgOf(c *qr.Code) string {
	const quiet = 4
	n := c.Size + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges">`, n, n)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if c.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return b.String()
}
