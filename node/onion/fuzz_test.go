package onion

import (
	"bytes"
	"reflect"
	"testing"
)

// Each fuzz target's seeds are added with f.Add, so `go test` runs them as
// ordinary tests; `go test -fuzz=FuzzX` explores from them.

// FuzzDecodeFailure: DecodeFailure never panics, and whatever it accepts
// re-encodes and decodes to an equal Failure. (The bytes may differ: a
// channel_update read without its type prefix is written with it, and the
// legacy short forms of incorrect_or_unknown_payment_details are written
// in full.)
func FuzzDecodeFailure(f *testing.F) {
	for _, c := range KnownCodes() {
		b, err := sampleFailure(c).Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x20, 0x02})
	f.Add([]byte{0x40, 0x0f})
	f.Add([]byte{0x40, 0x16, 0xfd, 0x00, 0x01, 0x00, 0x00})
	f.Add([]byte{0x10, 0x07, 0x00, 0x02, 0x01, 0x02})
	f.Add([]byte{0x99, 0x99, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		f1, err := DecodeFailure(data)
		if err != nil {
			return
		}
		b, err := f1.Encode()
		if err != nil {
			t.Fatalf("decoded %x as %+v but cannot encode it: %v", data, f1, err)
		}
		f2, err := DecodeFailure(b)
		if err != nil {
			t.Fatalf("%x re-encoded as %x, which does not decode: %v", data, b, err)
		}
		if !reflect.DeepEqual(f1, f2) {
			t.Fatalf("%x: %+v re-decoded as %+v", data, f1, f2)
		}
		_ = f1.Error()
	})
}

// FuzzDecodePayload: DecodePayload never panics, and whatever it accepts
// re-encodes to exactly its input (every accepted encoding is canonical)
// and decodes to an equal Payload.
func FuzzDecodePayload(f *testing.F) {
	for _, c := range samplePayloads() {
		b, err := c.p.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, c.final)
	}
	var v onionVector
	loadJSON(f, "bolt04_onion-test.json", &v)
	for i, h := range v.Generate.Hops {
		f.Add(splitLengthPrefix(f, mustHex(f, h.Payload)), i == len(v.Generate.Hops)-1)
	}
	f.Add([]byte{0x02, 0x00, 0x04, 0x00}, true)
	f.Fuzz(func(t *testing.T, data []byte, final bool) {
		p1, err := DecodePayload(data, final)
		if err != nil {
			return
		}
		b, err := p1.Encode()
		if err != nil {
			t.Fatalf("decoded %x as %+v but cannot encode it: %v", data, p1, err)
		}
		if !bytes.Equal(b, data) {
			t.Fatalf("%x re-encodes as %x", data, b)
		}
		p2, err := DecodePayload(b, final)
		if err != nil || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("%x: %+v re-decoded as %+v (%v)", data, p1, p2, err)
		}
	})
}
