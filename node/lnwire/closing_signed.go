package lnwire

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// MsgClosingSigned is the type of closing_signed.
const MsgClosingSigned MessageType = 39

// FeeRange is the span of closing fees a side will accept.
type FeeRange struct {
	MinFeeSatoshis Satoshi
	MaxFeeSatoshis Satoshi
}

// ClosingSigned proposes a closing fee with a signature for the closing
// transaction at that fee.
//
// BOLT 2: In the modern method, the funder sends its permissible fee range,
// and the non-funder has to pick a fee in this range.
type ClosingSigned struct {
	ChannelID   ChannelID
	FeeSatoshis Satoshi
	Signature   Sig
	// FeeRange (type 1, fee_range).
	FeeRange Optional[FeeRange]
	Extra    TLVRecords
}

var _ Message = (*ClosingSigned)(nil)

// Type is MsgClosingSigned.
func (m *ClosingSigned) Type() MessageType { return MsgClosingSigned }

// feeRangeCodec is fee_range: two u64, min then max. Whether min <= max is
// a negotiation question for the channel, so it is not checked here.
var feeRangeCodec = valueCodec[FeeRange]{
	fixed: 16,
	encode: func(w io.Writer, f FeeRange) error {
		b := binary.BigEndian.AppendUint64(nil, uint64(f.MinFeeSatoshis))
		return writeAll(w, binary.BigEndian.AppendUint64(b, uint64(f.MaxFeeSatoshis)))
	},
	decode: func(b []byte) (FeeRange, error) {
		if len(b) != 16 {
			return FeeRange{}, fmt.Errorf("fee_range of %d bytes", len(b))
		}
		return FeeRange{
			MinFeeSatoshis: Satoshi(binary.BigEndian.Uint64(b)),
			MaxFeeSatoshis: Satoshi(binary.BigEndian.Uint64(b[8:])),
		}, nil
	},
}

func (m *ClosingSigned) tlvs() []tlvField {
	return []tlvField{optField(1, &m.FeeRange, feeRangeCodec)}
}

// Encode writes channel_id, fee_satoshis, signature and
// closing_signed_tlvs.
func (m *ClosingSigned) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	putU64(w, uint64(m.FeeSatoshis))
	w.Write(m.Signature[:])
	return encodeTLVStream(w, m.Extra, m.tlvs()...)
}

// Decode reads closing_signed.
func (m *ClosingSigned) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.FeeSatoshis = Satoshi(r.U64("fee_satoshis"))
	m.Signature = r.Sig("signature")
	m.Extra, err = r.Extension(m.tlvs()...)
	return err
}
