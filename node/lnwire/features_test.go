package lnwire

import (
	"bytes"
	"errors"
	"reflect"
	"testing"
)

func TestFeatureVectorEncoding(t *testing.T) {
	f := NewFeatureVector(0, 9)
	if got := f.Encode(); !bytes.Equal(got, []byte{0x02, 0x01}) {
		t.Fatalf("bits 0,9 encode as %x, want 0201", got)
	}
	// Leading zero bytes are accepted and dropped: the same vector.
	if g := DecodeFeatureVector([]byte{0, 0, 0x02, 0x01}); !reflect.DeepEqual(g, f) {
		t.Fatalf("padded decode %v, want %v", g, f)
	}
	if !reflect.DeepEqual(DecodeFeatureVector([]byte{0, 0}), FeatureVector{}) || (FeatureVector{}).Encode() != nil {
		t.Fatal("an all-zero vector is not the empty vector")
	}
	if got := f.Bits(); !reflect.DeepEqual(got, []FeatureBit{0, 9}) {
		t.Fatalf("bits %v", got)
	}
}

func TestFeatureVectorSetIsCopyOnWrite(t *testing.T) {
	a := NewFeatureVector(1)
	b := a
	b.Set(3)
	b.Unset(1)
	if !a.Has(1) || a.Has(3) || b.Has(1) || !b.Has(3) {
		t.Fatalf("copies share changes: a=%v b=%v", a, b)
	}
	b.Unset(3)
	if !reflect.DeepEqual(b, FeatureVector{}) {
		t.Fatalf("unsetting every bit left %#v", b)
	}
}

func TestFeatureVectorQueries(t *testing.T) {
	f := NewFeatureVector(PaymentSecretRequired, BasicMPPOptional)
	switch {
	case !f.Supports(PaymentSecretOptional) || !f.Requires(PaymentSecretOptional):
		t.Fatal("payment_secret should be supported and required")
	case !f.Supports(BasicMPPRequired) || f.Requires(BasicMPPRequired):
		t.Fatal("basic_mpp should be supported, not required")
	case f.Supports(ZeroConfRequired):
		t.Fatal("zero_conf is not set")
	}
	if s := f.String(); s != "[payment_secret(14) basic_mpp(17)]" {
		t.Fatalf("String %q", s)
	}
	u := f.Union(NewFeatureVector(100))
	if !u.Has(100) || !u.Has(14) || f.Has(100) {
		t.Fatalf("union %v", u)
	}
}

func TestFeatureDependencies(t *testing.T) {
	if err := DefaultFeatures().ValidateDependencies(); err != nil {
		t.Fatalf("our own default vector: %v", err)
	}
	err := NewFeatureVector(BasicMPPOptional).ValidateDependencies()
	var md *ErrMissingDependency
	if !errors.As(err, &md) || md.Missing != PaymentSecretRequired {
		t.Fatalf("basic_mpp without payment_secret: %v", err)
	}
	// BOLT 9: payment_secret depends on var_onion_optin.
	if err := NewFeatureVector(PaymentSecretOptional).ValidateDependencies(); err == nil {
		t.Fatal("payment_secret without var_onion_optin validated")
	}
	// Transitive: basic_mpp -> payment_secret -> var_onion_optin.
	if err := NewFeatureVector(BasicMPPOptional, PaymentSecretOptional).ValidateDependencies(); err == nil {
		t.Fatal("basic_mpp without var_onion_optin validated")
	}
}

// lndFeatures is what an lnd 0.18 node puts in init (from its default
// feature set): the four required bits our default vector mirrors, and
// optional bits of features we do not have.
var lndFeatures = NewFeatureVector(
	DataLossProtectRequired, UpfrontShutdownScriptOptional, GossipQueriesOptional,
	VarOnionOptinRequired, GossipQueriesExOptional, StaticRemoteKeyRequired,
	PaymentSecretRequired, BasicMPPOptional, AnchorsZeroFeeHTLCTxOptional,
	RouteBlindingOptional, ShutdownAnySegwitOptional, 31 /* amp */, ChannelTypeOptional,
	ScidAliasOptional, ZeroConfOptional, 55 /* keysend */, 181, 2023,
)

