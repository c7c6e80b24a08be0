package onion

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	sphinx "github.com/lightningnetwork/lightning-onion"

	"lnwasm/node/lnwire"
)

// Each fuzz target's seeds are added with f.Add, so `go test` runs them as
// ordinary tests; `go test -fuzz=FuzzX` explores from them.

// FuzzDecodeFailure: DecodeFailure never panics, and whatever it accepts
// re-encodes and decodes to an equal Failure. (The bytes may differ: a
// channel_update read without its type prefix is written with it, and the
// legacy short forms of incorrect_or_unknown_payment_details are written
// in full.)
func FuzzDecodeFailure(f *testing.F) {
	for _, c := range KnownCodes() {
		b, err := sampleFailure(c).Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte{0x20, 0x02})
	f.Add([]byte{0x40, 0x0f})
	f.Add([]byte{0x40, 0x16, 0xfd, 0x00, 0x01, 0x00, 0x00})
	f.Add([]byte{0x10, 0x07, 0x00, 0x02, 0x01, 0x02})
	f.Add([]byte{0x99, 0x99, 0x01})
	f.Fuzz(func(t *testing.T, data []byte) {
		f1, err := DecodeFailure(data)
		if err != nil {
			return
		}
		b, err := f1.Encode()
		if err != nil {
			t.Fatalf("decoded %x as %+v but cannot encode it: %v", data, f1, err)
		}
		f2, err := DecodeFailure(b)
		if err != nil {
			t.Fatalf("%x re-encoded as %x, which does not decode: %v", data, b, err)
		}
		if !reflect.DeepEqual(f1, f2) {
			t.Fatalf("%x: %+v re-decoded as %+v", data, f1, f2)
		}
		_ = f1.Error()
	})
}

// FuzzDecodePayload: DecodePayload never panics, and whatever it accepts
// re-encodes to exactly its input (every accepted encoding is canonical)
// and decodes to an equal Payload.
func FuzzDecodePayload(f *testing.F) {
	addPayloadSeeds(f)
	f.Add([]byte{0x02, 0x00, 0x04, 0x00}, true)
	f.Fuzz(func(t *testing.T, data []byte, final bool) {
		p1, err := DecodePayload(data, final)
		if err != nil {
			return
		}
		b, err := p1.Encode()
		if err != nil {
			t.Fatalf("decoded %x as %+v but cannot encode it: %v", data, p1, err)
		}
		if !bytes.Equal(b, data) {
			t.Fatalf("%x re-encodes as %x", data, b)
		}
		p2, err := DecodePayload(b, final)
		if err != nil || !reflect.DeepEqual(p1, p2) {
			t.Fatalf("%x: %+v re-decoded as %+v (%v)", data, p1, p2, err)
		}
	})
}

// FuzzPeel feeds Peel whole packets, seeded with the BOLT 4 onion and its
// corruptions, peeled with the first hop's key from the vector. Every
// outcome must be one the caller can answer: a Peeled with a payload, a
// *MalformedError with a BADONION code and the sha256 of exactly the
// packet given (for update_fail_malformed_htlc), or an
// invalid_onion_payload Failure with the shared secret to encrypt it.
func FuzzPeel(f *testing.F) {
	var v onionVector
	loadJSON(f, "bolt04_onion-test.json", &v)
	onion := mustHex(f, v.Onion)
	key := mustPriv(f, v.Decode[0])
	assoc := mustHex32(f, v.Generate.AssociatedData)
	f.Add(onion)
	for _, i := range []int{0, 1, 2, 40, len(onion) - 1} {
		bad := bytes.Clone(onion)
		bad[i] ^= 0x01
		f.Add(bad)
	}
	f.Add(onion[:100])
	f.Add(onionAround(f, key, sphinx.HopPayload{Type: sphinx.PayloadTLV, Payload: []byte{0x02, 0x01}}, assoc))
	f.Add(onionAround(f, key, sphinx.HopPayload{Type: sphinx.PayloadLegacy, Payload: make([]byte, 33)}, assoc))
	f.Fuzz(func(t *testing.T, data []byte) {
		var packet [lnwire.OnionPacketSize]byte
		copy(packet[:], data)
		p, err := Peel(key, packet, assoc, 0)
		checkPeel(t, packet, p, err)
	})
}

