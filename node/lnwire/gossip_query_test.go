package lnwire

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// queryBody builds a query_short_channel_ids from its encoded_short_ids
// and extension bytes.
func queryBody(ids, ext []byte) []byte {
	return cat(u16b(uint16(MsgQueryShortChannelIDs)), make([]byte, 32), u16b(uint16(len(ids))), ids, ext)
}

// replyBody builds a reply_channel_range the same way.
func replyBody(ids, ext []byte) []byte {
	return cat(u16b(uint16(MsgReplyChannelRange)), make([]byte, 32+4+4), []byte{1},
		u16b(uint16(len(ids))), ids, ext)
}

var twoIDs = cat([]byte{0}, []byte{0, 0, 1, 0, 0, 2, 0, 3}, []byte{0, 0, 4, 0, 0, 5, 0, 6})

// TestZlibEncodingRefused: BOLT 7, `1`: Previously used for zlib
// compression, this encoding MUST NOT be used. We refuse it (and every
// other unknown encoding) wherever an `encoded_` array appears, rather
// than inflate it, and say so.
func TestZlibEncodingRefused(t *testing.T) {
	zlib := []byte{1, 0x78, 0x9c, 0x63, 0x60, 0x00, 0x00, 0x00, 0x02, 0x00, 0x01}
	for name, b := range map[string][]byte{
		"query ids zlib":         queryBody(zlib, nil),
		"query ids encoding 2":   queryBody([]byte{2}, nil),
		"query flags zlib":       queryBody(twoIDs, []byte{1, 3, 1, 0x78, 0x9c}),
		"reply ids zlib":         replyBody(zlib, nil),
		"reply timestamps zlib":  replyBody(twoIDs, cat([]byte{1, 17, 1}, make([]byte, 16))),
		"reply timestamps enc 3": replyBody(twoIDs, cat([]byte{1, 17, 3}, make([]byte, 16))),
	} {
		_, err := ReadMessage(b)
		if !errors.Is(err, ErrUnsupportedEncoding) {
			t.Errorf("%s: %v, want ErrUnsupportedEncoding", name, err)
		}
	}
	_, err := ReadMessage(queryBody(zlib, nil))
	if !strings.Contains(err.Error(), "zlib") || !strings.Contains(err.Error(), "encoded_short_ids") {
		t.Errorf("the zlib error does not say what and where: %v", err)
	}
}

// TestEncodedArrayShapes: BOLT 7, the receiver: if `encoded_short_ids` does
// not decode into a whole number of `short_channel_id`: MAY send a
// `warning`. MAY close the connection. The same holds for the other
// arrays, and for flags not one per id.
func TestEncodedArrayShapes(t *testing.T) {
	okFlags := []byte{1, 3, 0, 0x01, 0x1f}
	for name, b := range map[string][]byte{
		"ids not whole":            queryBody(twoIDs[:16], nil),
		"ids without encoding":     queryBody(nil, nil),
		"one flag for two ids":     queryBody(twoIDs, []byte{1, 2, 0, 1}),
		"three flags for two ids":  queryBody(twoIDs, []byte{1, 4, 0, 1, 1, 1}),
		"flag not minimal":         queryBody(twoIDs, []byte{1, 5, 0, 1, 0xfd, 0, 1}),
		"flag cut short":           queryBody(twoIDs, []byte{1, 3, 0, 1, 0xfd}),
		"flags without encoding":   queryBody(twoIDs, []byte{1, 0}),
		"reply ids not whole":      replyBody(twoIDs[:12], nil),
		"one timestamp for two":    replyBody(twoIDs, cat([]byte{1, 9, 0}, make([]byte, 8))),
		"timestamps not whole":     replyBody(twoIDs, cat([]byte{1, 16, 0}, make([]byte, 15))),
		"checksums not whole":      replyBody(twoIDs, cat([]byte{3, 15}, make([]byte, 15))),
		"three checksums for two":  replyBody(twoIDs, cat([]byte{3, 24}, make([]byte, 24))),
		"query_option not minimal": cat(u16b(uint16(MsgQueryChannelRange)), make([]byte, 40), []byte{1, 3, 0xfd, 0, 1}),
		"query_option trailing":    cat(u16b(uint16(MsgQueryChannelRange)), make([]byte, 40), []byte{1, 2, 3, 0}),
		"query_option empty":       cat(u16b(uint16(MsgQueryChannelRange)), make([]byte, 40), []byte{1, 0}),
	} {
		if m, err := ReadMessage(b); err == nil {
			t.Errorf("%s: decoded as %#v", name, m)
		}
	}
	m, err := ReadMessage(queryBody(twoIDs, okFlags))
	q, _ := m.(*QueryShortChannelIDs)
	if err != nil || len(q.ShortChannelIDs) != 2 || q.ShortChannelIDs[1].String() != "4x5x6" ||
		!q.QueryFlags.Present || q.QueryFlags.Value[1] != QueryChannelAnnouncement|QueryChannelUpdate1|
		QueryChannelUpdate2|QueryNodeAnnouncement1|QueryNodeAnnouncement2 {
		t.Fatalf("valid query: %#v %v", m, err)
	}
	// An empty array is its encoding byte alone, and flags for no ids are
	// an encoding byte too.
	m, err = ReadMessage(queryBody([]byte{0}, []byte{1, 1, 0}))
	if q, ok := m.(*QueryShortChannelIDs); err != nil || !ok || q.ShortChannelIDs != nil || !q.QueryFlags.Present {
		t.Fatalf("empty query: %#v %v", m, err)
	}
}

