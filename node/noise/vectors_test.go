package noise

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

// bolt08Vectors mirrors testdata/bolt08.json, a transcription of BOLT 8
// Appendix A. Hex strings carry no 0x prefix.
type bolt08Vectors struct {
	Initiator []handshakeVector `json:"initiator"`
	Responder []handshakeVector `json:"responder"`
	Messages  messageVector     `json:"messages"`
}

// handshakeVector is one named test of either role. For the initiator,
// act_one is its expected output and act_two its input; for the responder
// the reverse, with act_three an input. Error holds the spec's error name
// for the failure cases, which end at the act they name.
type handshakeVector struct {
	Name     string `json:"name"`
	RSPub    string `json:"rs_pub"`
	LSPriv   string `json:"ls_priv"`
	LSPub    string `json:"ls_pub"`
	EPriv    string `json:"e_priv"`
	EPub     string `json:"e_pub"`
	ActOne   string `json:"act_one"`
	ActTwo   string `json:"act_two"`
	ActThree string `json:"act_three"`
	CK       string `json:"ck"`
	SK       string `json:"sk"`
	RK       string `json:"rk"`
	Error    string `json:"error"`
}

// messageVector is the "transport-message test": the initiator sends
// "hello" Count times; Outputs lists the frames the spec shows.
type messageVector struct {
	CK      string `json:"ck"`
	SK      string `json:"sk"`
	RK      string `json:"rk"`
	Message string `json:"message"`
	Count   int    `json:"count"`
	Outputs []struct {
		Index int    `json:"index"`
		Frame string `json:"frame"`
	} `json:"outputs"`
	Rotations []struct {
		AfterMessages int    `json:"after_messages"`
		CK            string `json:"ck"`
		K             string `json:"k"`
	} `json:"rotations"`
}

// specErrors maps the spec's error names to the reason each must carry.
var specErrors = map[string]struct {
	act    int
	reason error
}{
	"ACT1_READ_FAILED":    {1, ErrActSize},
	"ACT1_BAD_VERSION":    {1, ErrBadVersion},
	"ACT1_BAD_PUBKEY":     {1, ErrBadPubKey},
	"ACT1_BAD_TAG":        {1, ErrBadMAC},
	"ACT2_READ_FAILED":    {2, ErrActSize},
	"ACT2_BAD_VERSION":    {2, ErrBadVersion},
	"ACT2_BAD_PUBKEY":     {2, ErrBadPubKey},
	"ACT2_BAD_TAG":        {2, ErrBadMAC},
	"ACT3_READ_FAILED":    {3, ErrActSize},
	"ACT3_BAD_VERSION":    {3, ErrBadVersion},
	"ACT3_BAD_CIPHERTEXT": {3, ErrBadMAC},
	"ACT3_BAD_PUBKEY":     {3, ErrBadPubKey},
	"ACT3_BAD_TAG":        {3, ErrBadMAC},
}

func loadBolt08(t testing.TB) *bolt08Vectors {
	t.Helper()
	raw, err := os.ReadFile("testdata/bolt08.json")
	if err != nil {
		t.Fatalf("reading vectors: %v", err)
	}
	var v bolt08Vectors
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("parsing vectors: %v", err)
	}
	if len(v.Initiator) != 5 || len(v.Responder) != 10 || len(v.Messages.Outputs) != 6 {
		t.Fatalf("vector file holds %d initiator, %d responder, %d message vectors; want 5, 10, 6",
			len(v.Initiator), len(v.Responder), len(v.Messages.Outputs))
	}
	return &v
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func unhex32(t testing.TB, s string) [32]byte {
	t.Helper()
	var k [32]byte
	if b := unhex(t, s); copy(k[:], b) != 32 || len(b) != 32 {
		t.Fatalf("want 32 bytes, got %d: %s", len(b), s)
	}
	return k
}

// privKey parses a private key and checks it against the vector's public key.
func privKey(t *testing.T, priv, wantPub string) *btcec.PrivateKey {
	t.Helper()
	k, pub := btcec.PrivKeyFromBytes(unhex(t, priv))
	if got := hex.EncodeToString(pub.SerializeCompressed()); got != wantPub {
		t.Fatalf("pubkey of %s = %s, vector says %s", priv, got, wantPub)
	}
	return k
}

// fixedEphemeral injects the vector's e.priv.
func fixedEphemeral(k *btcec.PrivateKey) Option {
	return WithEphemeralGen(func() (*btcec.PrivateKey, error) { return k, nil })
}

// checkSpecError asserts err is the *HandshakeError the spec's name implies.
func checkSpecError(t *testing.T, err error, name string) {
	t.Helper()
	want, ok := specErrors[name]
	if !ok {
		t.Fatalf("unknown spec error %q", name)
	}
	var he *HandshakeError
	if !errors.As(err, &he) || !errors.Is(err, ErrHandshake) {
		t.Fatalf("got %v, want a *HandshakeError (%s)", err, name)
	}
	if he.Act != want.act || !errors.Is(err, want.reason) {
		t.Fatalf("got act %d %v, want act %d %v (%s)", he.Act, err, want.act, want.reason, name)
	}
	t.Logf("%s: %v", name, err)
}

