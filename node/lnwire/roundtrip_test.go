package lnwire

import (
	"bytes"
	"reflect"
	"testing"
)

// TestEveryTypeHasGenerator keeps the property tests and fuzz seeds in step
// with the type table: a message added to registry.go without a generator
// fails here.
func TestEveryTypeHasGenerator(t *testing.T) {
	for _, typ := range KnownTypes() {
		if generators[typ] == nil {
			t.Errorf("%s (%d) has no generator in gen_test.go", typ, uint16(typ))
		}
		m := registry[typ].new()
		if m.Type() != typ {
			t.Errorf("registry entry %d builds a %s", uint16(typ), m.Type())
		}
	}
}

// TestRoundTripEveryMessage is the wire property: for random valid values
// of every message, encode → decode gives an equal value, and encoding that
// again gives the same bytes.
func TestRoundTripEveryMessage(t *testing.T) {
	const iterations = 200
	for _, typ := range KnownTypes() {
		t.Run(typ.String(), func(t *testing.T) {
			g := newGen(uint64(typ))
			for i := 0; i < iterations; i++ {
				m := generators[typ](g)
				roundTrip(t, m)
			}
		})
	}
}

// roundTrip checks one message and returns its encoding.
func roundTrip(t *testing.T, m Message) []byte {
	t.Helper()
	b1, err := WriteMessage(m)
	if err != nil {
		t.Fatalf("write %s: %v", m.Type(), err)
	}
	m2, err := ReadMessage(b1)
	if err != nil {
		t.Fatalf("read %s: %v\nbytes %x", m.Type(), err, b1)
	}
	if !reflect.DeepEqual(m, m2) {
		t.Fatalf("%s changed in a round trip:\n got %#v\nwant %#v", m.Type(), m2, m)
	}
	b2, err := WriteMessage(m2)
	if err != nil {
		t.Fatalf("rewrite %s: %v", m.Type(), err)
	}
	if !bytes.Equal(b1, b2) {
		t.Fatalf("%s re-encodes differently:\n%x\n%x", m.Type(), b1, b2)
	}
	return b1
}

// TestRoundTripBare covers every message with no TLV at all, the form most
// peers send.
func TestRoundTripBare(t *testing.T) {
	for _, typ := range KnownTypes() {
		g := newGen(uint64(typ) + 1)
		g.bare = true
		roundTrip(t, generators[typ](g))
	}
}