// TestReplyChannelRangeTLVs decodes a reply carrying both optional arrays
// and checks the values land where BOLT 7 puts them.
func TestReplyChannelRangeTLVs(t *testing.T) {
	ts := cat([]byte{1, 17, 0}, []byte{0, 0, 0, 1, 0, 0, 0, 2}, []byte{0, 0, 0, 3, 0, 0, 0, 0})
	sums := cat([]byte{3, 16}, []byte{0xaa, 0, 0, 0, 0, 0, 0, 0xbb}, make([]byte, 8))
	b := replyBody(twoIDs, cat(ts, sums))
	m, err := ReadMessage(b)
	if err != nil {
		t.Fatal(err)
	}
	r := m.(*ReplyChannelRange)
	if !r.SyncComplete || len(r.ShortChannelIDs) != 2 ||
		r.Timestamps.Value[0] != (UpdateTimestamps{1, 2}) || r.Timestamps.Value[1] != (UpdateTimestamps{3, 0}) ||
		r.Checksums.Value[0] != (UpdateChecksums{0xaa000000, 0xbb}) {
		t.Fatalf("%+v", r)
	}
	if out, _ := WriteMessage(r); !bytes.Equal(out, b) {
		t.Fatalf("re-encoded as %x", out)
	}
	r.Checksums.Value = r.Checksums.Value[:1]
	if _, err := WriteMessage(r); err == nil {
		t.Fatal("one checksum for two ids encoded")
	}
	q := &QueryShortChannelIDs{ShortChannelIDs: []ShortChannelID{1}, QueryFlags: Some([]QueryFlag{1, 2})}
	if _, err := WriteMessage(q); err == nil {
		t.Fatal("two flags for one id encoded")
	}
}

// TestQueryChannelRangeOption: query_option is one minimal BigSize.
func TestQueryChannelRangeOption(t *testing.T) {
	base := cat(u16b(uint16(MsgQueryChannelRange)), make([]byte, 40))
	for ext, want := range map[string]QueryOption{
		"\x01\x01\x03":         QueryOptionTimestamps | QueryOptionChecksums,
		"\x01\x03\xfd\x01\x00": 0x100,
		"\x01\x09\xff\x01\x00\x00\x00\x00\x00\x00\x00": 1 << 56,
	} {
		m, err := ReadMessage(cat(base, []byte(ext)))
		if err != nil || m.(*QueryChannelRange).QueryOption != Some(want) {
			t.Errorf("%x: %#v %v", ext, m, err)
		}
	}
}
