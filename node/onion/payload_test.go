package onion

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"strings"
	"testing"

	"lnwasm/node/lnwire"
)

func scidPtr(v uint64) *lnwire.ShortChannelID {
	s := lnwire.ShortChannelID(v)
	return &s
}

// samplePayloads are valid payloads and whether each is for a final hop.
func samplePayloads() []struct {
	name  string
	final bool
	p     Payload
} {
	return []struct {
		name  string
		final bool
		p     Payload
	}{
		{"intermediate", false, Payload{AmtToForwardMsat: 15000, OutgoingCLTV: 1500, ShortChannelID: scidPtr(1)}},
		{"intermediate zero values", false, Payload{ShortChannelID: scidPtr(0)}},
		{"intermediate max values", false, Payload{AmtToForwardMsat: 1<<64 - 1, OutgoingCLTV: 1<<32 - 1, ShortChannelID: scidPtr(1<<64 - 1)}},
		{"intermediate with odd extra", false, Payload{AmtToForwardMsat: 1, OutgoingCLTV: 2, ShortChannelID: scidPtr(3),
			Extra: map[uint64][]byte{513: {1, 2, 3}, 5482373485: {}}}},
		{"final minimal", true, Payload{AmtToForwardMsat: 1000, OutgoingCLTV: 144}},
		{"final mpp", true, Payload{AmtToForwardMsat: 1000, OutgoingCLTV: 144, PaymentSecret: &[32]byte{9}, TotalMsat: 3000}},
		{"final zero total", true, Payload{AmtToForwardMsat: 1000, OutgoingCLTV: 144, PaymentSecret: &[32]byte{9}}},
		{"final metadata", true, Payload{AmtToForwardMsat: 1, OutgoingCLTV: 1, PaymentSecret: &[32]byte{1}, TotalMsat: 1, Metadata: []byte{0xde, 0xad}}},
		{"final empty metadata", true, Payload{AmtToForwardMsat: 1, OutgoingCLTV: 1, Metadata: []byte{}}},
		{"final keysend-like", true, Payload{AmtToForwardMsat: 1, OutgoingCLTV: 1, Extra: map[uint64][]byte{5482373484 + 1: bytes.Repeat([]byte{7}, 32)}}},
	}
}

func TestPayloadRoundTrip(t *testing.T) {
	for _, c := range samplePayloads() {
		b, err := c.p.Encode()
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		got, err := DecodePayload(b, c.final)
		if err != nil {
			t.Fatalf("%s: decode %x: %v", c.name, b, err)
		}
		if !reflect.DeepEqual(*got, c.p) {
			t.Errorf("%s: %+v came back as %+v", c.name, c.p, *got)
		}
	}
}

// TestPayloadEncoding pins the byte layout: types in order, truncated
// integers, the 8-byte scid, payment_data as secret then tu64.
func TestPayloadEncoding(t *testing.T) {
	p := Payload{AmtToForwardMsat: 0x2710, OutgoingCLTV: 0x03e8, PaymentSecret: &[32]byte{0xab}, TotalMsat: 0x0100,
		Metadata: []byte{0xee}, Extra: map[uint64][]byte{301: {0x2a}, 1: {0x01}}}
	b, err := p.Encode()
	if err != nil {
		t.Fatal(err)
	}
	want := "010101" + "02022710" + "040203e8" + "0822ab" + strings.Repeat("00", 31) + "0100" + "1001ee" + "fd012d012a"
	if got := hex.EncodeToString(b); got != want {
		t.Fatalf("encoded\n got %s\nwant %s", got, want)
	}
}

func TestPayloadEncodeRejects(t *testing.T) {
	for name, p := range map[string]Payload{
		"total without secret": {AmtToForwardMsat: 1, TotalMsat: 5},
		"extra amt":            {Extra: map[uint64][]byte{2: {1}}},
		"extra metadata":       {Extra: map[uint64][]byte{16: {1}}},
		"extra blinding":       {Extra: map[uint64][]byte{12: {1}}},
	} {
		if _, err := p.Encode(); !errors.Is(err, ErrInvalidPayload) {
			t.Errorf("%s: Encode returned %v", name, err)
		}
	}
}

