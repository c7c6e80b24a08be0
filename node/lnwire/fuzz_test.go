package lnwire

import (
	"bytes"
	"reflect"
	"testing"
)

// Each fuzz target's seeds are added with f.Add, so `go test` runs them as
// ordinary tests; `go test -fuzz=FuzzX` explores from them.

// FuzzReadMessage is the decode → encode → decode property over every
// message type: whatever decodes must re-encode, decode to an equal value,
// and re-encode to the same bytes, never longer than the input. A signed
// gossip message must re-encode to exactly its input, or its signatures
// would no longer verify. Seeds are valid encodings of every registered
// type (KnownTypes, so new messages join by their registry line), the BOLT
// 1 Appendix C messages and the signed gossip vectors.
func FuzzReadMessage(f *testing.F) {
	for _, typ := range KnownTypes() {
		g := newGen(uint64(typ) + 100)
		for i := 0; i < 3; i++ {
			g.bare = i == 0
			b, err := WriteMessage(generators[typ](g))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b)
		}
	}
	var ext struct {
		Valid, Invalid []struct{ Message string }
	}
	loadJSON(f, "bolt01_message_extension.json", &ext)
	for _, v := range append(ext.Valid, ext.Invalid...) {
		f.Add(mustHex(f, v.Message))
	}
	var gossip struct{ Vectors []gossipVector }
	loadJSON(f, "gossip_signature_vectors.json", &gossip)
	for _, v := range gossip.Vectors {
		f.Add(mustHex(f, v.Message))
	}
	f.Add([]byte{0x01, 0x03, 0xff})
	f.Add([]byte{0x01, 0x02})
	f.Fuzz(func(t *testing.T, data []byte) {
		m1, err := ReadMessage(data)
		if err != nil {
			return
		}
		b1, err := WriteMessage(m1)
		if err != nil {
			t.Fatalf("decoded %x as %#v but cannot encode it: %v", data, m1, err)
		}
		if len(b1) > len(data) {
			t.Fatalf("%x re-encodes longer: %x", data, b1)
		}
		if _, signed := m1.(Signed); signed && !bytes.Equal(b1, data) {
			t.Fatalf("signed %s %x re-encodes as %x", m1.Type(), data, b1)
		}
		m2, err := ReadMessage(b1)
		if err != nil {
			t.Fatalf("re-encoding %x of %x does not decode: %v", b1, data, err)
		}
		if !reflect.DeepEqual(m1, m2) {
			t.Fatalf("%x: %#v became %#v", data, m1, m2)
		}
		if b2, _ := WriteMessage(m2); !bytes.Equal(b1, b2) {
			t.Fatalf("%x: encodings differ: %x, %x", data, b1, b2)
		}
	})
}

// FuzzNodeAddresses: any addresses field that decodes encodes back to
// exactly itself, since node_announcement signs it.
func FuzzNodeAddresses(f *testing.F) {
	f.Add(mustHex(f, "0151b6887026070220014c4e1cc141001e6f65fffec8a825260703c43068ceb641d7b25c3a2607"+
		"0441cf248da2034dfa9351a9e946d71ce86f561f50b67753fd8e385d44647bf62cdb91032607"))
	f.Add(mustHex(f, "050e6c6e2e6578616d706c652e6f72672607"))
	f.Add([]byte{1, 10, 0, 0, 1, 0x26, 0x07, 9, 1, 2, 3})
	f.Add([]byte{0, 1, 2})
	f.Add([]byte{5, 3, 'a'})
	f.Fuzz(func(t *testing.T, data []byte) {
		addrs, unknown, err := decodeAddresses(data)
		if err != nil {
			return
		}
		out, err := encodeAddresses(addrs, unknown)
		if err != nil || !bytes.Equal(out, data) {
			t.Fatalf("%x decoded to %v + %x, which encodes as %x (%v)", data, addrs, unknown, out, err)
		}
		for _, a := range addrs {
			_ = a.String()
			_ = a.Dialable()
		}
	})
}

