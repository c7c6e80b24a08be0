package lnwire

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"reflect"
	"testing"
)

func loadJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
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
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

type bigSizeVector struct {
	Name   string `json:"name"`
	Value  uint64 `json:"value"`
	Bytes  string `json:"bytes"`
	ExpErr string `json:"exp_error"`
}

// TestBolt01BigSizeVectors runs BOLT 1 Appendix A through ReadBigSize and
// WriteBigSize, comparing error texts exactly as the appendix's harness
// does.
func TestBolt01BigSizeVectors(t *testing.T) {
	var v struct {
		Decoding []bigSizeVector `json:"decoding"`
		Encoding []bigSizeVector `json:"encoding"`
	}
	loadJSON(t, "bolt01_bigsize.json", &v)
	if len(v.Decoding) != 18 || len(v.Encoding) != 8 {
		t.Fatalf("expected 18 decoding and 8 encoding vectors, got %d and %d", len(v.Decoding), len(v.Encoding))
	}
	for _, tc := range v.Decoding {
		t.Run("decode/"+tc.Name, func(t *testing.T) {
			val, err := ReadBigSize(bytes.NewReader(mustHex(t, tc.Bytes)))
			switch {
			case tc.ExpErr != "" && (err == nil || err.Error() != tc.ExpErr):
				t.Fatalf("error %v, want %q", err, tc.ExpErr)
			case tc.ExpErr == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.ExpErr == "" && val != tc.Value:
				t.Fatalf("value %d, want %d", val, tc.Value)
			}
		})
	}
	for _, tc := range v.Encoding {
		t.Run("encode/"+tc.Name, func(t *testing.T) {
			var w bytes.Buffer
			if err := WriteBigSize(&w, tc.Value); err != nil {
				t.Fatal(err)
			}
			if got := hex.EncodeToString(w.Bytes()); got != tc.Bytes {
				t.Fatalf("encoded %s, want %s", got, tc.Bytes)
			}
			if BigSizeLen(tc.Value) != w.Len() {
				t.Fatalf("BigSizeLen %d, wrote %d", BigSizeLen(tc.Value), w.Len())
			}
		})
	}
}

// TestBolt01MessageExtensionVectors runs BOLT 1 Appendix C through
// ReadMessage; valid messages must also re-encode byte for byte, unknown
// odd records included.
func TestBolt01MessageExtensionVectors(t *testing.T) {
	var v struct {
		Valid []struct {
			Message     string `json:"message"`
			Explanation string `json:"explanation"`
		} `json:"valid"`
		Invalid []struct {
			Message     string `json:"message"`
			Explanation string `json:"explanation"`
		} `json:"invalid"`
	}
	loadJSON(t, "bolt01_message_extension.json", &v)
	for _, tc := range v.Valid {
		b := mustHex(t, tc.Message)
		m, err := ReadMessage(b)
		if err != nil {
			t.Fatalf("%s: %v", tc.Explanation, err)
		}
		if _, ok := m.(*Init); !ok {
			t.Fatalf("%s: decoded %T", tc.Explanation, m)
		}
		out, err := WriteMessage(m)
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("%s: re-encoded %x (%v), want %x", tc.Explanation, out, err, b)
		}
	}
	for _, tc := range v.Invalid {
		if m, err := ReadMessage(mustHex(t, tc.Message)); err == nil {
			t.Fatalf("%s: decoded %#v, want an error", tc.Explanation, m)
		}
	}
}

// n1Tlv3 is tlv3 of Appendix B's n1 namespace.
type n1Tlv3 struct {
	NodeID  Point
	Amount1 uint64
	Amount2 uint64
}

var n1Tlv3Codec = valueCodec[n1Tlv3]{
	fixed: PointSize + 16,
	encode: func(w io.Writer, v n1Tlv3) error {
		var b bytes.Buffer
		b.Write(v.NodeID[:])
		putU64(&b, v.Amount1)
		putU64(&b, v.Amount2)
		return writeAll(w, b.Bytes())
	},
	decode: func(b []byte) (n1Tlv3, error) {
		r := NewReader(b)
		v := n1Tlv3{NodeID: r.Point("node_id"), Amount1: r.U64("amount_msat_1"), Amount2: r.U64("amount_msat_2")}
		return v, r.Err()
	},
}

