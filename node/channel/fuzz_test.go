package channel

import (
	"bytes"
	"crypto/sha256"
	"testing"

	"lnwasm/node/script"
)

// FuzzDecodeState feeds stored channel records, as a corrupted IndexedDB
// or file store might hand them back, to what the node does with one at
// unlock and after: DecodeState, Restore, Resume, the read-only views and
// a reestablish. Each must return an error or work, never panic. A state
// that decodes re-encodes to bytes that decode to the same encoding.
func FuzzDecodeState(f *testing.F) {
	for _, typ := range []script.CommitmentType{script.Anchors, script.StaticRemoteKey} {
		p := newPair(f, 1, typ, 1_000_000, 0)
		f.Add(p.a.saved)
		f.Add(p.b.saved)
		pre := [32]byte{1}
		if _, err := p.handle(p.a, AddHTLC{AmountMsat: 50_000_000, PaymentHash: sha256.Sum256(pre[:]), CltvExpiry: 1000}); err != nil {
			f.Fatal(err)
		}
		f.Add(p.a.saved) // an HTLC signed for, not yet acknowledged
		p.drain()
		f.Add(p.b.saved)
		if _, err := p.handle(p.b, SettleHTLC{ID: p.b.incoming[0].HTLCID, Preimage: pre}); err != nil {
			f.Fatal(err)
		}
		p.deliverOne(true)
		f.Add(p.a.saved)
		p.drain()
		f.Add(p.a.saved)
	}
	f.Add([]byte(`{"Version":1,"Updates":[null]}`))
	keys := testKeys(f, 1)
	f.Fuzz(func(t *testing.T, b []byte) {
		st, err := DecodeState(b)
		if err != nil {
			return
		}
		enc, err := st.Encode()
		if err != nil {
			t.Fatalf("a decoded state does not encode: %v", err)
		}
		again, err := DecodeState(enc)
		if err != nil {
			t.Fatalf("an encoded state does not decode: %v", err)
		}
		if enc2, _ := again.Encode(); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable:\n%s\n%s", enc, enc2)
		}
		m := Restore(st, keys, DefaultPolicy(), nil)
		_, _ = m.Resume()
		_ = m.Info()
		_ = m.Sendable()
		_, _, _ = m.Incoming(), m.Outgoing(), m.Fulfilled()
		_, _ = m.LocalCommitment()
		_, _ = m.Handle(Reconnected{})
	})
}
