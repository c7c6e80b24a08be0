package lnwire

import (
	"bytes"
	"errors"
	"io"
	"testing"
)

// TestUnknownOddIsIgnorable: BOLT 1, upon receiving a message of _odd_,
// unknown type: MUST ignore the received message. ReadMessage hands it back
// without an error, and it re-encodes unchanged.
func TestUnknownOddIsIgnorable(t *testing.T) {
	for _, typ := range []MessageType{3, 267, 32769, 65535} {
		in := append([]byte{byte(typ >> 8), byte(typ)}, 0xde, 0xad, 0xbe, 0xef)
		m, err := ReadMessage(in)
		if err != nil {
			t.Fatalf("type %d: %v", typ, err)
		}
		u, ok := m.(*Unknown)
		if !ok || u.MsgType != typ || !bytes.Equal(u.Payload, in[2:]) {
			t.Fatalf("type %d: got %#v", typ, m)
		}
		in[2] = 0 // the result must not alias the input
		if u.Payload[0] != 0xde {
			t.Fatalf("type %d: payload aliases the input", typ)
		}
		out, err := WriteMessage(u)
		in[2] = 0xde
		if err != nil || !bytes.Equal(out, in) {
			t.Fatalf("type %d: re-encoded %x (%v)", typ, out, err)
		}
	}
}

// TestUnknownEvenIsAnError: BOLT 1, upon receiving a message of _even_,
// unknown type: MUST close the connection. The typed error says which type.
func TestUnknownEvenIsAnError(t *testing.T) {
	for _, typ := range []MessageType{0, 2, 266, 268, 32768, 65534} {
		_, err := ReadMessage([]byte{byte(typ >> 8), byte(typ), 1, 2, 3})
		var ue *ErrUnknownEven
		if !errors.As(err, &ue) || ue.Type != typ {
			t.Fatalf("type %d: error %v, want *ErrUnknownEven", typ, err)
		}
	}
}

func TestReadMessageNeedsAType(t *testing.T) {
	for _, in := range [][]byte{nil, {0x00}} {
		if _, err := ReadMessage(in); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("%x: error %v, want unexpected EOF", in, err)
		}
	}
}

// TestMessageSizeLimit: BOLT 1, the maximum possible size is 65535 bytes.
// A pong of 65531 ignored bytes is the largest, a ping with as many is too
// big to write, and nothing larger is read.
func TestMessageSizeLimit(t *testing.T) {
	b, err := WriteMessage(&Pong{Ignored: make([]byte, MaxPongBytes)})
	if err != nil || len(b) != MaxMessageSize {
		t.Fatalf("largest pong: %d bytes, %v", len(b), err)
	}
	if _, err := ReadMessage(b); err != nil {
		t.Fatalf("largest pong does not decode: %v", err)
	}
	if _, err := WriteMessage(&Ping{Ignored: make([]byte, MaxPongBytes)}); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("oversized ping: %v, want ErrMessageTooLarge", err)
	}
	if _, err := ReadMessage(make([]byte, MaxMessageSize+1)); !errors.Is(err, ErrMessageTooLarge) {
		t.Fatalf("oversized read: %v, want ErrMessageTooLarge", err)
	}
	if _, err := WriteMessage(&Shutdown{ScriptPubKey: make([]byte, 70000)}); err == nil {
		t.Fatal("a 70000-byte script was encoded behind a u16 length")
	}
	if _, err := WriteMessage(nil); err == nil {
		t.Fatal("nil message written")
	}
}

// TestFixedSizes pins each message's layout to the byte counts of its BOLT
// field list, so a field left out or doubled shows here.
func TestFixedSizes(t *testing.T) {
	want := map[MessageType]int{
		MsgWarning: 32 + 2, MsgError: 32 + 2, MsgInit: 2 + 2, MsgPing: 2 + 2, MsgPong: 2,
		MsgOpenChannel:             32 + 32 + 6*8 + 4 + 2 + 2 + 6*33 + 1,
		MsgAcceptChannel:           32 + 4*8 + 4 + 2 + 2 + 6*33,
		MsgFundingCreated:          32 + 32 + 2 + 64,
		MsgFundingSigned:           32 + 64,
		MsgChannelReady:            32 + 33,
		MsgShutdown:                32 + 2,
		MsgClosingSigned:           32 + 8 + 64,
		MsgUpdateAddHTLC:           32 + 8 + 8 + 32 + 4 + 1366,
		MsgUpdateFulfillHTLC:       32 + 8 + 32,
		MsgUpdateFailHTLC:          32 + 8 + 2,
		MsgCommitmentSigned:        32 + 64 + 2,
		MsgRevokeAndAck:            32 + 32 + 33,
		MsgUpdateFee:               32 + 4,
		MsgUpdateFailMalformedHTLC: 32 + 8 + 32 + 2,
		MsgChannelReestablish:      32 + 8 + 8 + 32 + 33,
		MsgChannelAnnouncement:     4*64 + 2 + 32 + 8 + 4*33,
		MsgNodeAnnouncement:        64 + 2 + 4 + 33 + 3 + 32 + 2,
		MsgChannelUpdate:           64 + 32 + 8 + 4 + 1 + 1 + 2 + 8 + 4 + 4 + 8,
		MsgAnnouncementSignatures:  32 + 8 + 64 + 64,
		// The encoded_short_ids arrays hold their encoding byte even empty.
		MsgQueryShortChannelIDs:    32 + 2 + 1,
		MsgReplyShortChannelIDsEnd: 32 + 1,
		MsgQueryChannelRange:       32 + 4 + 4,
		MsgReplyChannelRange:       32 + 4 + 4 + 1 + 2 + 1,
		MsgGossipTimestampFilter:   32 + 4 + 4,
	}
	for _, typ := range KnownTypes() {
		b, err := WriteMessage(registry[typ].new())
		if err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if n, ok := want[typ]; !ok || len(b)-2 != n {
			t.Errorf("%s: empty body is %d bytes, BOLT says %d", typ, len(b)-2, n)
		}
	}
}

func TestMessageTypeNames(t *testing.T) {
	cases := map[MessageType]string{
		1: "warning", 16: "init", 17: "error", 18: "ping", 19: "pong",
		32: "open_channel", 33: "accept_channel", 34: "funding_created",
		35: "funding_signed", 36: "channel_ready", 38: "shutdown", 39: "closing_signed",
		128: "update_add_htlc", 130: "update_fulfill_htlc", 131: "update_fail_htlc",
		132: "commitment_signed", 133: "revoke_and_ack", 134: "update_fee",
		135: "update_fail_malformed_htlc", 136: "channel_reestablish",
		256: "channel_announcement", 257: "node_announcement", 258: "channel_update",
		259: "announcement_signatures", 261: "query_short_channel_ids",
		262: "reply_short_channel_ids_end", 263: "query_channel_range",
		264: "reply_channel_range", 265: "gossip_timestamp_filter", 999: "unknown_999",
	}
	for typ, name := range cases {
		if typ.String() != name {
			t.Errorf("%d is %q, want %q", uint16(typ), typ.String(), name)
		}
	}
	if len(KnownTypes()) != len(cases)-1 {
		t.Errorf("%d known types, this test names %d", len(KnownTypes()), len(cases)-1)
	}
}
