package onion

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"golang.org/x/crypto/chacha20"

	"lnwasm/node/lnwire"
)

// onionVector is bolt04/onion-test.json.
type onionVector struct {
	Generate struct {
		SessionKey     string `json:"session_key"`
		AssociatedData string `json:"associated_data"`
		Hops           []struct {
			PubKey  string `json:"pubkey"`
			Payload string `json:"payload"`
		} `json:"hops"`
	} `json:"generate"`
	Onion  string   `json:"onion"`
	Decode []string `json:"decode"`
}

// errorVector is bolt04/onion-error-test.json.
type errorVector struct {
	Generate struct {
		SessionKey     string `json:"session_key"`
		FailureMessage string `json:"failure_message"`
		Hops           []struct {
			PubKey       string `json:"pubkey"`
			SharedSecret string `json:"hop_shared_secret"`
			AmmagKey     string `json:"ammag_key"`
			UmKey        string `json:"um_key"`
			Payload      string `json:"payload"`
		} `json:"hops"`
	} `json:"generate"`
	ErrorPacket string `json:"errorpacket"`
}

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
}

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("hex %q: %v", s, err)
	}
	return b
}

func mustHex32(t testing.TB, s string) [32]byte {
	t.Helper()
	b := mustHex(t, s)
	if len(b) != 32 {
		t.Fatalf("%s is %d bytes, want 32", s, len(b))
	}
	return [32]byte(b)
}

func mustPub(t testing.TB, s string) *btcec.PublicKey {
	t.Helper()
	k, err := btcec.ParsePubKey(mustHex(t, s))
	if err != nil {
		t.Fatalf("pubkey %s: %v", s, err)
	}
	return k
}

func mustPriv(t testing.TB, s string) *btcec.PrivateKey {
	t.Helper()
	k, _ := btcec.PrivKeyFromBytes(mustHex(t, s))
	return k
}

// splitLengthPrefix strips a hop_payload's bigsize length, which the vector
// includes and lightning-onion adds itself.
func splitLengthPrefix(t testing.TB, b []byte) []byte {
	t.Helper()
	r := bytes.NewReader(b)
	n, err := lnwire.ReadBigSize(r)
	if err != nil || n != uint64(r.Len()) {
		t.Fatalf("payload %x: length prefix %d (%v) does not match %d bytes", b, n, err, r.Len())
	}
	return b[len(b)-r.Len():]
}

// TestBolt04OnionVectors builds the onion of bolt04/onion-test.json from
// its session key, hop keys, payloads (decoded into Payload and encoded
// back, so our encoding is checked byte for byte too) and associated data,
// compares the packet, then peels it hop by hop with the hops' private
// keys ("decode") and gets every payload back.
func TestBolt04OnionVectors(t *testing.T) {
	var v onionVector
	loadJSON(t, "bolt04_onion-test.json", &v)
	assoc := mustHex32(t, v.Generate.AssociatedData)
	var hops []Hop
	for i, h := range v.Generate.Hops {
		raw := splitLengthPrefix(t, mustHex(t, h.Payload))
		p, err := DecodePayload(raw, i == len(v.Generate.Hops)-1)
		if err != nil {
			t.Fatalf("hop %d payload: %v", i, err)
		}
		enc, err := p.Encode()
		if err != nil || !bytes.Equal(enc, raw) {
			t.Fatalf("hop %d payload re-encodes as %x (%v), want %x", i, enc, err, raw)
		}
		hops = append(hops, Hop{PubKey: mustPub(t, h.PubKey), Payload: *p})
	}
	packet, circuit, err := New(mustPriv(t, v.Generate.SessionKey), hops, assoc)
	if err != nil {
		t.Fatal(err)
	}
	if want := mustHex(t, v.Onion); !bytes.Equal(packet[:], want) {
		t.Fatalf("onion\n got %x\nwant %x", packet, want)
	}
	for i, h := range hops {
		if !bytes.Equal(circuit.Hops[i], h.PubKey.SerializeCompressed()) {
			t.Errorf("circuit hop %d is %x", i, circuit.Hops[i])
		}
	}
	peelVector(t, &v, hops, packet, assoc)
}

