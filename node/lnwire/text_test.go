package lnwire

import (
	"encoding/json"
	"testing"

	"github.com/btcsuite/btcd/btcec/v2"
)

func TestTextRoundTrip(t *testing.T) {
	priv, _ := btcec.NewPrivateKey()
	type rec struct {
		P    Point
		Zero Point
		C    ChannelID
		S    Sig
	}
	in := rec{P: NewPoint(priv.PubKey()), C: ChannelID{1, 2, 3}, S: Sig{9, 8}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out rec
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if out.P != in.P || out.C != in.C || out.S != in.S {
		t.Fatalf("round trip changed the values: %s", b)
	}
	var p Point
	if err := json.Unmarshal([]byte(`"02aa"`), &p); err == nil {
		t.Fatal("short point accepted")
	}
	bad := make([]byte, 66)
	for i := range bad {
		bad[i] = '0'
	}
	bad[1] = '5'
	if err := json.Unmarshal([]byte(`"`+string(bad)+`"`), &p); err == nil {
		t.Fatal("invalid point prefix accepted")
	}
}
