package lnwire

import "bytes"

// MsgFundingSigned is the type of funding_signed.
const MsgFundingSigned MessageType = 35

// FundingSigned gives the funder the fundee's signature for the funder's
// first commitment, after which the funder may broadcast the funding.
type FundingSigned struct {
	// ChannelID is the first use of the real channel id.
	ChannelID ChannelID
	Signature Sig
	Extra     TLVRecords
}

var _ Message = (*FundingSigned)(nil)

// Type is MsgFundingSigned.
func (m *FundingSigned) Type() MessageType { return MsgFundingSigned }

// Encode writes channel_id and signature.
func (m *FundingSigned) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	w.Write(m.Signature[:])
	return encodeTLVStream(w, m.Extra)
}

// Decode reads funding_signed.
func (m *FundingSigned) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.Signature = r.Sig("signature")
	m.Extra, err = r.Extension()
	return err
}