// n1 and n2 are the two TLV namespaces BOLT 1 Appendix B defines.
type n1 struct {
	Tlv1 Optional[uint64]         // type 1: tu64 amount_msat
	Tlv2 Optional[ShortChannelID] // type 2: short_channel_id scid
	Tlv3 Optional[n1Tlv3]         // type 3: point, u64, u64
	Tlv4 Optional[uint16]         // type 254: u16 cltv_delta
}

func (v *n1) fields() []tlvField {
	return []tlvField{
		optField(1, &v.Tlv1, tu64Codec),
		optField(2, &v.Tlv2, scidCodec),
		optField(3, &v.Tlv3, n1Tlv3Codec),
		optField(254, &v.Tlv4, u16Codec),
	}
}

type n2 struct {
	Tlv1 Optional[uint64] // type 0: tu64 amount_msat
	Tlv2 Optional[uint32] // type 11: tu32 cltv_expiry
}

func (v *n2) fields() []tlvField {
	return []tlvField{optField(0, &v.Tlv1, tu64Codec), optField(11, &v.Tlv2, tu32Codec)}
}

// decodeNamespace decodes stream in namespace ns through the package's
// stream wrapper and checks that a successful decode re-encodes to the same
// bytes; it returns the n1 values (zero for n2).
func decodeNamespace(t *testing.T, ns string, stream []byte) (n1, error) {
	t.Helper()
	var fields func() []tlvField
	var v1 n1
	var v2 n2
	switch ns {
	case "n1":
		fields = v1.fields
	case "n2":
		fields = v2.fields
	default:
		t.Fatalf("unknown namespace %q", ns)
	}
	extra, err := decodeTLVStream(stream, fields()...)
	if err != nil {
		return n1{}, err
	}
	var w bytes.Buffer
	if err := encodeTLVStream(&w, extra, fields()...); err != nil {
		t.Fatalf("re-encode %x in %s: %v", stream, ns, err)
	}
	if !bytes.Equal(w.Bytes(), stream) {
		t.Fatalf("%s stream %x re-encodes as %x", ns, stream, w.Bytes())
	}
	return v1, nil
}

type tlvValues struct {
	Tlv1 *struct {
		AmountMsat uint64 `json:"amount_msat"`
	} `json:"tlv1"`
	Tlv2 *struct {
		SCID string `json:"scid"`
	} `json:"tlv2"`
	Tlv3 *struct {
		NodeID  string `json:"node_id"`
		Amount1 uint64 `json:"amount_msat_1"`
		Amount2 uint64 `json:"amount_msat_2"`
	} `json:"tlv3"`
	Tlv4 *struct {
		CLTVDelta uint16 `json:"cltv_delta"`
	} `json:"tlv4"`
}

// n1Want turns a vector's expected values into n1 fields. tlv2's scid is
// written as the spec writes it, block x tx x output, and compared through
// String.
func (tv *tlvValues) n1Want(t *testing.T) (n1, string) {
	var want n1
	var scid string
	if tv == nil {
		return want, ""
	}
	if tv.Tlv1 != nil {
		want.Tlv1 = Some(tv.Tlv1.AmountMsat)
	}
	if tv.Tlv2 != nil {
		scid = tv.Tlv2.SCID
	}
	if tv.Tlv3 != nil {
		p, err := ParsePoint(mustHex(t, tv.Tlv3.NodeID))
		if err != nil {
			t.Fatal(err)
		}
		want.Tlv3 = Some(n1Tlv3{NodeID: p, Amount1: tv.Tlv3.Amount1, Amount2: tv.Tlv3.Amount2})
	}
	if tv.Tlv4 != nil {
		want.Tlv4 = Some(tv.Tlv4.CLTVDelta)
	}
	return want, scid
}

