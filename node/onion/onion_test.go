package onion

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	sphinx "github.com/lightningnetwork/lightning-onion"

	"lnwasm/node/lnwire"
)

// testKey is a deterministic private key made of one repeated byte.
func testKey(b byte) *btcec.PrivateKey {
	k, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{b}, 32))
	return k
}

// testPayload is a valid payload for hop i of n: intermediate hops name a
// channel, the final one carries payment_data.
func testPayload(i, n int) Payload {
	p := Payload{AmtToForwardMsat: uint64(1000 * (n - i)), OutgoingCLTV: uint32(500 + 40*(n-i))}
	if i < n-1 {
		scid := lnwire.ShortChannelID(uint64(700000+i)<<40 | uint64(i)<<16 | 1)
		p.ShortChannelID = &scid
		return p
	}
	p.PaymentSecret = &[32]byte{0xaa, byte(i)}
	p.TotalMsat = 5000
	p.Metadata = []byte("metadata")
	return p
}

// testRoute is n hops with keys 0x11, 0x12, … and testPayloads.
func testRoute(n int) ([]*btcec.PrivateKey, []Hop) {
	keys := make([]*btcec.PrivateKey, n)
	hops := make([]Hop, n)
	for i := range hops {
		keys[i] = testKey(byte(0x11 + i))
		hops[i] = Hop{PubKey: keys[i].PubKey(), Payload: testPayload(i, n)}
	}
	return keys, hops
}

var testAssoc = [32]byte{0x42, 0x42}

// peelAll peels packet hop by hop, checking every payload and that only
// the last hop is final, and returns the shared secrets.
func peelAll(t *testing.T, keys []*btcec.PrivateKey, hops []Hop, packet [lnwire.OnionPacketSize]byte) [][32]byte {
	t.Helper()
	var secrets [][32]byte
	for i, key := range keys {
		p, err := Peel(key, packet, testAssoc, 800000)
		if err != nil {
			t.Fatalf("peel hop %d: %v", i, err)
		}
		if !reflect.DeepEqual(*p.Payload, hops[i].Payload) {
			t.Fatalf("hop %d payload %+v, want %+v", i, *p.Payload, hops[i].Payload)
		}
		last := i == len(keys)-1
		if p.Final != last {
			t.Fatalf("hop %d: Final %v", i, p.Final)
		}
		if last && p.Next != [lnwire.OnionPacketSize]byte{} {
			t.Fatalf("final hop has a next packet")
		}
		secrets = append(secrets, p.SharedSecret)
		packet = p.Next
	}
	return secrets
}

func TestBuildAndPeelThreeHops(t *testing.T) {
	keys, hops := testRoute(3)
	packet, circuit, err := New(testKey(0x01), hops, testAssoc)
	if err != nil {
		t.Fatal(err)
	}
	if len(circuit.Hops) != 3 {
		t.Fatalf("circuit has %d hops", len(circuit.Hops))
	}
	secrets := peelAll(t, keys, hops, packet)
	if secrets[0] == secrets[1] || secrets[1] == secrets[2] {
		t.Fatal("hops share a secret")
	}
}

func TestBuildAndPeelMaxHops(t *testing.T) {
	keys, hops := testRoute(MaxHops)
	packet, _, err := New(testKey(0x01), hops, testAssoc)
	if err != nil {
		t.Fatal(err)
	}
	peelAll(t, keys, hops, packet)
}

