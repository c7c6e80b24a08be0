package lnwire

import (
	"bytes"

	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

// MsgChannelReestablish is the type of channel_reestablish.
const MsgChannelReestablish MessageType = 136

// ChannelReestablish resumes a channel on a new connection: each side says
// which commitment and revocation it expects next, and proves what it last
// saw.
type ChannelReestablish struct {
	ChannelID ChannelID
	// NextCommitmentNumber is the commitment number of the next
	// commitment_signed the sender expects to receive.
	NextCommitmentNumber uint64
	// NextRevocationNumber is the commitment number of the next
	// revoke_and_ack the sender expects to receive.
	NextRevocationNumber uint64
	// YourLastPerCommitmentSecret is all zeroes while NextRevocationNumber
	// is 0.
	YourLastPerCommitmentSecret [32]byte
	// MyCurrentPerCommitmentPoint is checked to be a valid point.
	//
	// BOLT 2, a receiving node: MUST ignore
	// `my_current_per_commitment_point`, but MAY require it to be a valid
	// point.
	MyCurrentPerCommitmentPoint Point
	// NextFundingTxID (type 0, next_funding) names an interactive funding
	// transaction whose signatures are still being exchanged.
	NextFundingTxID Optional[chainhash.Hash]
	Extra           TLVRecords
}

var _ Message = (*ChannelReestablish)(nil)

// Type is MsgChannelReestablish.
func (m *ChannelReestablish) Type() MessageType { return MsgChannelReestablish }

func (m *ChannelReestablish) tlvs() []tlvField {
	return []tlvField{optField(0, &m.NextFundingTxID, hashCodec)}
}

// Encode writes the fields in BOLT 2 order, then channel_reestablish_tlvs.
func (m *ChannelReestablish) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	putU64(w, m.NextCommitmentNumber)
	putU64(w, m.NextRevocationNumber)
	w.Write(m.YourLastPerCommitmentSecret[:])
	w.Write(m.MyCurrentPerCommitmentPoint[:])
	return encodeTLVStream(w, m.Extra, m.tlvs()...)
}

// Decode reads channel_reestablish.
func (m *ChannelReestablish) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.NextCommitmentNumber = r.U64("next_commitment_number")
	m.NextRevocationNumber = r.U64("next_revocation_number")
	m.YourLastPerCommitmentSecret = r.Bytes32("your_last_per_commitment_secret")
	m.MyCurrentPerCommitmentPoint = r.Point("my_current_per_commitment_point")
	m.Extra, err = r.Extension(m.tlvs()...)
	return err
}
