//go:build !js

package bridge

import (
	"bufio"
	"bytes"
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
)

func TestMaxFrameSize(t *testing.T) {
	target := listen(t, "127.0.0.1:0", echo)
	p := openPolicy(target.port)
	p.MaxFrameSize = 1024
	b := startBridge(t, p)
	ws, _, err := rawDial(t, b.rawURL(target.addr()), nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, _, err := ws.Read(ctx); err != nil {
		t.Fatal(err)
	}
	// A message exactly at the limit is relayed.
	atLimit := bytes.Repeat([]byte{'a'}, 1024)
	if err := ws.Write(ctx, websocket.MessageBinary, atLimit); err != nil {
		t.Fatal(err)
	}
	var got []byte
	for len(got) < len(atLimit) {
		_, msg, err := ws.Read(ctx)
		if err != nil {
			t.Fatalf("message at the limit not echoed: %v", err)
		}
		got = append(got, msg...)
	}
	if !bytes.Equal(got, atLimit) {
		t.Fatal("echo of the at-limit message differs")
	}
	// One byte more closes the stream with 1009.
	if err := ws.Write(ctx, websocket.MessageBinary, make([]byte, 1025)); err != nil {
		t.Fatal(err)
	}
	if ce := closeErr(t, ws); ce.Code != websocket.StatusMessageTooBig {
		t.Fatalf("close = %d %q, want 1009", ce.Code, ce.Reason)
	}
	eventually(t, 5*time.Second, "message_too_big counted", func() bool {
		return metric(t, b.h, `lnwasm_bridge_stream_closes_total{cause="message_too_big"}`) == 1
	})
}

func TestShutdownClosesStreamsWithGoingAway(t *testing.T) {
	target := listen(t, "127.0.0.1:0", sink)
	b := startBridge(t, openPolicy(target.port))
	var clients []*websocket.Conn
	for range 3 {
		ws, _, err := rawDial(t, b.rawURL(target.addr()), nil)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, _, err = ws.Read(ctx)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		clients = append(clients, ws)
	}
	codes := make(chan websocket.CloseError, len(clients))
	for _, ws := range clients {
		go func() { codes <- closeErr(t, ws) }()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := b.h.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	for range clients {
		if ce := <-codes; ce.Code != websocket.StatusGoingAway || ce.Reason != "server shutting down" {
			t.Errorf("close = %d %q, want 1001 \"server shutting down\"", ce.Code, ce.Reason)
		}
	}
	if n := metric(t, b.h, "lnwasm_bridge_streams_open"); n != 0 {
		t.Errorf("streams_open = %d after Shutdown returned", n)
	}
	if n := metric(t, b.h, `lnwasm_bridge_stream_closes_total{cause="shutdown"}`); n != 3 {
		t.Errorf("shutdown closes = %d, want 3", n)
	}
	_, resp, err := rawDial(t, b.rawURL(target.addr()), nil)
	if err == nil || resp == nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("request after Shutdown: %v %v, want 503", resp, err)
	}
}

var metricLine = regexp.MustCompile(`^(lnwasm_bridge_[a-z_]+)(\{[a-z_]+="[a-z_]+"\})? [0-9]+$`)

func TestWriteMetricsFormat(t *testing.T) {
	h := NewHandler(DefaultPolicy(8333), nil)
	h.metrics.refusals[reasonOrigin].Add(2)
	var buf bytes.Buffer
	if err := h.WriteMetrics(&buf); err != nil {
		t.Fatal(err)
	}
	help, typ := map[string]bool{}, map[string]bool{}
	text := buf.String()
	sc := bufio.NewScanner(strings.NewReader(text))
	samples := 0
	for sc.Scan() {
		line := sc.Text()
		if f := strings.Fields(line); len(f) >= 4 && f[0] == "#" {
			switch f[1] {
			case "HELP":
				help[f[2]] = true
			case "TYPE":
				if f[3] != "counter" && f[3] != "gauge" {
					t.Errorf("bad type in %q", line)
				}
				typ[f[2]] = true
			}
			continue
		}
		m := metricLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("not a Prometheus sample line: %q", line)
			continue
		}
		if !help[m[1]] || !typ[m[1]] {
			t.Errorf("%s has no preceding HELP/TYPE", m[1])
		}
		samples++
	}
	if want := 4 + int(numRefuseReasons) + int(numCloseCauses) + 2; samples != want {
		t.Errorf("%d samples, want %d", samples, want)
	}
	if !strings.Contains(text, `lnwasm_bridge_refusals_total{reason="origin"} 2`) {
		t.Errorf("origin refusals not reported:\n%s", text)
	}
}

func TestDefaultPolicy(t *testing.T) {
	p := DefaultPolicy(18444)
	if len(p.AllowPorts) != 2 || p.AllowPorts[0] != 9735 || p.AllowPorts[1] != 18444 {
		t.Errorf("AllowPorts = %v, want [9735 18444]", p.AllowPorts)
	}
	if p.AllowPrivate || p.MaxStreamsPerIP != 16 || p.IdleTimeout != 5*time.Minute || p.ConnectTimeout != 10*time.Second {
		t.Errorf("unexpected defaults: %+v", p)
	}
	if got := DefaultPolicy(9735).AllowPorts; len(got) != 1 {
		t.Errorf("DefaultPolicy(9735).AllowPorts = %v, want just 9735", got)
	}
	if got := (Policy{}).withDefaults(discardLogger()); got.MaxFrameSize != DefaultMaxFrameSize || got.BufferSize != DefaultBufferSize {
		t.Errorf("zero Policy not defaulted: %+v", got)
	}
}
