package lnwire

import "bytes"

// MsgRevokeAndAck is the type of revoke_and_ack.
const MsgRevokeAndAck MessageType = 133

// RevokeAndAck revokes our previous commitment by revealing its secret and
// gives the point for our next one.
type RevokeAndAck struct {
	ChannelID              ChannelID
	PerCommitmentSecret    [32]byte
	NextPerCommitmentPoint Point
	Extra                  TLVRecords
}

var _ Message = (*RevokeAndAck)(nil)

// Type is MsgRevokeAndAck.
func (m *RevokeAndAck) Type() MessageType { return MsgRevokeAndAck }

// Encode writes channel_id, per_commitment_secret and
// next_per_commitment_point.
func (m *RevokeAndAck) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	w.Write(m.PerCommitmentSecret[:])
	w.Write(m.NextPerCommitmentPoint[:])
	return encodeTLVStream(w, m.Extra)
}

// Decode reads revoke_and_ack. Whether the secret matches the previous
// per-commitment point is the channel's check (BOLT 2: MUST send an
// `error` and fail the channel).
func (m *RevokeAndAck) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.PerCommitmentSecret = r.Bytes32("per_commitment_secret")
	m.NextPerCommitmentPoint = r.Point("next_per_commitment_point")
	m.Extra, err = r.Extension()
	return err
}
