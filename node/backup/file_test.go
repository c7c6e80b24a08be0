package backup

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
	"github.com/btcsuite/btcd/chaincfg"

	"lnwasm/node/keys"
)

var fast = keys.ScryptParams{LogN: 10, R: 1, P: 1}

func testKey(b byte) Pubkey {
	priv, _ := btcec.PrivKeyFromBytes(bytes.Repeat([]byte{b}, 32))
	var p Pubkey
	copy(p[:], priv.PubKey().SerializeCompressed())
	return p
}

func sampleFile() *File {
	ch := func(i byte, typ string) Channel {
		return Channel{
			ChannelPoint: strings.Repeat(string('a'+rune(i)), 64) + ":1", ShortChannelID: 500 << 40, FundingHeight: 500,
			CapacitySat: 600_000, CommitmentType: typ, Initiator: i == 0, Peer: testKey(10 + i),
			PeerAddrs: []string{"127.0.0.1:9735"}, KeyIndex: uint32(i), LocalFundingKey: testKey(20 + i),
			Local:      Params{DustLimitSat: 354, ToSelfDelay: 2016, MaxAcceptedHTLCs: 483},
			Remote:     Params{DustLimitSat: 573, ToSelfDelay: 144, ReserveSat: 6000},
			RemoteKeys: Keys{testKey(30), testKey(31), testKey(32), testKey(33), testKey(34)},
		}
	}
	return &File{Chain: *chaincfg.RegressionNetParams.GenesisHash, Entropy: bytes.Repeat([]byte{7}, 32),
		Birthday: 432, NextKeyIndex: 2, Channels: []Channel{ch(0, TypeAnchors), ch(1, TypeStaticRemoteKey)}}
}

func encrypted(t testing.TB) []byte {
	t.Helper()
	data, err := Encrypt(sampleFile(), "correct horse", fast)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRoundTrip(t *testing.T) {
	data := encrypted(t)
	if !bytes.HasPrefix(data, []byte("LNWBACKUP\x01")) {
		t.Fatalf("header %q", data[:10])
	}
	got, err := Decrypt(data, "correct horse")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, sampleFile()) {
		t.Errorf("round trip:\n got %+v\nwant %+v", got, sampleFile())
	}
	if bytes.Contains(data, sampleFile().Entropy) || bytes.Contains(data, []byte("127.0.0.1")) {
		t.Error("the seed or a peer address is in the file in clear")
	}
}

func TestWrongPassword(t *testing.T) {
	if _, err := Decrypt(encrypted(t), "wrong horse"); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("wrong password: %v", err)
	}
	if _, err := Decrypt(encrypted(t), ""); !errors.Is(err, ErrWrongPassword) {
		t.Errorf("empty password: %v", err)
	}
}

// TestNotABackup: files that are not backups say so before any key
// stretching, including a sealed seed (the other blob of this format).
func TestNotABackup(t *testing.T) {
	seed, _ := keys.EncryptEntropy(bytes.Repeat([]byte{1}, 32), "correct horse", fast)
	for name, data := range map[string][]byte{
		"nil": nil, "empty": {}, "text": []byte("hello, world"), "seed blob": seed,
		"magic only": []byte(Magic), "lowercase": append([]byte(strings.ToLower(Magic)), 1),
		"huge": append(header(Version), make([]byte, MaxFileSize)...),
	} {
		if _, err := Decrypt(data, "correct horse"); !errors.Is(err, ErrNotBackup) {
			t.Errorf("%s: %v, want ErrNotBackup", name, err)
		}
	}
}

func TestUnsupportedVersion(t *testing.T) {
	for _, v := range []byte{0, 2, 255} {
		data := encrypted(t)
		data[len(Magic)] = v
		_, err := Decrypt(data, "correct horse")
		if !errors.Is(err, ErrVersion) || errors.Is(err, ErrWrongPassword) {
			t.Errorf("version %d: %v, want ErrVersion", v, err)
		}
	}
}

// TestTruncatedAndFlipped: every prefix and every single-bit change of a
// good file fails with one of the package's errors.
func TestTruncatedAndFlipped(t *testing.T) {
	data := encrypted(t)
	for n := 0; n < len(data); n++ {
		err := decryptErr(data[:n])
		if err == nil {
			t.Fatalf("truncated at %d bytes: opened", n)
		}
		if n >= headerLen && n < headerLen+keys.SealOverhead && !errors.Is(err, ErrCorrupt) {
			t.Errorf("truncated at %d bytes: %v, want ErrCorrupt", n, err)
		}
	}
	for i := range data {
		bad := append([]byte(nil), data...)
		bad[i] ^= 1
		if err := decryptErr(bad); err == nil {
			t.Fatalf("flipping byte %d went unnoticed", i)
		}
	}
}

// decryptErr decrypts and checks the error is one a caller can name.
func decryptErr(data []byte) error {
	_, err := Decrypt(data, "correct horse")
	if err == nil {
		return nil
	}
	for _, known := range []error{ErrNotBackup, ErrVersion, ErrWrongPassword, ErrCorrupt} {
		if errors.Is(err, known) {
			return err
		}
	}
	panic("unnamed error: " + err.Error())
}

// TestCostlyHeaderRefused: a header asking for gigabytes of scrypt memory
// is refused before any is allocated.
func TestCostlyHeaderRefused(t *testing.T) {
	for _, p := range [][3]byte{{22, 255, 1}, {20, 8, 1}, {15, 8, 200}} {
		data := encrypted(t)
		copy(data[headerLen+1:], p[:])
		if _, err := Decrypt(data, "correct horse"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("scrypt %v: %v, want ErrCorrupt", p, err)
		}
	}
}

// TestInvalidPayloadRefused: a payload that decrypts but is not a valid
// backup (hand-made with the right password) is ErrCorrupt, and Encrypt
// refuses to write one.
func TestInvalidPayloadRefused(t *testing.T) {
	for name, plain := range map[string]string{
		"not json":    "hello",
		"no seed":     `{"channels":[]}`,
		"bad pubkey":  `{"entropy":"` + strings.Repeat("A", 44) + `","channels":[{"peer":"zz"}]}`,
		"short seed":  `{"entropy":"AAAA"}`,
		"wrong shape": `[1,2,3]`,
	} {
		sealed, err := keys.Seal([]byte(plain), "pw", fast, header(Version))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decrypt(append(header(Version), sealed...), "pw"); !errors.Is(err, ErrCorrupt) {
			t.Errorf("%s: %v, want ErrCorrupt", name, err)
		}
	}
	for name, spoil := range map[string]func(*File){
		"entropy":   func(f *File) { f.Entropy = f.Entropy[:15] },
		"point":     func(f *File) { f.Channels[0].ChannelPoint = "nope" },
		"index":     func(f *File) { f.Channels[0].ChannelPoint = strings.Repeat("a", 64) + ":70000" },
		"capacity":  func(f *File) { f.Channels[0].CapacitySat = 0 },
		"type":      func(f *File) { f.Channels[0].CommitmentType = "legacy" },
		"peer":      func(f *File) { f.Channels[0].Peer = Pubkey{} },
		"basepoint": func(f *File) { f.Channels[1].RemoteKeys.HTLC[0] = 9 },
		"address":   func(f *File) { f.Channels[0].PeerAddrs = []string{""} },
		"twice":     func(f *File) { f.Channels[1].ChannelPoint = f.Channels[0].ChannelPoint },
	} {
		f := sampleFile()
		spoil(f)
		if _, err := Encrypt(f, "pw", fast); err == nil {
			t.Errorf("%s: Encrypt wrote an invalid backup", name)
		}
	}
}
