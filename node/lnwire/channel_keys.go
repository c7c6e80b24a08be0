package lnwire

import "bytes"

// ChannelKeys are the six points each side reveals when opening a v1
// channel. open_channel and accept_channel carry them in this order, so
// both embed this struct and share its reading and writing.
type ChannelKeys struct {
	// FundingPubkey is this side's key in the 2-of-2 funding output.
	FundingPubkey Point
	// The basepoints derive each commitment's keys (BOLT 3); varying them
	// per commitment keeps commitment txids unpredictable.
	RevocationBasepoint     Point
	PaymentBasepoint        Point
	DelayedPaymentBasepoint Point
	HTLCBasepoint           Point
	// FirstPerCommitmentPoint is for commitment number 0.
	FirstPerCommitmentPoint Point
}

func (k *ChannelKeys) write(w *bytes.Buffer) {
	for _, p := range []*Point{
		&k.FundingPubkey, &k.RevocationBasepoint, &k.PaymentBasepoint,
		&k.DelayedPaymentBasepoint, &k.HTLCBasepoint, &k.FirstPerCommitmentPoint,
	} {
		w.Write(p[:])
	}
}

func (k *ChannelKeys) read(r *Reader) {
	k.FundingPubkey = r.Point("funding_pubkey")
	k.RevocationBasepoint = r.Point("revocation_basepoint")
	k.PaymentBasepoint = r.Point("payment_basepoint")
	k.DelayedPaymentBasepoint = r.Point("delayed_payment_basepoint")
	k.HTLCBasepoint = r.Point("htlc_basepoint")
	k.FirstPerCommitmentPoint = r.Point("first_per_commitment_point")
}

// OpeningTLVs is the extension open_channel and accept_channel share
// (open_channel_tlvs, accept_channel_tlvs).
type OpeningTLVs struct {
	// UpfrontShutdownScript (type 0) commits to where mutual-close funds
	// go. Present and empty means "no commitment".
	//
	// BOLT 2, the sending node: if it includes `open_channel_tlvs`: MUST
	// include `upfront_shutdown_script`. Encode writes exactly what is set,
	// so a sender setting ChannelType sets this too.
	UpfrontShutdownScript Optional[[]byte]
	// ChannelType (type 1) is the commitment format asked for, as even
	// feature bits (BOLT 2 "Defined Channel Types").
	ChannelType Optional[FeatureVector]

	Extra TLVRecords
}

func (t *OpeningTLVs) tlvs() []tlvField {
	return []tlvField{
		optField(0, &t.UpfrontShutdownScript, bytesCodec),
		optField(1, &t.ChannelType, featuresCodec),
	}
}

func (t *OpeningTLVs) write(w *bytes.Buffer) error {
	return encodeTLVStream(w, t.Extra, t.tlvs()...)
}

func (t *OpeningTLVs) read(r *Reader) (err error) {
	t.Extra, err = r.Extension(t.tlvs()...)
	return err
}
