//go:build !js

package bridge

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// WebSocket opcodes (RFC 6455 section 5.2).
const (
	wsOpContinuation = 0x0
	wsOpText         = 0x1
	wsOpBinary       = 0x2
	wsOpClose        = 0x8
)

// rawWS is a WebSocket client written by hand over a TCP conn, because
// coder/websocket's client cannot be made to send what the fragment tests
// need: continuation frames of one byte or none, by the hundred thousand.
type rawWS struct {
	c    net.Conn
	br   *bufio.Reader
	bw   *bufio.Writer
	mask [4]byte
	hdr  [14]byte
}

// dialRawWS upgrades a TCP conn to the bridge at bridgeURL for target and
// reads the connected frame.
func dialRawWS(t testing.TB, bridgeURL, target string) *rawWS {
	t.Helper()
	ws := upgradeRawWS(t, bridgeURL, target)
	_ = ws.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, op, msg, err := ws.readFrame()
	if err != nil || op != wsOpText || string(msg) != ConnectedMessage {
		t.Fatalf("raw websocket: first frame %d %q %v, want text %q", op, msg, err, ConnectedMessage)
	}
	_ = ws.c.SetReadDeadline(time.Time{})
	return ws
}

// upgradeRawWS upgrades a TCP conn to the bridge at bridgeURL for target.
func upgradeRawWS(t testing.TB, bridgeURL, target string) *rawWS {
	t.Helper()
	u, err := url.Parse(bridgeURL)
	if err != nil {
		t.Fatal(err)
	}
	c, err := net.DialTimeout("tcp", u.Host, 10*time.Second)
	if err != nil {
		t.Fatalf("raw websocket: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	ws := &rawWS{c: c, br: bufio.NewReader(c), bw: bufio.NewWriterSize(c, 64<<10)}
	_, _ = rand.Read(ws.mask[:])
	if err := ws.handshake(u.Host, u.Path+"?target="+url.QueryEscape(target)); err != nil {
		t.Fatalf("raw websocket: %v", err)
	}
	return ws
}

// handshake sends the upgrade request and checks for 101.
func (ws *rawWS) handshake(host, path string) error {
	key := make([]byte, 16)
	_, _ = rand.Read(key)
	fmt.Fprintf(ws.bw, "GET %s HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"+
		"Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n", path, host, base64.StdEncoding.EncodeToString(key))
	if err := ws.bw.Flush(); err != nil {
		return fmt.Errorf("send upgrade: %w", err)
	}
	_ = ws.c.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(ws.br, nil)
	if err != nil {
		return fmt.Errorf("read upgrade response: %w", err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusSwitchingProtocols {
		return fmt.Errorf("upgrade: HTTP %d", resp.StatusCode)
	}
	return nil
}

// writeFrame buffers one masked client frame; flush sends the buffer.
func (ws *rawWS) writeFrame(fin bool, op byte, payload []byte) error {
	h := ws.hdr[:2]
	h[0] = op
	if fin {
		h[0] |= 0x80
	}
	switch n := len(payload); {
	case n < 126:
		h[1] = 0x80 | byte(n)
	case n <= 0xffff:
		h[1] = 0x80 | 126
		h = binary.BigEndian.AppendUint16(h, uint16(n))
	default:
		h[1] = 0x80 | 127
		h = binary.BigEndian.AppendUint64(h, uint64(n))
	}
	h = append(h, ws.mask[:]...)
	if _, err := ws.bw.Write(h); err != nil {
		return err
	}
	for i, b := range payload {
		if err := ws.bw.WriteByte(b ^ ws.mask[i%4]); err != nil {
			return err
		}
	}
	return nil
}

func (ws *rawWS) flush() error { return ws.bw.Flush() }

// startFrame sends the header of a frame whose payload is claimed bytes
// long and p as the start of that payload, without finishing it.
func (ws *rawWS) startFrame(op byte, claimed uint64, p []byte) error {
	hdr := []byte{0x80 | op, 0x80 | 127}
	hdr = binary.BigEndian.AppendUint64(hdr, claimed)
	if _, err := ws.bw.Write(append(hdr, ws.mask[:]...)); err != nil {
		return err
	}
	for i, b := range p {
		if err := ws.bw.WriteByte(b ^ ws.mask[i%4]); err != nil {
			return err
		}
	}
	return ws.flush()
}

// readFrame reads one server frame (servers do not mask).
func (ws *rawWS) readFrame() (fin bool, op byte, payload []byte, err error) {
	var h [2]byte
	if _, err := io.ReadFull(ws.br, h[:]); err != nil {
		return false, 0, nil, err
	}
	n := uint64(h[1] & 0x7f)
	switch n {
	case 126:
		var ext [2]byte
		_, err = io.ReadFull(ws.br, ext[:])
		n = uint64(binary.BigEndian.Uint16(ext[:]))
	case 127:
		var ext [8]byte
		_, err = io.ReadFull(ws.br, ext[:])
		n = binary.BigEndian.Uint64(ext[:])
	}
	if err != nil {
		return false, 0, nil, err
	}
	if n > 1<<20 {
		return false, 0, nil, fmt.Errorf("server frame of %d bytes", n)
	}
	payload = make([]byte, n)
	if _, err := io.ReadFull(ws.br, payload); err != nil {
		return false, 0, nil, err
	}
	return h[0]&0x80 != 0, h[0] & 0x0f, payload, nil
}

// readClose skips data frames until the server's close frame and returns
// its code and reason.
func (ws *rawWS) readClose(timeout time.Duration) (code int, reason string, err error) {
	_ = ws.c.SetReadDeadline(time.Now().Add(timeout))
	for {
		_, op, p, err := ws.readFrame()
		if err != nil {
			return 0, "", fmt.Errorf("no close frame: %w", err)
		}
		if op != wsOpClose {
			continue
		}
		if len(p) < 2 {
			return 0, "", errors.New("close frame without a code")
		}
		return int(binary.BigEndian.Uint16(p)), string(p[2:]), nil
	}
}