// checkPeel holds one Peel outcome to FuzzPeel's rules.
func checkPeel(t *testing.T, packet [lnwire.OnionPacketSize]byte, p *Peeled, err error) {
	t.Helper()
	var m *MalformedError
	var fail *Failure
	switch {
	case err == nil:
		if p == nil || p.Payload == nil || p.SharedSecret == [32]byte{} || p.Final != (p.Next == [lnwire.OnionPacketSize]byte{}) {
			t.Fatalf("peeled without a payload or secret: %+v", p)
		}
		if _, err := p.Payload.Encode(); err != nil {
			t.Fatalf("peeled payload %+v does not encode: %v", p.Payload, err)
		}
	case errors.As(err, &m):
		if p != nil || !m.Code.BadOnion() || m.OnionHash != sha256.Sum256(packet[:]) {
			t.Fatalf("malformed %s with hash %x (peeled %+v)", m.Code, m.OnionHash, p)
		}
		if back := m.Failure(); back.Code != m.Code || back.OnionHash != m.OnionHash || m.Error() == "" {
			t.Fatalf("malformed %s gives failure %+v", m.Code, back)
		}
	case errors.As(err, &fail):
		if fail.Code != CodeInvalidOnionPayload || !errors.Is(err, ErrInvalidPayload) ||
			p == nil || p.Payload != nil || p.SharedSecret == [32]byte{} {
			t.Fatalf("payload failure %+v (%v) with %+v", fail, err, p)
		}
	default:
		t.Fatalf("error %v is neither malformed nor a payload failure", err)
	}
}

// onionAround is a one-hop onion to key around a raw hop payload, as a
// careless or hostile sender might build it.
func onionAround(t testing.TB, key *btcec.PrivateKey, hop sphinx.HopPayload, assoc [32]byte) []byte {
	t.Helper()
	var path sphinx.PaymentPath
	path[0] = sphinx.OnionHop{NodePub: *key.PubKey(), HopPayload: hop}
	pkt, err := sphinx.NewOnionPacket(&path, testKey(1), assoc[:], sphinx.DeterministicPacketFiller)
	if err != nil {
		t.Fatal(err)
	}
	var out [lnwire.OnionPacketSize]byte
	if err := encodePacket(pkt, &out); err != nil {
		t.Fatal(err)
	}
	return out[:]
}

// FuzzPeelPayload fuzzes what lies behind the onion's HMAC, which random
// packets never get past: it wraps a fuzzed hop payload in a valid onion
// (alone when final, or followed by a valid final hop) and peels it. Peel
// must agree with DecodePayload on the same bytes: the same Payload, or a
// Failure naming the same record and offset; a forwarded packet must peel
// at the next hop.
func FuzzPeelPayload(f *testing.F) {
	addPayloadSeeds(f)
	f.Add(mustHex(f, "0202010004020100"+"640101"), true)
	f.Add(mustHex(f, "0202000104020100"), false)
	f.Add([]byte{}, true)
	f.Add([]byte{0x02}, false)
	first, next := testKey(0x31), testKey(0x32)
	last := testPayload(1, 2)
	final, err := last.Encode()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw []byte, isFinal bool) {
		var path sphinx.PaymentPath
		path[0] = sphinx.OnionHop{NodePub: *first.PubKey(), HopPayload: sphinx.HopPayload{Type: sphinx.PayloadTLV, Payload: raw}}
		if !isFinal {
			path[1] = sphinx.OnionHop{NodePub: *next.PubKey(), HopPayload: sphinx.HopPayload{Type: sphinx.PayloadTLV, Payload: final}}
		}
		pkt, err := sphinx.NewOnionPacket(&path, testKey(1), testAssoc[:], sphinx.DeterministicPacketFiller)
		if err != nil {
			return // too large for hop_payloads
		}
		var packet [lnwire.OnionPacketSize]byte
		if err := encodePacket(pkt, &packet); err != nil {
			t.Fatal(err)
		}
		p, err := Peel(first, packet, testAssoc, 0)
		checkPeel(t, packet, p, err)
		want, werr := DecodePayload(raw, isFinal)
		if err == nil {
			if werr != nil || !reflect.DeepEqual(p.Payload, want) || p.Final != isFinal {
				t.Fatalf("%x: peeled %+v (final %v), DecodePayload gives %+v (%v)", raw, p.Payload, p.Final, want, werr)
			}
			if !isFinal {
				if q, err := Peel(next, p.Next, testAssoc, 0); err != nil || !q.Final {
					t.Fatalf("%x: next hop cannot peel the forwarded packet: %v", raw, err)
				}
			}
			return
		}
		var fail *Failure
		if !errors.As(err, &fail) {
			t.Fatalf("%x: a valid onion peels as %v", raw, err)
		}
		if len(raw) == 0 {
			return // length 0 is the retired legacy format (BOLT 4)
		}
		if werr == nil {
			t.Fatalf("%x: Peel fails (%v) where DecodePayload accepts %+v", raw, err, want)
		}
		var pe *PayloadError
		if errors.As(werr, &pe) && (fail.Type != pe.Type || fail.Offset != pe.Offset) {
			t.Fatalf("%x: failure names type %d offset %d, DecodePayload type %d offset %d", raw, fail.Type, fail.Offset, pe.Type, pe.Offset)
		}
	})
}