// FuzzBigSize: a BigSize that decodes re-encodes to exactly the bytes it
// was read from (so only minimal encodings decode).
func FuzzBigSize(f *testing.F) {
	var v struct{ Decoding []bigSizeVector }
	loadJSON(f, "bolt01_bigsize.json", &v)
	for _, tc := range v.Decoding {
		f.Add(mustHex(f, tc.Bytes))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		val, err := ReadBigSize(r)
		if err != nil {
			return
		}
		used := data[:len(data)-r.Len()]
		var w bytes.Buffer
		if err := WriteBigSize(&w, val); err != nil || !bytes.Equal(w.Bytes(), used) {
			t.Fatalf("%x decoded to %d, which encodes as %x (%v)", used, val, w.Bytes(), err)
		}
	})
}

// FuzzTLVStream decodes any stream in both BOLT 1 Appendix B namespaces:
// a stream that decodes must re-encode byte for byte, since every known
// record has one valid encoding and unknown records are kept.
func FuzzTLVStream(f *testing.F) {
	var v struct {
		Failures       []tlvVector `json:"decoding_failures"`
		Successes      []tlvVector `json:"decoding_successes"`
		StreamFailures []tlvVector `json:"stream_decoding_failures"`
	}
	loadJSON(f, "bolt01_tlv.json", &v)
	for _, tc := range append(append(v.Failures, v.Successes...), v.StreamFailures...) {
		f.Add(mustHex(f, tc.Stream))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var a n1
		var b n2
		for _, fields := range []func() []tlvField{a.fields, b.fields} {
			extra, err := decodeTLVStream(data, fields()...)
			if err != nil {
				continue
			}
			var w bytes.Buffer
			if err := encodeTLVStream(&w, extra, fields()...); err != nil || !bytes.Equal(w.Bytes(), data) {
				t.Fatalf("%x re-encodes as %x (%v)", data, w.Bytes(), err)
			}
		}
	})
}

// FuzzFeatureVector: any bitmap decodes, and encodes back to itself minus
// leading zero bytes.
func FuzzFeatureVector(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{0x00, 0x02, 0x01})
	f.Add(DefaultFeatures().Encode())
	f.Add(lndFeatures.Encode())
	f.Fuzz(func(t *testing.T, data []byte) {
		fv := DecodeFeatureVector(data)
		want := bytes.TrimLeft(data, "\x00")
		if got := fv.Encode(); !bytes.Equal(got, want) || fv.EncodedLen() != len(want) {
			t.Fatalf("%x encodes as %x", data, got)
		}
		for _, b := range fv.Bits() {
			if !fv.Has(b) {
				t.Fatalf("%x: Bits lists %d but Has denies it", data, b)
			}
		}
		if again := DecodeFeatureVector(fv.Encode()); !reflect.DeepEqual(again, fv) {
			t.Fatalf("%x: %#v became %#v", data, fv, again)
		}
	})
}

// FuzzParsePoint: an accepted point converts to a key and back unchanged.
func FuzzParsePoint(f *testing.F) {
	for _, p := range pointPool[:4] {
		f.Add(p[:])
	}
	f.Add(make([]byte, 33))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParsePoint(data)
		if err != nil {
			return
		}
		pk, err := p.PubKey()
		if err != nil || NewPoint(pk) != p {
			t.Fatalf("%x accepted but does not round-trip (%v)", data, err)
		}
	})
}

// FuzzSigECDSA: a compact signature that unpacks packs back unchanged,
// which exercises NewSigFromECDSA's DER walk.
func FuzzSigECDSA(f *testing.F) {
	g := newGen(1)
	f.Add(g.bytes(SigSize))
	one := make([]byte, SigSize)
	one[31], one[63] = 1, 1
	f.Add(one)
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) != SigSize {
			return
		}
		s := Sig(data)
		e, err := s.ToECDSA()
		if err != nil {
			return
		}
		back, err := NewSigFromECDSA(e)
		if err != nil || back != s {
			t.Fatalf("%x unpacks but packs as %x (%v)", data, back[:], err)
		}
	})
}
