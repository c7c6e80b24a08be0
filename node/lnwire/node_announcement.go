package lnwire

import (
	"bytes"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// MsgNodeAnnouncement is the type of node_announcement.
const MsgNodeAnnouncement MessageType = 257

// RGBColor is a node's color: red, green, blue.
type RGBColor [3]byte

// String is the "#rrggbb" form.
func (c RGBColor) String() string { return fmt.Sprintf("#%02x%02x%02x", c[0], c[1], c[2]) }

// NodeAlias is a node's self-chosen name: UTF-8 padded with zero bytes, by
// the sender's word only.
//
// BOLT 7: MUST set `alias` to a valid UTF-8 string, with any `alias`
// trailing-bytes equal to 0. [...] Node aliases should always be sanitized
// before being displayed in HTML/Javascript contexts.
type NodeAlias [32]byte

// NewNodeAlias pads s into an alias, refusing what BOLT 7 forbids.
func NewNodeAlias(s string) (NodeAlias, error) {
	var a NodeAlias
	if len(s) > len(a) || !utf8.ValidString(s) {
		return a, fmt.Errorf("lnwire: alias %q is not UTF-8 of at most 32 bytes", s)
	}
	copy(a[:], s)
	return a, nil
}

// String is the alias without its zero padding, quoted with Go escapes
// when it is not valid, printable UTF-8: it comes from a stranger, and the
// escaping keeps it from doing anything in a log. Interfaces still sanitize
// it for their own context.
func (a NodeAlias) String() string {
	s := string(bytes.TrimRight(a[:], "\x00"))
	for _, c := range s {
		if c == utf8.RuneError || !unicode.IsPrint(c) {
			return strconv.Quote(s)
		}
	}
	return s
}

// NodeAnnouncement tells the network how to reach a node and what it
// supports. It is signed by the node's own key.
type NodeAnnouncement struct {
	Signature Sig
	// Features are the node's features, kept as signed.
	//
	// BOLT 7, the receiving node: if `features` field contains _unknown
	// even bits_: SHOULD NOT connect to the node. [...] MUST NOT route a
	// payment _through_ the node.
	Features  FeatureBytes
	Timestamp uint32
	NodeID    Point
	RGBColor  RGBColor
	Alias     NodeAlias
	// Addresses are the descriptors of known types, in the order sent.
	//
	// BOLT 7, the receiving node: if more than one `type 5` address is
	// announced: SHOULD ignore the additional data. MUST not forward the
	// `node_announcement`. (That is the graph's decision; every
	// descriptor is kept here.)
	Addresses []NetAddress
	// UnknownAddresses is the rest of `addresses` from the first descriptor
	// of a type this package does not know, raw: its length is unknown, so
	// nothing after it can be parsed. Encode writes it back after
	// Addresses.
	UnknownAddresses []byte
	// Extra is node_announcement_tlvs. Its one defined record,
	// option_will_fund (type 1, liquidity ads), is odd and not interpreted
	// here, so it is kept in Extra with any other record.
	Extra TLVRecords
}

var (
	_ Message = (*NodeAnnouncement)(nil)
	_ Signed  = (*NodeAnnouncement)(nil)
)

// Type is MsgNodeAnnouncement.
func (m *NodeAnnouncement) Type() MessageType { return MsgNodeAnnouncement }

// Encode writes signature, flen, features, timestamp, node_id, rgb_color,
// alias, addrlen, addresses and node_announcement_tlvs.
func (m *NodeAnnouncement) Encode(w *bytes.Buffer) error {
	addrs, err := encodeAddresses(m.Addresses, m.UnknownAddresses)
	if err != nil {
		return &FieldError{Field: "addresses", Err: err}
	}
	w.Write(m.Signature[:])
	if err := putVarBytes(w, "features", m.Features); err != nil {
		return err
	}
	putU32(w, m.Timestamp)
	w.Write(m.NodeID[:])
	w.Write(m.RGBColor[:])
	w.Write(m.Alias[:])
	if err := putVarBytes(w, "addresses", addrs); err != nil {
		return err
	}
	return encodeTLVStream(w, m.Extra)
}

// Decode reads node_announcement. node_id must be a valid point and the
// addresses must hold whole descriptors of the known types.
//
// BOLT 7, the receiving node: if `node_id` is NOT a valid compressed public
// key: SHOULD send a `warning`. MAY close the connection. MUST NOT process
// the message further.
func (m *NodeAnnouncement) Decode(r *Reader) (err error) {
	m.Signature = r.Sig("signature")
	m.Features = FeatureBytes(r.VarBytes("features"))
	m.Timestamp = r.U32("timestamp")
	m.NodeID = r.Point("node_id")
	r.Fixed("rgb_color", m.RGBColor[:])
	r.Fixed("alias", m.Alias[:])
	raw := r.next("addresses", int(r.U16("addrlen")))
	if r.Err() == nil {
		m.Addresses, m.UnknownAddresses, err = decodeAddresses(raw)
		if err != nil {
			r.Fail("addresses", err)
		}
	}
	m.Extra, err = r.Extension()
	return err
}

// SignedData is the message after its signature, to its end; the
// signature is made over its double-SHA256 (SignedHash) with node_id's key.
//
// BOLT 7, the origin node: MUST set `signature` to the signature of the
// double-SHA256 of the entire remaining packet after `signature` (using
// the key given by `node_id`).
func (m *NodeAnnouncement) SignedData() ([]byte, error) {
	return signedTail(m, SigSize)
}