// peelVector peels the vector's onion with each hop's private key from
// "decode" and checks the payloads and which hop is final.
func peelVector(t *testing.T, v *onionVector, hops []Hop, packet [lnwire.OnionPacketSize]byte, assoc [32]byte) {
	t.Helper()
	if len(v.Decode) != len(hops) {
		t.Fatalf("vector has %d private keys for %d hops", len(v.Decode), len(hops))
	}
	cur := packet
	for i, keyHex := range v.Decode {
		key := mustPriv(t, keyHex)
		if !key.PubKey().IsEqual(hops[i].PubKey) {
			t.Fatalf("decode key %d does not match hop %d's pubkey", i, i)
		}
		got, err := Peel(key, cur, assoc, 0)
		if err != nil {
			t.Fatalf("peel hop %d: %v", i, err)
		}
		if !reflect.DeepEqual(*got.Payload, hops[i].Payload) {
			t.Errorf("hop %d payload %+v, want %+v", i, *got.Payload, hops[i].Payload)
		}
		if last := i == len(hops)-1; got.Final != last {
			t.Errorf("hop %d: Final %v, want %v", i, got.Final, last)
		}
		cur = got.Next
	}
}

// ammagStream is the pseudo-random stream of an ammag key: ChaCha20 with a
// zero nonce over zeros.
func ammagStream(t *testing.T, key []byte, n int) []byte {
	t.Helper()
	c, err := chacha20.NewUnauthenticatedCipher(key, make([]byte, chacha20.NonceSize))
	if err != nil {
		t.Fatal(err)
	}
	out := make([]byte, n)
	c.XORKeyStream(out, out)
	return out
}

func xorBytes(a, b []byte) []byte {
	out := make([]byte, len(a))
	for i := range a {
		out[i] = a[i] ^ b[i]
	}
	return out
}

// routeSecrets builds an onion to the hops of onion-error-test.json and
// peels it with their private keys, which that file leaves out: its
// comment says the keys are those of the onion test, whose "decode" list
// holds them, and each is checked against the hop's pubkey here. It
// returns the circuit from the file's session key and every hop's shared
// secret as Peel derives it.
func routeSecrets(t *testing.T, v *errorVector) (*Circuit, [][32]byte) {
	t.Helper()
	var ov onionVector
	loadJSON(t, "bolt04_onion-test.json", &ov)
	n := len(v.Generate.Hops)
	hops := make([]Hop, n)
	circuit := &Circuit{SessionKey: mustHex(t, v.Generate.SessionKey)}
	for i, h := range v.Generate.Hops {
		hops[i] = Hop{PubKey: mustPub(t, h.PubKey), Payload: testPayload(i, n)}
		circuit.Hops = append(circuit.Hops, mustHex(t, h.PubKey))
	}
	packet, _, err := New(mustPriv(t, v.Generate.SessionKey), hops, [32]byte{})
	if err != nil {
		t.Fatal(err)
	}
	secrets := make([][32]byte, n)
	for i, h := range v.Generate.Hops {
		key := mustPriv(t, ov.Decode[i])
		if !key.PubKey().IsEqual(hops[i].PubKey) {
			t.Fatalf("onion-test key %d is not error-test hop %d's", i, i)
		}
		p, err := Peel(key, packet, [32]byte{}, 0)
		if err != nil {
			t.Fatalf("peel hop %d: %v", i, err)
		}
		if want := mustHex32(t, h.SharedSecret); p.SharedSecret != want {
			t.Errorf("hop %d shared secret %x, want %x", i, p.SharedSecret, want)
		}
		secrets[i], packet = p.SharedSecret, p.Next
	}
	return circuit, secrets
}

