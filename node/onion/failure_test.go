package onion

import (
	"bytes"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"testing"

	"lnwasm/node/lnwire"
)

// TestFailureCodeValues pins every code's number and name to the BOLT 4
// list, flags spelled out as the spec writes them.
func TestFailureCodeValues(t *testing.T) {
	const bad, perm, node, update = 0x8000, 0x4000, 0x2000, 0x1000
	want := []struct {
		code  FailureCode
		value uint16
		name  string
	}{
		{CodeInvalidRealm, perm | 1, "invalid_realm"},
		{CodeTemporaryNodeFailure, node | 2, "temporary_node_failure"},
		{CodePermanentNodeFailure, perm | node | 2, "permanent_node_failure"},
		{CodeRequiredNodeFeatureMissing, perm | node | 3, "required_node_feature_missing"},
		{CodeInvalidOnionVersion, bad | perm | 4, "invalid_onion_version"},
		{CodeInvalidOnionHMAC, bad | perm | 5, "invalid_onion_hmac"},
		{CodeInvalidOnionKey, bad | perm | 6, "invalid_onion_key"},
		{CodeTemporaryChannelFailure, update | 7, "temporary_channel_failure"},
		{CodePermanentChannelFailure, perm | 8, "permanent_channel_failure"},
		{CodeRequiredChannelFeatureMissing, perm | 9, "required_channel_feature_missing"},
		{CodeUnknownNextPeer, perm | 10, "unknown_next_peer"},
		{CodeAmountBelowMinimum, update | 11, "amount_below_minimum"},
		{CodeFeeInsufficient, update | 12, "fee_insufficient"},
		{CodeIncorrectCLTVExpiry, update | 13, "incorrect_cltv_expiry"},
		{CodeExpiryTooSoon, update | 14, "expiry_too_soon"},
		{CodeIncorrectOrUnknownPaymentDetails, perm | 15, "incorrect_or_unknown_payment_details"},
		{CodeFinalIncorrectCLTVExpiry, 18, "final_incorrect_cltv_expiry"},
		{CodeFinalIncorrectHTLCAmount, 19, "final_incorrect_htlc_amount"},
		{CodeChannelDisabled, update | 20, "channel_disabled"},
		{CodeExpiryTooFar, 21, "expiry_too_far"},
		{CodeInvalidOnionPayload, perm | 22, "invalid_onion_payload"},
		{CodeMPPTimeout, 23, "mpp_timeout"},
		{CodeInvalidOnionBlinding, bad | perm | 24, "invalid_onion_blinding"},
	}
	if len(KnownCodes()) != len(want) {
		t.Fatalf("%d known codes, the spec defines %d", len(KnownCodes()), len(want))
	}
	for _, w := range want {
		if uint16(w.code) != w.value || w.code.String() != w.name || !w.code.Known() {
			t.Errorf("%s = %#04x, want %s = %#04x", w.code, uint16(w.code), w.name, w.value)
		}
	}
	if s := FailureCode(0x6001).String(); s != "unknown_failure_0x6001(PERM|NODE)" {
		t.Errorf("unknown code prints as %q", s)
	}
	c := CodeInvalidOnionHMAC
	if !c.BadOnion() || !c.Permanent() || c.NodeFailure() || c.HasUpdate() {
		t.Errorf("flags of %s misread", c)
	}
}

func sampleUpdate() *lnwire.ChannelUpdate {
	u := &lnwire.ChannelUpdate{
		ShortChannelID: lnwire.ShortChannelID(800000<<40 | 12<<16 | 1), Timestamp: 1700000000,
		MessageFlags: lnwire.MsgFlagMustBeOne, ChannelFlags: lnwire.ChanFlagDirection,
		CLTVExpiryDelta: 144, HTLCMinimumMsat: 1000, FeeBaseMsat: 1000,
		FeeProportionalMillionths: 100, HTLCMaximumMsat: 990000000,
	}
	u.Signature[0], u.Signature[63] = 0x30, 0x01
	u.ChainHash[0] = 0x6f
	return u
}

// sampleFailure fills every field c's code carries with a distinct value.
func sampleFailure(c FailureCode) *Failure {
	f := &Failure{Code: c}
	switch c {
	case CodeInvalidOnionVersion, CodeInvalidOnionHMAC, CodeInvalidOnionKey, CodeInvalidOnionBlinding:
		f.OnionHash = [32]byte{1, 2, 3, 31: 4}
	case CodeAmountBelowMinimum, CodeFeeInsufficient, CodeFinalIncorrectHTLCAmount:
		f.HTLCMsat = 123456789
	case CodeIncorrectCLTVExpiry, CodeFinalIncorrectCLTVExpiry:
		f.CLTVExpiry = 800144
	case CodeIncorrectOrUnknownPaymentDetails:
		f.HTLCMsat, f.Height = 5000, 800000
	case CodeChannelDisabled:
		f.Flags = 0
	case CodeInvalidOnionPayload:
		f.Type, f.Offset = 70000, 42
	}
	if c.HasUpdate() {
		f.ChannelUpdate = sampleUpdate()
	}
	return f
}