// TestDecodePayloadRejects walks each BOLT 1 stream rule and BOLT 4 reader
// rule, checking the record DecodePayload blames.
func TestDecodePayloadRejects(t *testing.T) {
	const amtCLTV = "02020100" + "04020100" // 8 bytes
	const scid = "06080000000000000001"
	cases := []struct {
		name   string
		hex    string
		final  bool
		typ    uint64
		offset uint16
	}{
		{"empty", "", true, 2, 0},
		{"missing amt", "04020100", true, 2, 0},
		{"missing cltv", "02020100", true, 4, 0},
		{"intermediate missing scid", amtCLTV, false, 6, 0},
		{"intermediate with payment_data", amtCLTV + scid + "0820" + strings.Repeat("11", 32), false, 8, 18},
		{"final with scid", amtCLTV + scid, true, 6, 8},
		{"unknown even type", amtCLTV + "640100", true, 100, 8},
		{"large unknown even type", amtCLTV + "fe0001000000", true, 65536, 8},
		{"encrypted_recipient_data", amtCLTV + "0a0100", true, 10, 8},
		{"current_blinding_point", amtCLTV + "0c0100", true, 12, 8},
		{"total_amount_msat", amtCLTV + "120100", true, 18, 8},
		{"types out of order", "04020100" + "02020100", true, 2, 4},
		{"duplicate type", amtCLTV + "04020100", true, 4, 8},
		{"non-minimal amt", "0202000104020100", true, 2, 0},
		{"amt of 9 bytes", "0209010000000000000000" + "04020100", true, 2, 0},
		{"non-minimal cltv", "02020100" + "0402000a", true, 4, 4},
		{"cltv of 5 bytes", "02020100" + "04050100000000", true, 4, 4},
		{"scid of 7 bytes", amtCLTV + "060700000000000001", false, 6, 8},
		{"payment_data of 31 bytes", amtCLTV + "081f" + strings.Repeat("11", 31), true, 8, 8},
		{"payment_data of 41 bytes", amtCLTV + "0829" + strings.Repeat("11", 32) + "010000000000000000", true, 8, 8},
		{"length overruns", amtCLTV + "0105aa", true, 1, 8},
		{"truncated length", amtCLTV + "01fd00", true, 1, 8},
		{"non-minimal type", "fd0002020100" + "04020100", true, 0, 0},
		{"non-minimal length", "02fd00020100" + "04020100", true, 2, 0},
		{"truncated type", amtCLTV + "fd01", true, 0, 8},
	}
	for _, c := range cases {
		_, err := DecodePayload(mustHex(t, c.hex), c.final)
		var pe *PayloadError
		if !errors.As(err, &pe) || !errors.Is(err, ErrInvalidPayload) {
			t.Errorf("%s: %v is not a PayloadError wrapping ErrInvalidPayload", c.name, err)
			continue
		}
		if pe.Type != c.typ || pe.Offset != c.offset {
			t.Errorf("%s: blamed type %d offset %d, want type %d offset %d (%v)", c.name, pe.Type, pe.Offset, c.typ, c.offset, err)
		}
	}
	if _, err := DecodePayload(make([]byte, MaxPayloadSize+1), true); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("oversized payload: %v", err)
	}
}

func TestPayloadTotal(t *testing.T) {
	p := Payload{AmtToForwardMsat: 700}
	if p.Total() != 700 {
		t.Errorf("without payment_data Total is %d, want amt_to_forward", p.Total())
	}
	p.PaymentSecret, p.TotalMsat = &[32]byte{}, 2100
	if p.Total() != 2100 {
		t.Errorf("with payment_data Total is %d, want total_msat", p.Total())
	}
}