// checkSession compares the derived keys and chaining key byte for byte.
func checkSession(t *testing.T, s *Session, v handshakeVector, remote string) {
	t.Helper()
	if got := hex.EncodeToString(s.Send.key[:]); got != v.SK {
		t.Errorf("sk = %s, want %s", got, v.SK)
	}
	if got := hex.EncodeToString(s.Recv.key[:]); got != v.RK {
		t.Errorf("rk = %s, want %s", got, v.RK)
	}
	for _, c := range []*Cipher{s.Send, s.Recv} {
		if got := hex.EncodeToString(c.ck[:]); got != v.CK || c.nonce != 0 {
			t.Errorf("ck = %s nonce %d, want %s nonce 0", got, c.nonce, v.CK)
		}
	}
	if got := hex.EncodeToString(s.RemoteStatic.SerializeCompressed()); got != remote {
		t.Errorf("remote static = %s, want %s", got, remote)
	}
}

// TestBolt08InitiatorVectors replays Appendix A "Initiator Tests".
func TestBolt08InitiatorVectors(t *testing.T) {
	for _, v := range loadBolt08(t).Initiator {
		t.Run(v.Name, func(t *testing.T) {
			ls := privKey(t, v.LSPriv, v.LSPub)
			e := privKey(t, v.EPriv, v.EPub)
			rs, err := btcec.ParsePubKey(unhex(t, v.RSPub))
			if err != nil {
				t.Fatal(err)
			}
			in, err := NewInitiator(ls, rs, fixedEphemeral(e))
			if err != nil {
				t.Fatal(err)
			}
			act1, err := in.ActOne()
			if err != nil {
				t.Fatalf("ActOne: %v", err)
			}
			if !bytes.Equal(act1, unhex(t, v.ActOne)) {
				t.Fatalf("act one = %x, want %s", act1, v.ActOne)
			}
			act3, s, err := in.RecvActTwo(unhex(t, v.ActTwo))
			if v.Error != "" {
				checkSpecError(t, err, v.Error)
				return
			}
			if err != nil {
				t.Fatalf("RecvActTwo: %v", err)
			}
			if !bytes.Equal(act3, unhex(t, v.ActThree)) {
				t.Fatalf("act three = %x, want %s", act3, v.ActThree)
			}
			checkSession(t, s, v, v.RSPub)
		})
	}
}

// TestBolt08ResponderVectors replays Appendix A "Responder Tests".
func TestBolt08ResponderVectors(t *testing.T) {
	for _, v := range loadBolt08(t).Responder {
		t.Run(v.Name, func(t *testing.T) {
			ls := privKey(t, v.LSPriv, v.LSPub)
			e := privKey(t, v.EPriv, v.EPub)
			r, err := NewResponder(ls, fixedEphemeral(e))
			if err != nil {
				t.Fatal(err)
			}
			act2, err := r.RecvActOne(unhex(t, v.ActOne))
			if v.ActTwo == "" {
				checkSpecError(t, err, v.Error)
				return
			}
			if err != nil {
				t.Fatalf("RecvActOne: %v", err)
			}
			if !bytes.Equal(act2, unhex(t, v.ActTwo)) {
				t.Fatalf("act two = %x, want %s", act2, v.ActTwo)
			}
			s, err := r.RecvActThree(unhex(t, v.ActThree))
			if v.Error != "" {
				checkSpecError(t, err, v.Error)
				return
			}
			if err != nil {
				t.Fatalf("RecvActThree: %v", err)
			}
			checkSession(t, s, v, v.RSPub)
		})
	}
}

// TestBolt08MessageVectors replays Appendix A "Message Encryption Tests":
// "hello" sent 1001+ times, checking frames 0, 1, 500, 501, 1000 and 1001
// byte for byte, the rotated keys, and that a receiver decrypts every frame.
func TestBolt08MessageVectors(t *testing.T) {
	mv := loadBolt08(t).Messages
	ck := unhex32(t, mv.CK)
	send := newCipher(unhex32(t, mv.SK), ck)
	recv := newCipher(unhex32(t, mv.SK), ck) // the responder's rk is our sk
	msg := unhex(t, mv.Message)
	want := map[int]string{}
	for _, o := range mv.Outputs {
		want[o.Index] = o.Frame
	}
	rot := map[int][2]string{}
	for _, r := range mv.Rotations {
		rot[r.AfterMessages] = [2]string{r.CK, r.K}
	}
	for i := 0; i < mv.Count; i++ {
		if r, ok := rot[i]; ok {
			if got := hex.EncodeToString(send.ck[:]); got != r[0] {
				t.Errorf("before message %d: ck = %s, want %s", i, got, r[0])
			}
			if got := hex.EncodeToString(send.key[:]); got != r[1] {
				t.Errorf("before message %d: k = %s, want %s", i, got, r[1])
			}
		}
		frame, err := EncryptFrame(nil, send, msg)
		if err != nil {
			t.Fatal(err)
		}
		if w, ok := want[i]; ok && hex.EncodeToString(frame) != w {
			t.Errorf("output %d = %x, want %s", i, frame, w)
		}
		n, err := DecryptHeader(recv, frame[:HeaderSize])
		if err != nil || n != len(msg)+MACSize || n != len(frame)-HeaderSize {
			t.Fatalf("message %d: header: %d, %v", i, n, err)
		}
		got, err := DecryptBody(recv, frame[HeaderSize:])
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("message %d: body: %q, %v", i, got, err)
		}
	}
	if len(want) != 6 || len(rot) != 2 {
		t.Fatalf("checked %d outputs and %d rotations, want 6 and 2", len(want), len(rot))
	}
}
