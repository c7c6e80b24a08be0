package chain

import (
	"github.com/btcsuite/btcd/chaincfg"
)

// FeeEstimator gives a fee rate for a confirmation target in blocks.
type FeeEstimator interface {
	FeeRate(confTarget uint32) (SatPerKWeight, error)
}

// StaticFees is a fixed fee rate. Compact filters carry no fee data, so until
// the node estimates from recent blocks it uses a rate that relays on the
// network: 253 sat/kw (the 1 sat/vB relay floor, rounded up as lnd does) on
// regtest, 2.5 sat/vB on test networks, 10 sat/vB on mainnet.
type StaticFees SatPerKWeight

// FeeRate returns the fixed rate whatever the target.
func (s StaticFees) FeeRate(uint32) (SatPerKWeight, error) { return SatPerKWeight(s), nil }

// defaultStaticFees picks the fixed rate for a network.
func defaultStaticFees(p *chaincfg.Params) StaticFees {
	switch p.Name {
	case chaincfg.RegressionNetParams.Name:
		return 253
	case chaincfg.MainNetParams.Name:
		return StaticFees(FeeRateFromSatPerVByte(10))
	default:
		return StaticFees(FeeRateFromSatPerVByte(2.5))
	}
}
