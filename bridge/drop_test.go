//go:build !js

package bridge

import (
	"io"
	"testing"
	"time"
)

// TestDropClosesOnlyTheTarget: Drop ends the streams to one target, leaves
// the others alone, and the handler keeps accepting new streams.
func TestDropClosesOnlyTheTarget(t *testing.T) {
	a := listen(t, "127.0.0.1:0", echo)
	b := listen(t, "127.0.0.1:0", echo)
	br := startBridge(t, openPolicy(a.port, b.port))
	ca, err := dialT(t, br.url, a.addr())
	if err != nil {
		t.Fatal(err)
	}
	cb, err := dialT(t, br.url, b.addr())
	if err != nil {
		t.Fatal(err)
	}
	if n := br.h.Drop(a.addr()); n != 1 {
		t.Fatalf("Drop closed %d streams, want 1", n)
	}
	_ = ca.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadAll(ca); err != nil {
		t.Logf("dropped stream read ended with %v", err)
	}
	msg := []byte("still here")
	if _, err := cb.Write(msg); err != nil {
		t.Fatalf("the other stream broke: %v", err)
	}
	got := make([]byte, len(msg))
	_ = cb.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(cb, got); err != nil || string(got) != string(msg) {
		t.Fatalf("the other stream: %q %v", got, err)
	}
	if _, err := dialT(t, br.url, a.addr()); err != nil {
		t.Fatalf("a new stream after Drop: %v", err)
	}
	eventually(t, 5*time.Second, "dropped close counted", func() bool {
		return metric(t, br.h, `lnwasm_bridge_stream_closes_total{cause="dropped"}`) == 1
	})
}
