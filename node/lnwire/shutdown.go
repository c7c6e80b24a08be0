package lnwire

import "bytes"

// MsgShutdown is the type of shutdown.
const MsgShutdown MessageType = 38

// Shutdown starts a mutual close and names where our funds go.
//
// BOLT 2, a sending node: MUST set `scriptpubkey` in one of the following
// forms: `OP_0` `20` 20-bytes, `OP_0` `32` 32-bytes, or (only if
// `option_shutdown_anysegwit` is negotiated) `OP_1` through `OP_16`
// followed by a single push of 2 to 40 bytes. Which forms are acceptable
// depends on negotiated features, so the channel checks it, not Decode.
type Shutdown struct {
	ChannelID    ChannelID
	ScriptPubKey []byte
	Extra        TLVRecords
}

var _ Message = (*Shutdown)(nil)

// Type is MsgShutdown.
func (m *Shutdown) Type() MessageType { return MsgShutdown }

// Encode writes channel_id, len and scriptpubkey.
func (m *Shutdown) Encode(w *bytes.Buffer) error {
	w.Write(m.ChannelID[:])
	if err := putVarBytes(w, "scriptpubkey", m.ScriptPubKey); err != nil {
		return err
	}
	return encodeTLVStream(w, m.Extra)
}

// Decode reads shutdown.
func (m *Shutdown) Decode(r *Reader) (err error) {
	m.ChannelID = r.ChannelID("channel_id")
	m.ScriptPubKey = r.VarBytes("scriptpubkey")
	m.Extra, err = r.Extension()
	return err
}
