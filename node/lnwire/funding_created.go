package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgFundingCreated is the type of funding_created.
const MsgFundingCreated MessageType = 34

// FundingCreated gives the fundee the funding outpoint and the funder's
// signature for the fundee's first commitment.
type FundingCreated struct {
	TemporaryChannelID ChannelID
	// FundingTxID is in wire (internal) byte order.
	FundingTxID        chainhash.Hash
	FundingOutputIndex uint16
	Signature          Sig
	Extra              TLVRecords
}

var _ Message = (*FundingCreated)(nil)

// Type is MsgFundingCreated.
func (m *FundingCreated) Type() MessageType { return MsgFundingCreated }

// ChannelID is the id the channel takes from here on.
func (m *FundingCreated) ChannelID() ChannelID {
	return NewChannelID(m.FundingTxID, m.FundingOutputIndex)
}

// Encode writes temporary_channel_id, funding_txid, funding_output_index
// and signature.
func (m *FundingCreated) Encode(w *bytes.Buffer) error {
	w.Write(m.TemporaryChannelID[:])
	w.Write(m.FundingTxID[:])
	putU16(w, m.FundingOutputIndex)
	w.Write(m.Signature[:])
	return encodeTLVStream(w, m.Extra)
}

// Decode reads funding_created.
func (m *FundingCreated) Decode(r *Reader) (err error) {
	m.TemporaryChannelID = r.ChannelID("temporary_channel_id")
	m.FundingTxID = r.Hash("funding_txid")
	m.FundingOutputIndex = r.U16("funding_output_index")
	m.Signature = r.Sig("signature")
	m.Extra, err = r.Extension()
	return err
}