func TestNewRejects(t *testing.T) {
	_, hops := testRoute(3)
	tooMany := make([]Hop, MaxHops+1)
	_, long := testRoute(MaxHops + 1)
	copy(tooMany, long)
	finalWithSCID := append([]Hop{}, hops...)
	finalWithSCID[2].Payload.ShortChannelID = hops[0].Payload.ShortChannelID
	noSCID := append([]Hop{}, hops...)
	noSCID[1].Payload.ShortChannelID = nil
	middleSecret := append([]Hop{}, hops...)
	middleSecret[0].Payload.PaymentSecret = &[32]byte{1}
	noKey := append([]Hop{}, hops...)
	noKey[1].PubKey = nil
	huge := append([]Hop{}, hops...)
	huge[2].Payload.Metadata = make([]byte, 1200)
	for name, route := range map[string][]Hop{
		"no hops":                    nil,
		"too many hops":              tooMany,
		"final hop with scid":        finalWithSCID,
		"intermediate without scid":  noSCID,
		"intermediate payment_data":  middleSecret,
		"hop without key":            noKey,
		"payloads exceed 1300 bytes": huge,
	} {
		if _, _, err := New(testKey(1), route, testAssoc); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	if _, _, err := New(nil, hops, testAssoc); err == nil {
		t.Error("New without a session key succeeded")
	}
	if _, _, err := New(testKey(1), finalWithSCID, testAssoc); !errors.Is(err, ErrInvalidPayload) {
		t.Errorf("writer rule error %v does not wrap ErrInvalidPayload", err)
	}
}

// TestPeelMalformed checks each onion the receiver cannot process at all
// gives the BADONION code and the packet's sha256.
func TestPeelMalformed(t *testing.T) {
	keys, hops := testRoute(2)
	packet, _, err := New(testKey(1), hops, testAssoc)
	if err != nil {
		t.Fatal(err)
	}
	badVersion, badKey, badMAC := packet, packet, packet
	badVersion[0] = 1
	badKey[1] = 0x05
	badMAC[lnwire.OnionPacketSize-1] ^= 1
	cases := []struct {
		name   string
		key    *btcec.PrivateKey
		packet [lnwire.OnionPacketSize]byte
		assoc  [32]byte
		code   FailureCode
	}{
		{"version", keys[0], badVersion, testAssoc, CodeInvalidOnionVersion},
		{"ephemeral key", keys[0], badKey, testAssoc, CodeInvalidOnionKey},
		{"hmac", keys[0], badMAC, testAssoc, CodeInvalidOnionHMAC},
		{"wrong node", keys[1], packet, testAssoc, CodeInvalidOnionHMAC},
		{"wrong payment hash", keys[0], packet, [32]byte{1}, CodeInvalidOnionHMAC},
	}
	for _, c := range cases {
		_, err := Peel(c.key, c.packet, c.assoc, 0)
		var m *MalformedError
		if !errors.As(err, &m) {
			t.Errorf("%s: %v is not a MalformedError", c.name, err)
			continue
		}
		if m.Code != c.code || m.OnionHash != sha256.Sum256(c.packet[:]) {
			t.Errorf("%s: %s %x", c.name, m.Code, m.OnionHash)
		}
		if f := m.Failure(); f.Code != c.code || f.OnionHash != m.OnionHash {
			t.Errorf("%s: Failure() is %+v", c.name, f)
		}
	}
}

// rawOnion builds a one-hop onion around a raw hop payload, bypassing
// New's writer rules, as a careless or hostile sender might.
func rawOnion(t *testing.T, key *btcec.PrivateKey, hop sphinx.HopPayload) [lnwire.OnionPacketSize]byte {
	t.Helper()
	var path sphinx.PaymentPath
	path[0] = sphinx.OnionHop{NodePub: *key.PubKey(), HopPayload: hop}
	pkt, err := sphinx.NewOnionPacket(&path, testKey(1), testAssoc[:], sphinx.DeterministicPacketFiller)
	if err != nil {
		t.Fatal(err)
	}
	var out [lnwire.OnionPacketSize]byte
	if err := encodePacket(pkt, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestPeelInvalidPayload(t *testing.T) {
	key := testKey(0x21)
	cases := []struct {
		name   string
		hop    sphinx.HopPayload
		typ    uint64
		offset uint16
	}{
		// amt and cltv take bytes 0 to 7, so the record at fault in
		// most cases starts at offset 8.
		{"final with scid", tlvHop(t, "0202010004020100"+"06080000000000000001"), 6, 8},
		{"unknown even type", tlvHop(t, "0202010004020100"+"640101"), 100, 8},
		{"blinding record", tlvHop(t, "0202010004020100"+"0a0101"), 10, 8},
		{"missing cltv", tlvHop(t, "02020100"), 4, 0},
		{"non-minimal amount", tlvHop(t, "0202000104020100"), 2, 0},
		{"legacy hop_data", sphinx.HopPayload{Type: sphinx.PayloadLegacy, Payload: make([]byte, 33)}, 0, 0},
	}
	for _, c := range cases {
		_, err := Peel(key, rawOnion(t, key, c.hop), testAssoc, 0)
		var f *Failure
		if !errors.As(err, &f) {
			t.Errorf("%s: %v holds no Failure", c.name, err)
			continue
		}
		if f.Code != CodeInvalidOnionPayload || f.Type != c.typ || f.Offset != c.offset {
			t.Errorf("%s: %s type %d offset %d, want type %d offset %d", c.name, f.Code, f.Type, f.Offset, c.typ, c.offset)
		}
		if !errors.Is(err, ErrInvalidPayload) {
			t.Errorf("%s: %v does not wrap ErrInvalidPayload", c.name, err)
		}
	}
}

func tlvHop(t *testing.T, h string) sphinx.HopPayload {
	return sphinx.HopPayload{Type: sphinx.PayloadTLV, Payload: mustHex(t, h)}
}

func TestCircuitJSON(t *testing.T) {
	keys, hops := testRoute(3)
	packet, circuit, err := New(testKey(0x01), hops, testAssoc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(circuit)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"session_key":"0101`) {
		t.Fatalf("circuit JSON is not hex: %s", b)
	}
	var back Circuit
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, circuit) {
		t.Fatalf("circuit %+v came back as %+v", circuit, back)
	}
	secrets := peelAll(t, keys, hops, packet)
	reason, err := EncryptFailure(secrets[0], &Failure{Code: CodeTemporaryNodeFailure})
	if err != nil {
		t.Fatal(err)
	}
	if ff, err := back.DecryptFailure(reason); err != nil || ff.HopIndex != 0 {
		t.Fatalf("reloaded circuit: %+v, %v", ff, err)
	}
	for name, bad := range map[string]string{
		"bad hex":       `{"session_key":"zz","hops":["00"]}`,
		"zero key":      `{"session_key":"` + strings.Repeat("00", 32) + `","hops":["` + strings.Repeat("02", 33) + `"]}`,
		"short key":     `{"session_key":"01","hops":[]}`,
		"no hops":       `{"session_key":"` + strings.Repeat("01", 32) + `","hops":[]}`,
		"bad hop key":   `{"session_key":"` + strings.Repeat("01", 32) + `","hops":["` + strings.Repeat("05", 33) + `"]}`,
		"not an object": `[1]`,
	} {
		var c Circuit
		if err := json.Unmarshal([]byte(bad), &c); err == nil {
			t.Errorf("%s: unmarshal succeeded", name)
		}
	}
}
