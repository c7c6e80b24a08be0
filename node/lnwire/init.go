package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgInit is the type of init.
const MsgInit MessageType = 16

// Init is the first message on every connection: the node's features and
// the chains it cares about.
//
// BOLT 1: Once authentication is complete, the first message reveals the
// features supported or required by this node, even if this is a
// reconnection.
type Init struct {
	// GlobalFeatures is the historical second bitmap; BOLT 1 says the
	// receiver ORs it into Features (see Combined).
	GlobalFeatures FeatureVector
	Features       FeatureVector

	// Networks (type 1) are the chains the node gossips or opens channels
	// for, as genesis hashes in wire order.
	Networks Optional[[]chainhash.Hash]
	// RemoteAddr (type 3) is the address descriptor (BOLT 7) the sender sees
	// us at, kept raw.
	RemoteAddr Optional[[]byte]

	Extra TLVRecords
}

var _ Message = (*Init)(nil)

// Type is MsgInit.
func (m *Init) Type() MessageType { return MsgInit }

// Combined is the one feature map the node acts on.
//
// BOLT 1, the receiving node: MUST combine (logical OR) the two feature
// bitmaps into one logical `features` map.
func (m *Init) Combined() FeatureVector { return m.Features.Union(m.GlobalFeatures) }

func (m *Init) tlvs() []tlvField {
	return []tlvField{
		optField(1, &m.Networks, chainsCodec),
		optField(3, &m.RemoteAddr, bytesCodec),
	}
}

// Encode writes gflen, globalfeatures, flen, features and init_tlvs.
func (m *Init) Encode(w *bytes.Buffer) error {
	if err := putVarBytes(w, "globalfeatures", m.GlobalFeatures.Encode()); err != nil {
		return err
	}
	if err := putVarBytes(w, "features", m.Features.Encode()); err != nil {
		return err
	}
	return encodeTLVStream(w, m.Extra, m.tlvs()...)
}

// Decode reads init. Feature bitmaps are accepted at any length, leading
// zero bytes included.
func (m *Init) Decode(r *Reader) error {
	m.GlobalFeatures = DecodeFeatureVector(r.VarBytes("globalfeatures"))
	m.Features = DecodeFeatureVector(r.VarBytes("features"))
	var err error
	m.Extra, err = r.Extension(m.tlvs()...)
	return err
}