// TestBolt04OnionErrorVectors follows bolt04/onion-error-test.json: every
// hop's shared secret; the erring hop's padded payload and its HMAC under
// um_key; each hop's obfuscation against its ammag_key; the final packet
// byte for byte; and decryption at the origin back to the failure and the
// erring hop.
func TestBolt04OnionErrorVectors(t *testing.T) {
	var v errorVector
	loadJSON(t, "bolt04_onion-error-test.json", &v)
	circuit, secrets := routeSecrets(t, &v)
	n := len(v.Generate.Hops)
	failure, err := DecodeFailure(mustHex(t, v.Generate.FailureMessage))
	if err != nil {
		t.Fatal(err)
	}
	if failure.Code != CodeTemporaryNodeFailure {
		t.Fatalf("failure_message decodes as %s", failure.Code)
	}

	erring := v.Generate.Hops[n-1]
	reason, err := EncryptFailure(secrets[n-1], failure)
	if err != nil {
		t.Fatal(err)
	}
	plain := xorBytes(reason, ammagStream(t, mustHex(t, erring.AmmagKey), len(reason)))
	if want := mustHex(t, erring.Payload); !bytes.Equal(plain[32:], want) {
		t.Fatalf("erring hop payload\n got %x\nwant %x", plain[32:], want)
	}
	mac := hmac.New(sha256.New, mustHex(t, erring.UmKey))
	mac.Write(plain[32:])
	if !hmac.Equal(plain[:32], mac.Sum(nil)) {
		t.Fatalf("hmac %x is not HMAC(um_key, payload)", plain[:32])
	}
	for i := n - 2; i >= 0; i-- {
		next := WrapFailure(secrets[i], reason)
		stream := ammagStream(t, mustHex(t, v.Generate.Hops[i].AmmagKey), len(reason))
		if !bytes.Equal(xorBytes(next, reason), stream) {
			t.Fatalf("hop %d did not obfuscate with its ammag_key", i)
		}
		reason = next
	}
	want := mustHex(t, v.ErrorPacket)
	if !bytes.Equal(reason, want) {
		t.Fatalf("error packet\n got %x\nwant %x", reason, want)
	}

	ff, err := circuit.DecryptFailure(want)
	if err != nil {
		t.Fatal(err)
	}
	if ff.HopIndex != n-1 || !ff.Node.IsEqual(mustPub(t, erring.PubKey)) {
		t.Fatalf("decrypted from hop %d (%x), want %d", ff.HopIndex, ff.Node.SerializeCompressed(), n-1)
	}
	if enc, err := ff.Failure.Encode(); err != nil || !bytes.Equal(enc, mustHex(t, v.Generate.FailureMessage)) {
		t.Fatalf("decrypted failure encodes as %x (%v)", enc, err)
	}
}

// TestBolt04ErrorTraceLargeFailure follows the error trace in the text of
// BOLT 4 ("Test Vector / Returning Errors"), whose failure is
// incorrect_or_unknown_payment_details with a 300-byte TLV extension,
// padded to 1024. Only its beginnings are quoted here: the first 32 bytes
// are the HMAC over the whole padded message, so matching them at the
// erring node checks every byte of the padding.
func TestBolt04ErrorTraceLargeFailure(t *testing.T) {
	var v errorVector
	loadJSON(t, "bolt04_onion-error-test.json", &v)
	circuit, secrets := routeSecrets(t, &v)
	n := len(secrets)
	var ext bytes.Buffer
	ext.Write(mustHex(t, "fd84d1fd012c")) // type 34001, length 300
	ext.Write(bytes.Repeat([]byte{0x80}, 300))
	f := &Failure{Code: CodeIncorrectOrUnknownPaymentDetails, HTLCMsat: 100, Height: 800000, Data: ext.Bytes()}
	enc, err := f.Encode()
	if err != nil {
		t.Fatal(err)
	}
	wantMsg := append(mustHex(t, "400f0000000000000064000c3500"), ext.Bytes()...)
	if !bytes.Equal(enc, wantMsg) {
		t.Fatalf("encoded_failure_message %x", enc)
	}
	reason, err := EncryptFailure(secrets[n-1], f)
	if err != nil {
		t.Fatal(err)
	}
	if len(reason) != 32+2+1024+2 {
		t.Fatalf("error packet of %d bytes", len(reason))
	}
	if want := mustHex(t, "146e94a9086dbbed6a0ab6932d00c118a7195dbf69b7d7a12b0e6956fc54b5e0"); !bytes.Equal(reason[:32], want) {
		t.Fatalf("error packet for node 4 starts %x", reason[:32])
	}
	for i := n - 2; i >= 0; i-- {
		reason = WrapFailure(secrets[i], reason)
	}
	if want := mustHex(t, "2dd2f49c1f5af0fcad371d96e8cddbdcd5096dc309c1d4e110f955926506b3c0"); !bytes.Equal(reason[:32], want) {
		t.Fatalf("error packet for node 0 starts %x", reason[:32])
	}
	ff, err := circuit.DecryptFailure(reason)
	if err != nil {
		t.Fatal(err)
	}
	if ff.HopIndex != n-1 || !reflect.DeepEqual(ff.Failure, f) {
		t.Fatalf("decrypted %+v from hop %d", ff.Failure, ff.HopIndex)
	}
}
