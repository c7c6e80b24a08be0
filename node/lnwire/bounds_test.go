package lnwire

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

// TestTruncatedMessages: BOLT 1, upon receiving a known message with
// insufficient length for the contents: MUST close the connection. Every
// proper prefix of a message's fixed part fails with io.ErrUnexpectedEOF.
func TestTruncatedMessages(t *testing.T) {
	for _, typ := range KnownTypes() {
		g := newGen(uint64(typ) + 2)
		g.bare = true
		b, err := WriteMessage(generators[typ](g))
		if err != nil {
			t.Fatal(err)
		}
		for n := 2; n < len(b); n++ {
			if _, err := ReadMessage(b[:n]); !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Fatalf("%s cut to %d of %d bytes: %v", typ, n, len(b), err)
			}
		}
	}
}

// TestPrefixesNeverMisread: a prefix of a full message (TLVs included)
// either fails or is itself a valid message that re-encodes to exactly the
// prefix; decoding never invents data.
func TestPrefixesNeverMisread(t *testing.T) {
	for _, typ := range KnownTypes() {
		g := newGen(uint64(typ) + 3)
		for i := 0; i < 2; i++ {
			b, err := WriteMessage(generators[typ](g))
			if err != nil {
				t.Fatal(err)
			}
			for n := 2; n < len(b); n++ {
				m, err := ReadMessage(b[:n])
				if err != nil {
					continue
				}
				if out, _ := WriteMessage(m); !bytes.Equal(out, b[:n]) {
					t.Fatalf("%s prefix %x decoded as %#v", typ, b[:n], m)
				}
			}
		}
	}
}

// lyingMessages are bodies whose length fields claim far more than follows.
func lyingMessages() map[string][]byte {
	u16 := func(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
	cat := func(parts ...[]byte) []byte { return bytes.Join(parts, nil) }
	id := make([]byte, 32)
	return map[string][]byte{
		"error data":          cat(u16(uint16(MsgError)), id, u16(0xffff), []byte("short")),
		"init features":       cat(u16(uint16(MsgInit)), u16(0), u16(0xffff), []byte{1}),
		"ping ignored":        cat(u16(uint16(MsgPing)), u16(1), u16(0xffff)),
		"pong ignored":        cat(u16(uint16(MsgPong)), u16(0xfff0), make([]byte, 10)),
		"shutdown script":     cat(u16(uint16(MsgShutdown)), id, u16(0xffff), []byte{0}),
		"fail reason":         cat(u16(uint16(MsgUpdateFailHTLC)), id, make([]byte, 8), u16(0xffff)),
		"commitment num_htlc": cat(u16(uint16(MsgCommitmentSigned)), id, make([]byte, 64), u16(0xffff), make([]byte, 64)),
		// BOLT 7: feature bitmaps, addresses and encoded_short_ids.
		"channel_announcement features": cat(u16(uint16(MsgChannelAnnouncement)), make([]byte, 4*64), u16(0xffff), []byte{1}),
		"node_announcement features":    cat(u16(uint16(MsgNodeAnnouncement)), make([]byte, 64), u16(0xfff0), make([]byte, 50)),
		"node_announcement addrlen":     cat(nodeAnnouncementHead(), u16(0xffff), []byte{1, 10, 0, 0, 1, 0x26, 0x07}),
		"node_announcement hostname":    cat(nodeAnnouncementHead(), u16(4), []byte{5, 0xff, 'a', 'b'}),
		"query_short_channel_ids ids":   cat(u16(uint16(MsgQueryShortChannelIDs)), id, u16(0xffff), []byte{0}, make([]byte, 16)),
		"reply_channel_range ids":       cat(u16(uint16(MsgReplyChannelRange)), id, make([]byte, 9), u16(0xfff9), []byte{0}),
		"query_flags record":            cat(u16(uint16(MsgQueryShortChannelIDs)), id, u16(1), []byte{0}, []byte{1, 0xfe, 0, 1, 0, 0, 0}),
		// A TLV record claiming 2^32 bytes, then 2^56.
		"tlv length 4G":   cat(u16(uint16(MsgFundingSigned)), id, make([]byte, 64), []byte{0x03, 0xfe, 0xff, 0xff, 0xff, 0xff}),
		"tlv length 2^56": cat(u16(uint16(MsgUpdateFee)), id, make([]byte, 4), []byte{0x05, 0xff, 1, 0, 0, 0, 0, 0, 0, 0, 1}),
	}
}

// nodeAnnouncementHead is a node_announcement up to addrlen, with a valid
// node_id so that decoding reaches the addresses.
func nodeAnnouncementHead() []byte {
	return bytes.Join([][]byte{
		binary.BigEndian.AppendUint16(nil, uint16(MsgNodeAnnouncement)), make([]byte, 64),
		{0, 0}, make([]byte, 4), pointPool[0][:], make([]byte, 3+32),
	}, nil)
}

// TestLyingLengthsAllocateNothing: a length that lies is refused before
// anything is allocated from it. Each decode must fail with
// io.ErrUnexpectedEOF and allocate far less than the claimed length.
func TestLyingLengthsAllocateNothing(t *testing.T) {
	for name, b := range lyingMessages() {
		if _, err := ReadMessage(b); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("%s: %v, want unexpected EOF", name, err)
		}
		const runs = 50
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := 0; i < runs; i++ {
			_, _ = ReadMessage(b)
		}
		runtime.ReadMemStats(&after)
		if per := (after.TotalAlloc - before.TotalAlloc) / runs; per > 8192 {
			t.Errorf("%s: %d bytes allocated per decode", name, per)
		}
	}
}

