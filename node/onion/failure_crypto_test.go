package onion

import (
	"bytes"
	"encoding/hex"
	"errors"
	"reflect"
	"testing"
)

// threeHopSecrets builds a 3-hop onion and peels it, returning the
// sender's circuit and each hop's shared secret.
func threeHopSecrets(t *testing.T) (*Circuit, [][32]byte) {
	t.Helper()
	keys, hops := testRoute(3)
	packet, circuit, err := New(testKey(0x01), hops, testAssoc)
	if err != nil {
		t.Fatal(err)
	}
	return circuit, peelAll(t, keys, hops, packet)
}

// sendBack encrypts f at hop erring and wraps it at every hop before it,
// as the reason reaches the origin.
func sendBack(t *testing.T, secrets [][32]byte, erring int, f *Failure) []byte {
	t.Helper()
	reason, err := EncryptFailure(secrets[erring], f)
	if err != nil {
		t.Fatal(err)
	}
	for i := erring - 1; i >= 0; i-- {
		reason = WrapFailure(secrets[i], reason)
	}
	return reason
}

func TestFailureThroughCircuit(t *testing.T) {
	circuit, secrets := threeHopSecrets(t)
	sc, err := circuit.sphinx()
	if err != nil {
		t.Fatal(err)
	}
	for erring := range secrets {
		for _, c := range []FailureCode{CodeFeeInsufficient, CodeIncorrectOrUnknownPaymentDetails, CodeInvalidOnionHMAC} {
			f := sampleFailure(c)
			reason := sendBack(t, secrets, erring, f)
			if len(reason) != 32+2+256+2 {
				t.Fatalf("%s: reason of %d bytes, want the 256-byte padding", c, len(reason))
			}
			ff, err := circuit.DecryptFailure(reason)
			if err != nil {
				t.Fatalf("hop %d %s: %v", erring, c, err)
			}
			if ff.HopIndex != erring || !ff.Node.IsEqual(sc.PaymentPath[erring]) {
				t.Errorf("%s from hop %d decrypted as from hop %d", c, erring, ff.HopIndex)
			}
			if !reflect.DeepEqual(ff.Failure, f) {
				t.Errorf("hop %d: %+v came back as %+v", erring, f, ff.Failure)
			}
		}
	}
}

func TestDecryptFailureUnreadable(t *testing.T) {
	circuit, secrets := threeHopSecrets(t)
	reason := sendBack(t, secrets, 2, &Failure{Code: CodeMPPTimeout})
	tampered := bytes.Clone(reason)
	tampered[100] ^= 1
	for name, r := range map[string][]byte{
		"tampered": tampered,
		"short":    reason[:291],
		"random":   bytes.Repeat([]byte{0x5a}, len(reason)),
		// Wrapped at hop 1 only: the origin's view misses hop 0's layer.
		"missing a layer": WrapFailure(secrets[1], mustEncrypt(t, secrets[2], &Failure{Code: CodeMPPTimeout})),
	} {
		ff, err := circuit.DecryptFailure(r)
		if ff != nil || !errors.Is(err, ErrUnreadableFailure) {
			t.Errorf("%s: %+v, %v", name, ff, err)
		}
	}

	// A hop whose HMAC is right but whose message is not: the origin
	// still learns who sent it.
	garbled := []byte{0x00, 0x03, 0x10, 0x0b, 0x00, 0x00, 0xfd}
	garbled = append(garbled, make([]byte, 253)...)
	reason = WrapFailure(secrets[0], encrypter(secrets[1]).EncryptError(true, garbled))
	ff, err := circuit.DecryptFailure(reason)
	if !errors.Is(err, ErrUnreadableFailure) || ff == nil || ff.HopIndex != 1 || ff.Failure != nil {
		t.Fatalf("garbled message: %+v, %v", ff, err)
	}
}

func mustEncrypt(t *testing.T, secret [32]byte, f *Failure) []byte {
	t.Helper()
	b, err := EncryptFailure(secret, f)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestEncryptFailurePadding checks failure_len plus pad_len: 256 when the
// message fits, 1024 for a longer one that fits that, else no padding.
func TestEncryptFailurePadding(t *testing.T) {
	secret := [32]byte{7}
	for _, c := range []struct{ data, total int }{
		{0, 256}, {254, 256}, {255, 1024}, {1022, 1024}, {1023, 1025},
	} {
		reason := mustEncrypt(t, secret, &Failure{Code: CodeMPPTimeout, Data: make([]byte, c.data)})
		if len(reason) != 32+2+c.total+2 {
			t.Errorf("%d-byte failure: reason of %d bytes, want %d", 2+c.data, len(reason), 32+2+c.total+2)
		}
	}
	if _, err := EncryptFailure(secret, nil); err == nil {
		t.Error("nil failure encrypted")
	}
	if _, err := EncryptFailure(secret, &Failure{Code: CodeMPPTimeout, Data: make([]byte, 65500)}); err == nil {
		t.Error("a failure too long for update_fail_htlc encrypted")
	}
}

func TestForwardingFailureError(t *testing.T) {
	circuit, secrets := threeHopSecrets(t)
	ff, err := circuit.DecryptFailure(sendBack(t, secrets, 1, &Failure{Code: CodeUnknownNextPeer}))
	if err != nil {
		t.Fatal(err)
	}
	want := "hop 1 (" + hex.EncodeToString(circuit.Hops[1]) + "): unknown_next_peer: the onion named a channel the node does not have"
	if ff.Error() != want {
		t.Errorf("Error() = %q, want %q", ff.Error(), want)
	}
}
