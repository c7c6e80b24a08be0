package chain

import (
	"math"
	"testing"

	"github.com/btcsuite/btcd/chaincfg"
)

func TestFeeRateConversions(t *testing.T) {
	for _, c := range []struct {
		kw SatPerKWeight
		vb float64
	}{{250, 1}, {253, 1.012}, {625, 2.5}, {2500, 10}, {0, 0}} {
		if got := c.kw.SatPerVByte(); math.Abs(got-c.vb) > 1e-9 {
			t.Errorf("%d sat/kw = %v sat/vB, want %v", c.kw, got, c.vb)
		}
		if c.kw%250 == 0 {
			if got := FeeRateFromSatPerVByte(c.vb); got != c.kw {
				t.Errorf("%v sat/vB = %d sat/kw, want %d", c.vb, got, c.kw)
			}
		}
	}
	// Converting to sat/kw truncates: 1.0119 sat/vB is not quite 253.
	if got := FeeRateFromSatPerVByte(1.0119); got != 252 {
		t.Errorf("FeeRateFromSatPerVByte(1.0119) = %d, want 252", got)
	}
}

func TestDefaultStaticFees(t *testing.T) {
	for _, c := range []struct {
		params *chaincfg.Params
		want   SatPerKWeight
	}{
		{&chaincfg.RegressionNetParams, 253},
		{&chaincfg.MainNetParams, 2500},
		{&chaincfg.TestNet3Params, 625},
		{&chaincfg.SigNetParams, 625},
	} {
		for _, target := range []uint32{1, 6, 144} {
			got, err := defaultStaticFees(c.params).FeeRate(target)
			if err != nil || got != c.want {
				t.Errorf("%s FeeRate(%d) = %d, %v; want %d", c.params.Name, target, got, err, c.want)
			}
		}
	}
}