// TestFailureRoundTrip decodes every code's encoding back to the same
// Failure, and checks every strict prefix is refused (bar the legacy forms
// of incorrect_or_unknown_payment_details that end before a field).
func TestFailureRoundTrip(t *testing.T) {
	for _, c := range KnownCodes() {
		f := sampleFailure(c)
		b, err := f.Encode()
		if err != nil {
			t.Fatalf("%s: %v", c, err)
		}
		got, err := DecodeFailure(b)
		if err != nil {
			t.Fatalf("%s: decode %x: %v", c, b, err)
		}
		if !reflect.DeepEqual(got, f) {
			t.Errorf("%s: %+v came back as %+v", c, f, got)
		}
		for n := 0; n < len(b); n++ {
			legacy := c == CodeIncorrectOrUnknownPaymentDetails && (n == 2 || n == 10)
			if _, err := DecodeFailure(b[:n]); (err == nil) != legacy {
				t.Errorf("%s: %d of %d bytes: err %v", c, n, len(b), err)
			} else if err != nil && !errors.Is(err, ErrInvalidFailure) {
				t.Errorf("%s: %v does not wrap ErrInvalidFailure", c, err)
			}
		}
	}
}

// TestFailureUpdateWithoutPrefix reads a channel_update the historical
// way, without its 0x0102 type, as lnd does; we write it with the prefix.
func TestFailureUpdateWithoutPrefix(t *testing.T) {
	f := sampleFailure(CodeFeeInsufficient)
	var body bytes.Buffer
	if err := f.ChannelUpdate.Encode(&body); err != nil {
		t.Fatal(err)
	}
	b := binary.BigEndian.AppendUint16(nil, uint16(CodeFeeInsufficient))
	b = binary.BigEndian.AppendUint64(b, f.HTLCMsat)
	b = binary.BigEndian.AppendUint16(b, uint16(body.Len()))
	b = append(b, body.Bytes()...)
	got, err := DecodeFailure(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, f) {
		t.Fatalf("got %+v", got)
	}
	enc, err := got.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if prefix := enc[2+8+2 : 2+8+4]; !bytes.Equal(prefix, []byte{0x01, 0x02}) {
		t.Fatalf("channel_update written without its type: %x", prefix)
	}
}

func TestFailureExtraAndUnknown(t *testing.T) {
	tlv := []byte{0xfd, 0x84, 0xd1, 0x01, 0x80}
	withTLV := sampleFailure(CodeFinalIncorrectCLTVExpiry)
	withTLV.Data = tlv
	unknown := &Failure{Code: 0x2063, Data: []byte{1, 2, 3}}
	for _, f := range []*Failure{withTLV, unknown} {
		b, err := f.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(b, f.Data) {
			t.Errorf("%s: %x does not end with its data", f.Code, b)
		}
		got, err := DecodeFailure(b)
		if err != nil || !reflect.DeepEqual(got, f) {
			t.Errorf("%s: %+v (%v)", f.Code, got, err)
		}
	}
	if _, err := (&Failure{Code: CodeExpiryTooSoon}).Encode(); !errors.Is(err, ErrInvalidFailure) {
		t.Errorf("UPDATE code without channel_update encoded: %v", err)
	}
	if _, err := (&Failure{Code: CodeMPPTimeout, Data: make([]byte, 70000)}).Encode(); err == nil {
		t.Error("a failure longer than failure_len can say encoded")
	}
	garbledUpdate := []byte{0x10, 0x07, 0x00, 0x03, 0x01, 0x02, 0x00}
	if _, err := DecodeFailure(garbledUpdate); !errors.Is(err, ErrInvalidFailure) {
		t.Errorf("garbled channel_update decoded: %v", err)
	}
}

func TestFailureError(t *testing.T) {
	f := &Failure{Code: CodeTemporaryChannelFailure}
	if got, want := f.Error(), "temporary_channel_failure: a channel on the route could not carry the payment"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	f = sampleFailure(CodeFeeInsufficient)
	if got := f.Error(); !strings.Contains(got, "htlc_msat 123456789") || !strings.Contains(got, "channel_update for 800000x12x1") {
		t.Errorf("Error() = %q lacks the failure's data", got)
	}
	for _, c := range KnownCodes() {
		if got := sampleFailure(c).Error(); !strings.HasPrefix(got, c.String()+": ") {
			t.Errorf("%s: Error() = %q", c, got)
		}
	}
}