// FuzzDecryptFailure holds the origin's side of failures to two rules. Any
// reason bytes decrypt to an erring hop on the route with a failure, or
// to an error wrapping ErrUnreadableFailure (with a hop but no failure
// when only the message was unreadable). And a failure that decodes,
// encrypted by the hop the fuzzer picks and wrapped by every hop before
// it, decrypts to that hop, its key and an equal failure.
func FuzzDecryptFailure(f *testing.F) {
	circuit, secrets, keys := fuzzRoute(f)
	var ev errorVector
	loadJSON(f, "bolt04_onion-error-test.json", &ev)
	msg := mustHex(f, ev.Generate.FailureMessage)
	f.Add(mustHex(f, ev.ErrorPacket), msg, byte(4))
	for i, c := range KnownCodes() {
		b, err := sampleFailure(c).Encode()
		if err != nil {
			f.Fatal(err)
		}
		reason, err := EncryptFailure(secrets[i%len(secrets)], sampleFailure(c))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(reason, b, byte(i))
	}
	f.Add([]byte{}, []byte{0x20, 0x02}, byte(0))
	f.Add(make([]byte, 300), []byte{0x40, 0x0f}, byte(2))
	f.Fuzz(func(t *testing.T, reason, failure []byte, hop byte) {
		ff, err := circuit.DecryptFailure(reason)
		switch {
		case err == nil:
			if ff == nil || ff.Failure == nil || ff.HopIndex < 0 || ff.HopIndex >= len(keys) || !ff.Node.IsEqual(keys[ff.HopIndex]) {
				t.Fatalf("%x decrypts to %+v", reason, ff)
			}
		case !errors.Is(err, ErrUnreadableFailure):
			t.Fatalf("%x: error %v does not wrap ErrUnreadableFailure", reason, err)
		case ff != nil && (ff.Failure != nil || ff.HopIndex < 0 || ff.HopIndex >= len(keys)):
			t.Fatalf("%x: unreadable, yet %+v", reason, ff)
		}
		if ff != nil && ff.Error() == "" {
			t.Fatalf("%x: %+v says nothing", reason, ff)
		}
		want, err := DecodeFailure(failure)
		if err != nil {
			return
		}
		i := int(hop) % len(secrets)
		r, err := EncryptFailure(secrets[i], want)
		if err != nil {
			return // too large for update_fail_htlc
		}
		for j := i - 1; j >= 0; j-- {
			r = WrapFailure(secrets[j], r)
		}
		ff, err = circuit.DecryptFailure(r)
		if err != nil || ff.HopIndex != i || !ff.Node.IsEqual(keys[i]) || !reflect.DeepEqual(ff.Failure, want) {
			t.Fatalf("%x from hop %d decrypts as %+v (%v)", failure, i, ff, err)
		}
	})
}

// fuzzRoute is a five-hop route: its circuit, every hop's shared secret
// as Peel derives it, and the hops' keys.
func fuzzRoute(t testing.TB) (*Circuit, [][32]byte, []*btcec.PublicKey) {
	const n = 5
	var hops []Hop
	var privs []*btcec.PrivateKey
	var pubs []*btcec.PublicKey
	for i := range n {
		k := testKey(byte(0x41 + i))
		privs, pubs = append(privs, k), append(pubs, k.PubKey())
		hops = append(hops, Hop{PubKey: k.PubKey(), Payload: testPayload(i, n)})
	}
	packet, circuit, err := New(testKey(0x01), hops, testAssoc)
	if err != nil {
		t.Fatal(err)
	}
	secrets := make([][32]byte, n)
	for i, k := range privs {
		p, err := Peel(k, packet, testAssoc, 0)
		if err != nil {
			t.Fatalf("peel hop %d: %v", i, err)
		}
		secrets[i], packet = p.SharedSecret, p.Next
	}
	return circuit, secrets, pubs
}

// addPayloadSeeds seeds a (payload, final) target with our sample payloads
// and the BOLT 4 vector's hop payloads.
func addPayloadSeeds(f *testing.F) {
	for _, c := range samplePayloads() {
		b, err := c.p.Encode()
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b, c.final)
	}
	var v onionVector
	loadJSON(f, "bolt04_onion-test.json", &v)
	for i, h := range v.Generate.Hops {
		f.Add(splitLengthPrefix(f, mustHex(f, h.Payload)), i == len(v.Generate.Hops)-1)
	}
}