// TestInvalidPointIsNamed: a point off the curve fails the decode, and the
// error names the field (BOLT 2 open_channel: MUST fail the channel if
// `funding_pubkey` ... are not valid secp256k1 pubkeys in compressed
// format).
func TestInvalidPointIsNamed(t *testing.T) {
	g := newGen(9)
	g.bare = true
	m := generators[MsgOpenChannel](g).(*OpenChannel)
	m.HTLCBasepoint[0] = 0x04
	b, err := WriteMessage(m)
	if err != nil {
		t.Fatal(err)
	}
	_, err = ReadMessage(b)
	if !errors.Is(err, ErrInvalidPoint) || !strings.Contains(err.Error(), "htlc_basepoint") {
		t.Fatalf("error %v, want ErrInvalidPoint naming htlc_basepoint", err)
	}
}

// TestExtensionRules checks a message's extension against BOLT 1: unknown
// even records are refused, unknown odd ones kept, known ones held to
// their exact length.
func TestExtensionRules(t *testing.T) {
	g := newGen(10)
	g.bare = true
	base, err := WriteMessage(generators[MsgChannelReady](g))
	if err != nil {
		t.Fatal(err)
	}
	with := func(ext ...byte) []byte { return append(append([]byte(nil), base...), ext...) }

	_, err = ReadMessage(with(0x02, 0x00))
	var ue *ErrUnknownEvenTLV
	if !errors.As(err, &ue) || ue.Type != 2 {
		t.Fatalf("unknown even tlv: %v", err)
	}
	m, err := ReadMessage(with(0x05, 0x01, 0xaa))
	if err != nil || len(m.(*ChannelReady).Extra) != 1 {
		t.Fatalf("unknown odd tlv: %v %#v", err, m)
	}
	if _, err := ReadMessage(with(0x01, 0x07, 1, 2, 3, 4, 5, 6, 7)); err == nil {
		t.Fatal("a 7-byte short_channel_id alias decoded")
	}
	m, err = ReadMessage(with(0x01, 0x08, 0, 0, 0x01, 0, 0, 0x02, 0, 0x03))
	if err != nil || m.(*ChannelReady).Alias != Some(ShortChannelID(1<<40|2<<16|3)) {
		t.Fatalf("alias: %v %#v", err, m)
	}
	// Encoding refuses an unknown record that duplicates a known type.
	cr := m.(*ChannelReady)
	cr.Extra = TLVRecords{{Type: 1, Value: make([]byte, 8)}}
	if _, err := WriteMessage(cr); err == nil {
		t.Fatal("duplicate type 1 encoded")
	}
}