type tlvVector struct {
	Namespaces []string   `json:"namespaces"`
	Stream     string     `json:"stream"`
	Reason     string     `json:"reason"`
	Values     *tlvValues `json:"values"`
}

// TestBolt01TLVVectors runs BOLT 1 Appendix B: every failure must fail and
// every success decode to the given values in the namespaces the appendix
// names, and the two composition rules of "TLV Stream Decoding Failure"
// hold over all pairs of vectors.
func TestBolt01TLVVectors(t *testing.T) {
	var v struct {
		Failures       []tlvVector `json:"decoding_failures"`
		Successes      []tlvVector `json:"decoding_successes"`
		StreamFailures []tlvVector `json:"stream_decoding_failures"`
	}
	loadJSON(t, "bolt01_tlv.json", &v)
	for _, tc := range append(v.Failures, v.StreamFailures...) {
		for _, ns := range tc.Namespaces {
			if _, err := decodeNamespace(t, ns, mustHex(t, tc.Stream)); err == nil {
				t.Errorf("%s: stream %s decoded, want failure: %s", ns, tc.Stream, tc.Reason)
			}
		}
	}
	for _, tc := range v.Successes {
		for _, ns := range tc.Namespaces {
			got, err := decodeNamespace(t, ns, mustHex(t, tc.Stream))
			if err != nil {
				t.Errorf("%s: stream %s: %v", ns, tc.Stream, err)
				continue
			}
			checkN1Values(t, ns, tc, got)
		}
	}
	checkAppendedInvalid(t, v.Successes, v.Failures)
	checkAppendedValid(t, v.Successes)
}

func checkN1Values(t *testing.T, ns string, tc tlvVector, got n1) {
	t.Helper()
	if ns != "n1" {
		return
	}
	want, scid := tc.Values.n1Want(t)
	if scid != "" {
		if !got.Tlv2.Present || got.Tlv2.Value.String() != scid {
			t.Errorf("stream %s: scid %v, want %s", tc.Stream, got.Tlv2, scid)
		}
		got.Tlv2 = Optional[ShortChannelID]{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stream %s: decoded %+v, want %+v", tc.Stream, got, want)
	}
}

// checkAppendedInvalid: "Any appending of an invalid stream to a valid
// stream should trigger a decoding failure."
func checkAppendedInvalid(t *testing.T, valid, invalid []tlvVector) {
	for _, ok := range valid {
		for _, bad := range invalid {
			for _, ns := range bad.Namespaces {
				if !slicesContain(ok.Namespaces, ns) {
					continue
				}
				s := mustHex(t, ok.Stream+bad.Stream)
				if _, err := decodeNamespace(t, ns, s); err == nil {
					t.Errorf("%s: valid %s + invalid %s decoded", ns, ok.Stream, bad.Stream)
				}
			}
		}
	}
}

// checkAppendedValid: "Any appending of a higher-numbered valid stream to a
// lower-numbered valid stream should not trigger a decoding failure." Each
// valid vector holds at most one record, so its type is its first BigSize.
func checkAppendedValid(t *testing.T, valid []tlvVector) {
	for _, a := range valid {
		for _, b := range valid {
			ta, okA := firstType(t, a.Stream)
			tb, okB := firstType(t, b.Stream)
			if !okA || !okB || ta >= tb {
				continue
			}
			for _, ns := range a.Namespaces {
				if !slicesContain(b.Namespaces, ns) {
					continue
				}
				if _, err := decodeNamespace(t, ns, mustHex(t, a.Stream+b.Stream)); err != nil {
					t.Errorf("%s: %s + %s: %v", ns, a.Stream, b.Stream, err)
				}
			}
		}
	}
}

func firstType(t *testing.T, stream string) (uint64, bool) {
	typ, err := ReadBigSize(bytes.NewReader(mustHex(t, stream)))
	if errors.Is(err, io.EOF) {
		return 0, false
	}
	if err != nil {
		t.Fatalf("vector %s: %v", stream, err)
	}
	return typ, true
}

func slicesContain(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