func TestNegotiateWithLnd(t *testing.T) {
	agreed, err := Negotiate(DefaultFeatures(), lndFeatures)
	if err != nil {
		t.Fatal(err)
	}
	want := NewFeatureVector(
		DataLossProtectRequired, GossipQueriesOptional, VarOnionOptinRequired,
		StaticRemoteKeyRequired, PaymentSecretRequired, BasicMPPOptional,
		AnchorsZeroFeeHTLCTxOptional, ShutdownAnySegwitOptional, ChannelTypeOptional,
	)
	if !reflect.DeepEqual(agreed, want) {
		t.Fatalf("agreed %v, want %v", agreed, want)
	}
	// And the other way round: lnd's view of us.
	if _, err := Negotiate(lndFeatures, DefaultFeatures()); err != nil {
		t.Fatalf("lnd would refuse us: %v", err)
	}
}

func TestNegotiateUnknownRequired(t *testing.T) {
	theirs := NewFeatureVector(DataLossProtectRequired, 100, 103)
	_, err := Negotiate(DefaultFeatures(), theirs)
	var ur *ErrUnknownRequired
	if !errors.As(err, &ur) || !reflect.DeepEqual(ur.Bits, []FeatureBit{100}) {
		t.Fatalf("error %v, want ErrUnknownRequired{100}", err)
	}
	if err.Error() != "peer requires feature bit 100 which we do not know" {
		t.Fatalf("reason %q", err.Error())
	}
	_, err = Negotiate(DefaultFeatures(), NewFeatureVector(100, 102))
	if err == nil || err.Error() != "peer requires feature bits 100, 102 which we do not know" {
		t.Fatalf("reason %v", err)
	}
	// A required bit we support as optional is fine; it becomes required.
	agreed, err := Negotiate(DefaultFeatures(), NewFeatureVector(ChannelTypeRequired))
	if err != nil || !agreed.Has(ChannelTypeRequired) {
		t.Fatalf("channel_type required by peer: %v %v", agreed, err)
	}
}

func TestNegotiateDependencies(t *testing.T) {
	ours := DefaultFeatures()
	ours.Set(ZeroConfOptional)
	// zero_conf depends on scid_alias, which is not ASSUMED.
	if _, err := Negotiate(ours, NewFeatureVector(ZeroConfOptional)); err == nil {
		t.Fatal("peer offering zero_conf without scid_alias accepted")
	}
	// payment_secret depends on var_onion_optin, which BOLT 9 now ASSUMES:
	// a peer that stopped setting bit 8/9 is still accepted.
	if _, err := Negotiate(DefaultFeatures(), NewFeatureVector(PaymentSecretRequired)); err != nil {
		t.Fatalf("peer omitting an ASSUMED dependency: %v", err)
	}
}

// TestNegotiateOurEvenBit: BOLT 1, a feature is negotiated if [...] the
// local node offered it as even.
func TestNegotiateOurEvenBit(t *testing.T) {
	agreed, err := Negotiate(DefaultFeatures(), FeatureVector{})
	if err != nil {
		t.Fatal(err)
	}
	want := NewFeatureVector(DataLossProtectRequired, VarOnionOptinRequired,
		StaticRemoteKeyRequired, PaymentSecretRequired)
	if !reflect.DeepEqual(agreed, want) {
		t.Fatalf("agreed %v, want %v", agreed, want)
	}
}

// TestNegotiateHugeVector: a peer setting every bit of a 65531-byte vector
// gets a bounded error, not a quarter-million-entry one.
func TestNegotiateHugeVector(t *testing.T) {
	all := bytes.Repeat([]byte{0xff}, MaxPongBytes)
	_, err := Negotiate(DefaultFeatures(), DecodeFeatureVector(all))
	var ur *ErrUnknownRequired
	if !errors.As(err, &ur) || len(ur.Bits) != maxReportedBits || ur.Bits[0] != 2 {
		t.Fatalf("error %v", err)
	}
}
