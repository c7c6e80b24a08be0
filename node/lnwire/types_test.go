package lnwire

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/btcec/v2/ecdsa"
	"github.com/btcsuite/btcd/chaincfg/chainhash"
)

func TestShortChannelID(t *testing.T) {
	s, err := NewShortChannelID(539268, 845, 1)
	if err != nil {
		t.Fatal(err)
	}
	if s.String() != "539268x845x1" || s.BlockHeight() != 539268 || s.TxIndex() != 845 || s.OutputIndex() != 1 {
		t.Fatalf("got %s", s)
	}
	if uint64(s) != 539268<<40|845<<16|1 {
		t.Fatalf("packed %x", uint64(s))
	}
	if _, err := NewShortChannelID(1<<24, 0, 0); err == nil {
		t.Fatal("block height beyond 3 bytes accepted")
	}
	if ShortChannelID(0xffffffffffffffff).String() != "16777215x16777215x65535" {
		t.Fatal("max scid")
	}
}

func TestChannelIDFromOutpoint(t *testing.T) {
	var txid chainhash.Hash
	for i := range txid {
		txid[i] = byte(i)
	}
	id := NewChannelID(txid, 0x0102)
	if !bytes.Equal(id[:30], txid[:30]) || id[30] != 30^0x01 || id[31] != 31^0x02 {
		t.Fatalf("channel id %s", id)
	}
	if NewChannelID(txid, 0) != ChannelID(txid) {
		t.Fatal("output 0 must leave the txid unchanged")
	}
	if !(ChannelID{}).IsZero() || id.IsZero() {
		t.Fatal("IsZero")
	}
	fc := FundingCreated{FundingTxID: txid, FundingOutputIndex: 0x0102}
	if fc.ChannelID() != id {
		t.Fatal("FundingCreated.ChannelID")
	}
}

func TestPointValidation(t *testing.T) {
	_, pub := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{1}, 32))
	p := NewPoint(pub)
	if q, err := ParsePoint(p[:]); err != nil || q != p {
		t.Fatalf("parse own point: %v", err)
	}
	bad := p
	bad[0] = 0x04
	if _, err := ParsePoint(bad[:]); !errors.Is(err, ErrInvalidPoint) {
		t.Fatalf("prefix 04: %v", err)
	}
	if _, err := ParsePoint(make([]byte, 33)); !errors.Is(err, ErrInvalidPoint) {
		t.Fatalf("zero point: %v", err)
	}
	if _, err := ParsePoint(p[:32]); !errors.Is(err, ErrInvalidPoint) {
		t.Fatalf("short point: %v", err)
	}
}

func TestSigECDSARoundTrip(t *testing.T) {
	priv, pub := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{7}, 32))
	for i := 0; i < 20; i++ {
		hash := sha256.Sum256([]byte{byte(i)})
		sig, err := NewSigFromECDSA(ecdsa.Sign(priv, hash[:]))
		if err != nil {
			t.Fatal(err)
		}
		back, err := sig.ToECDSA()
		if err != nil {
			t.Fatal(err)
		}
		if !back.Verify(hash[:], pub) {
			t.Fatalf("signature %s does not verify after a round trip", sig)
		}
	}
	if _, err := (Sig{}).ToECDSA(); !errors.Is(err, ErrInvalidSig) {
		t.Fatalf("zero signature: %v", err)
	}
	var high Sig
	for i := range high {
		high[i] = 0xff
	}
	if _, err := high.ToECDSA(); !errors.Is(err, ErrInvalidSig) {
		t.Fatalf("R >= N: %v", err)
	}
}

// TestErrorRendering: BOLT 1, if `data` is not composed solely of printable
// ASCII characters: SHOULD NOT print out `data` verbatim.
func TestErrorRendering(t *testing.T) {
	e := &Error{Data: []byte("funding tx not found")}
	if s := e.String(); s != `error for all channels: "funding tx not found"` {
		t.Fatalf("%q", s)
	}
	w := &Warning{ChannelID: ChannelID{31: 1}, Data: []byte("bad\x1b[31m\n\xff\"\\")}
	s := w.String()
	if strings.ContainsAny(s, "\x1b\n\xff") || !strings.Contains(s, `bad\x1b[31m\x0a\xff\"\\`) {
		t.Fatalf("%q", s)
	}
	if !strings.HasPrefix(s, "warning for channel 00000000") {
		t.Fatalf("%q", s)
	}
	long := PrintableData(bytes.Repeat([]byte{'a'}, 600))
	if !strings.HasSuffix(long, `" (88 more bytes)`) {
		t.Fatalf("long data rendered as %q", long[len(long)-30:])
	}
}

// TestPingPong: BOLT 1, if `num_pong_bytes` is less than 65532: MUST
// respond [...] otherwise: MUST ignore the `ping`.
func TestPingPong(t *testing.T) {
	p := &Ping{NumPongBytes: 65531}
	if !p.WantsPong() || len(p.Pong().Ignored) != 65531 {
		t.Fatal("65531 asks for a pong of 65531 bytes")
	}
	p.NumPongBytes = 65532
	if p.WantsPong() || p.Pong() != nil {
		t.Fatal("65532 asks for no pong")
	}
	p.NumPongBytes = 0
	if !p.WantsPong() || len(p.Pong().Ignored) != 0 {
		t.Fatal("0 asks for an empty pong")
	}
}

func TestInitCombined(t *testing.T) {
	m := &Init{GlobalFeatures: NewFeatureVector(1, 5), Features: NewFeatureVector(8)}
	if got := m.Combined(); got.String() != NewFeatureVector(1, 5, 8).String() {
		t.Fatalf("combined %v", got)
	}
}

func TestAmounts(t *testing.T) {
	if Satoshi(5).ToMilliSatoshi() != 5000 || MilliSatoshi(5999).ToSatoshi() != 5 {
		t.Fatal("conversion")
	}
	if Satoshi(5).String() != "5 sat" || MilliSatoshi(7).String() != "7 msat" {
		t.Fatal("String")
	}
}

// TestSigHighSRefused: a signature with S above N/2 is refused by ToECDSA
// (the fuzz target FuzzSigECDSA found that such a signature came back from
// NewSigFromECDSA with S negated; its input is kept under testdata/fuzz).
func TestSigHighSRefused(t *testing.T) {
	priv, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{9}, 32))
	hash := sha256.Sum256([]byte("high s"))
	low, err := NewSigFromECDSA(ecdsa.Sign(priv, hash[:]))
	if err != nil {
		t.Fatal(err)
	}
	var s, n btcec.ModNScalar
	s.SetByteSlice(low[32:])
	n.NegateVal(&s)
	high := low
	b := n.Bytes()
	copy(high[32:], b[:])
	if _, err := high.ToECDSA(); !errors.Is(err, ErrInvalidSig) {
		t.Fatalf("high-S signature accepted: %v", err)
	}
	if _, err := low.ToECDSA(); err != nil {
		t.Fatalf("low-S signature refused: %v", err)
	}
}
